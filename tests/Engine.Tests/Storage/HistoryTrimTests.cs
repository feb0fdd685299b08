using Microsoft.Extensions.Time.Testing;
using VoxScheduler.Storage;

namespace VoxScheduler.Tests.Storage;

/// <summary>Execution history trimmed by age and count on every backend; running executions never (issue 14 item 18).</summary>
public sealed class HistoryTrimTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("sqlite")]
    [InlineData("filesystem")]
    [InlineData("hybrid")]
    public async Task History_is_trimmed_by_age_and_count_and_running_executions_stay(string backend)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var store = await StoreFactory.OpenAsync(backend, _temp.Combine(backend), new StoreOptions { TimeProvider = time });
        var start = time.GetUtcNow();
        // Six finished executions, one a day, and one still running from the first day.
        for (var day = 0; day < 6; day++)
        {
            await store.RecordExecutionAsync(new ExecutionRecord
            {
                ExecutionId = $"done-{day}", Status = "Completed", SubmittedAt = start.AddDays(day), CompletedAt = start.AddDays(day).AddMinutes(5),
            });
        }

        await store.RecordExecutionAsync(new ExecutionRecord { ExecutionId = "running", Status = "Running", SubmittedAt = start });
        await store.RecordNodeNamesAsync("done-0", [new ExecutionNodeName("done-0", "g", StoreTestData.Id("g"), true, 0)]);
        time.Advance(TimeSpan.FromDays(6));

        // Older than 3.5 days: done-0, done-1 and done-2 ended before the cutoff.
        var byAge = await ExecutionHistoryTrimmer.TrimAsync(store, new HistoryRetention(OlderThan: TimeSpan.FromDays(3.5)), time);
        Assert.Equal(new HistoryTrimReport(3, 4), byAge);
        Assert.Null(await store.GetExecutionAsync("done-0"));
        Assert.Empty(await ToListAsync(store.ListExecutionNodesAsync("done-0")));
        Assert.NotNull(await store.GetExecutionAsync("done-3"));

        // At most two finished: the newest (done-5, done-4) stay; the running one is never counted or trimmed.
        var byCount = await ExecutionHistoryTrimmer.TrimAsync(store, new HistoryRetention(MaxExecutions: 2), time);
        Assert.Equal(new HistoryTrimReport(1, 3), byCount);
        var left = (await ToListAsync(store.ListExecutionsAsync())).Select(r => r.ExecutionId).Order().ToList();
        Assert.Equal(["done-4", "done-5", "running"], left);

        Assert.Equal(new HistoryTrimReport(0, 3), await ExecutionHistoryTrimmer.TrimAsync(store, new HistoryRetention(MaxExecutions: 2), time));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await ExecutionHistoryTrimmer.TrimAsync(store, new HistoryRetention(MaxExecutions: -1)));
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source) list.Add(item);
        return list;
    }
}
