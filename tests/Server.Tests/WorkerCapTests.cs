using System.Net;
using System.Text;

namespace VoxScheduler.Tests;

/// <summary>The worker cap (#14 item 14): configurable, said when a request asks for more, and not held by nodes that wait.</summary>
public sealed class WorkerCapTests
{
    [Fact]
    public async Task Sixty_four_sleeps_overlap_on_two_workers_and_the_response_warns_about_the_cap()
    {
        await using var host = await ServerHost.StartAsync(null, "--max-workers", "2");
        var program = new StringBuilder("import \"test\"\n");
        var serial = Guid.NewGuid().GetHashCode() & 0xFFFFF;
        for (var i = 0; i < 64; i++) program.Append($"print \"s{i}\" sleep({serial * 100 + i}, 300)\n");

        using var response = await host.Client.PostExecutionAsync(new
        {
            program = program.ToString(), max_concurrent_nodes = 64, storage_backend = "none", async_execution = true,
        });
        var answer = await Api.JsonAsync(response, HttpStatusCode.Accepted);
        var warning = Assert.Single(answer.GetProperty("warnings").EnumerateArray()).GetString();
        Assert.Contains("max_concurrent_nodes 64", warning);
        Assert.Contains("worker cap of 2", warning);

        // Goal events are replayed to a late subscriber; each gives when its sleep ended and how long it ran.
        var events = await host.Client.ReadEventsAsync(answer.GetProperty("execution_id").GetString()!);
        var spans = events.Where(e => e.Event == "goal-finished").Select(e => e.Json)
            .Select(j => (End: j.GetProperty("at").GetDateTimeOffset(), Ms: j.GetProperty("goal").GetProperty("duration_ms").GetDouble()))
            .Select(s => (Start: s.End - TimeSpan.FromMilliseconds(s.Ms), s.End)).ToList();
        Assert.Equal(64, spans.Count);
        var points = spans.SelectMany(s => new[] { (s.Start, 1), (s.End, -1) }).OrderBy(p => p.Item1).ThenBy(p => p.Item2);
        int depth = 0, peak = 0;
        foreach (var (_, d) in points) peak = Math.Max(peak, depth += d);
        Assert.True(peak > 4, $"at most {peak} sleeps overlapped: waiting nodes held the 2 workers");

        // Within the cap: no warning field at all.
        using var small = await host.Client.PostExecutionAsync(new { program = "print \"x\" 1 + 1", max_concurrent_nodes = 2, storage_backend = "none" });
        var quiet = await Api.JsonAsync(small, HttpStatusCode.OK);
        Assert.False(quiet.TryGetProperty("warnings", out var w) && w.ValueKind != System.Text.Json.JsonValueKind.Null);
    }
}
