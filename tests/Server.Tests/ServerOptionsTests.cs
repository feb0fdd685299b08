using Microsoft.AspNetCore.Builder;
using VoxScheduler.Server;

namespace VoxScheduler.Tests;

public sealed class ServerOptionsTests
{
    [Fact]
    public async Task WithoutUrlsTheServerBindsLoopbackOnly()
    {
        var dataRoot = Directory.CreateTempSubdirectory("voxserver-bind-");
        try
        {
            var app = ServerApp.Create(["--Logging:LogLevel:Default=Warning"], o =>
            {
                o.DataRoot = dataRoot.FullName;
                o.Port = 0;
            });
            await app.StartAsync();
            try
            {
                var address = Assert.Single(ServerApp.Addresses(app));
                Assert.StartsWith("http://127.0.0.1:", address);
                using var client = new HttpClient { BaseAddress = new Uri(address) };
                var health = await client.GetJsonAsync("health");
                Assert.Equal("ok", health.GetProperty("status").GetString());
            }
            finally
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
        finally
        {
            dataRoot.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task CommandLineSwitchesSetTheOptions()
    {
        var dataRoot = Directory.CreateTempSubdirectory("voxserver-switches-");
        try
        {
            var app = ServerApp.Create(["--data-root", dataRoot.FullName, "--port", "0", "--max-concurrent-executions", "3", "--Logging:LogLevel:Default=Warning"]);
            await app.StartAsync();
            try
            {
                using var client = new HttpClient { BaseAddress = new Uri(ServerApp.Addresses(app).Single()) };
                var health = await client.GetJsonAsync("health");
                Assert.Equal(3, health.GetProperty("max_concurrent_executions").GetInt32());
                Assert.True(Directory.Exists(Path.Combine(dataRoot.FullName, "outputs")));
            }
            finally
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
        finally
        {
            dataRoot.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("--port", "70000")]
    [InlineData("--bind", "not-an-address")]
    [InlineData("--max-concurrent-executions", "0")]
    public void InvalidOptionsStopTheStartWithAMessage(string name, string value)
    {
        var e = Assert.Throws<InvalidOperationException>(() => ServerApp.Create([name, value]));
        Assert.StartsWith("Invalid server options", e.Message);
    }
}
