using System.Net;
using System.Text;

namespace VoxScheduler.Tests;

public sealed class HistoryTests
{
    [Fact]
    public async Task Results_outlive_the_server_process_that_computed_them()
    {
        var first = await ServerHost.StartAsync();
        var dataRoot = first.DataRoot;
        string id;
        try
        {
            var answer = await first.Client.RunAsync("print \"answer\" 6 * 7\nprint \"text\" \"ke\" + \"pt\"\nprint \"literal\" \"a literal\"\nprint \"bad\" 1 / 0", storagePath: "persist");
            id = answer.GetProperty("execution_id").GetString()!;
        }
        finally
        {
            first.Client.Dispose();
            await first.App.StopAsync();
            await first.App.DisposeAsync();
        }

        await using var second = await ServerHost.StartAsync(o => o.DataRoot = dataRoot);
        using (var gone = await second.Client.GetAsync($"api/v1/execution/{id}/results"))
        {
            await Api.ProblemAsync(gone, HttpStatusCode.NotFound);
        }

        var list = await second.Client.GetJsonAsync("api/v1/history?storage_path=persist");
        Assert.Equal("hybrid", list.GetProperty("storage_backend").GetString());
        Assert.Equal("persist", list.GetProperty("storage_path").GetString());
        var record = Assert.Single(list.GetProperty("executions").EnumerateArray(), e => e.GetProperty("execution_id").GetString() == id);
        Assert.Equal("failed", record.GetProperty("status").GetString());

        var detail = await second.Client.GetJsonAsync($"api/v1/history/{id}?storage_path=persist");
        var goals = Api.GoalsByName(detail.GetProperty("goals"));
        Assert.Equal(42, goals["answer"].GetProperty("value").GetDouble());
        Assert.True(goals["text"].GetProperty("value").GetString() == "kept", detail.GetRawText());
        Assert.False(goals["bad"].GetProperty("available").GetBoolean());
        Assert.True(goals["literal"].GetProperty("available").GetBoolean());
        Assert.Equal("a literal", goals["literal"].GetProperty("value").GetString());

        var url = goals["text"].GetProperty("content_url").GetString()!;
        using var content = await second.Client.GetAsync(url.TrimStart('/'));
        Assert.Equal(HttpStatusCode.OK, content.StatusCode);
        Assert.Equal("kept", Encoding.UTF8.GetString(await content.Content.ReadAsByteArrayAsync()));
        using var byName = await second.Client.GetAsync($"api/v1/history/{id}/results/answer/content?storage_path=persist");
        Assert.Equal("42", (await byName.Content.ReadAsStringAsync()).Trim());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("hybrid")]
    [InlineData("filesystem")]
    public async Task Reading_the_history_of_a_folder_that_holds_no_store_creates_nothing(string backend)
    {
        await using var host = await ServerHost.StartAsync();
        var folder = Path.Combine(host.DataRoot, "plain-folder");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "not a store");
        foreach (var url in new[]
                 {
                     $"api/v1/history?storage_path=plain-folder&storage_backend={backend}",
                     $"api/v1/history/some-id?storage_path=plain-folder&storage_backend={backend}",
                     $"api/v1/history/some-id/results/0/content?storage_path=plain-folder&storage_backend={backend}",
                 })
        {
            using var response = await host.Client.GetAsync(url);
            await Api.ProblemAsync(response, HttpStatusCode.NotFound);
        }

        Assert.Equal(["notes.txt"], Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("api/v1/history?storage_path=never-created", HttpStatusCode.NotFound)]
    [InlineData("api/v1/history?storage_path=../outside", HttpStatusCode.BadRequest)]
    [InlineData("api/v1/history?storage_path=/etc", HttpStatusCode.BadRequest)]
    [InlineData("api/v1/history?storage_backend=none", HttpStatusCode.BadRequest)]
    [InlineData("api/v1/history?storage_path=outputs&limit=0", HttpStatusCode.BadRequest)]
    [InlineData("api/v1/history/unknown-id?storage_path=voxlogica_storage", HttpStatusCode.NotFound)]
    [InlineData("api/v1/history/unknown-id/results/0/content?storage_path=voxlogica_storage", HttpStatusCode.NotFound)]
    public async Task History_refuses_unknown_stores_paths_outside_the_root_and_unknown_executions(string url, HttpStatusCode expected)
    {
        await using var host = await ServerHost.StartAsync();
        await host.Client.RunAsync("print \"a\" 1");
        using var response = await host.Client.GetAsync(url);
        await Api.ProblemAsync(response, expected);
        Assert.False(Directory.Exists(Path.Combine(host.DataRoot, "never-created")), "reading never creates a store");
    }
}
