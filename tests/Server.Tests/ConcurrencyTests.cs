using System.Net;
using System.Text.Json;

namespace VoxScheduler.Tests;

[Collection("Server")]
public sealed class ConcurrencyTests(ServerFixture fixture)
{
    private ServerHost Host => fixture.Host;

    [Fact]
    public async Task Fifty_concurrent_clients_submit_and_read_without_errors()
    {
        const int clients = 50;
        using var start = new SemaphoreSlim(0, clients);
        var tasks = Enumerable.Range(0, clients).Select(i => Task.Run(async () =>
        {
            using var client = Host.NewClient();
            await start.WaitAsync();
            // Half run synchronously, half submit and read back; all share one store, and the
            // shared part of every program (its first goal) is the same node for everyone.
            var program = $"shared = 1000 * 3\nprint \"shared\" shared\nprint \"own\" {i} * 2 + shared";
            JsonElement goals;
            string id;
            if (i % 2 == 0)
            {
                var answer = await client.RunAsync(program, storagePath: "concurrent");
                Assert.Equal("completed", answer.GetProperty("status").GetString());
                id = answer.GetProperty("execution_id").GetString()!;
                goals = answer.GetProperty("result").GetProperty("goals");
            }
            else
            {
                id = await client.SubmitAsync(program, storagePath: "concurrent");
                var progress = await client.WaitForEndAsync(id);
                Assert.Equal("completed", progress.GetProperty("status").GetString());
                goals = (await client.GetJsonAsync($"api/v1/execution/{id}/results")).GetProperty("goals");
            }

            var byName = Api.GoalsByName(goals);
            Assert.Equal(3000, byName["shared"].GetProperty("value").GetDouble());
            Assert.Equal(i * 2 + 3000, byName["own"].GetProperty("value").GetDouble());

            using var content = await client.GetAsync($"api/v1/execution/{id}/results/1/content");
            Assert.Equal(HttpStatusCode.OK, content.StatusCode);
            Assert.Equal((i * 2 + 3000).ToString(System.Globalization.CultureInfo.InvariantCulture), (await content.Content.ReadAsStringAsync()).Trim());
            using var listing = await client.GetAsync("api/v1/executions");
            Assert.Equal(HttpStatusCode.OK, listing.StatusCode);
            return id;
        })).ToList();

        start.Release(clients);
        var ids = await Task.WhenAll(tasks);
        Assert.Equal(clients, ids.Distinct().Count());
    }
}
