using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using VoxScheduler.Server;

namespace VoxScheduler.Tests;

public sealed class ServerOptionsTests
{
    [Fact]
    public async Task Without_urls_the_server_binds_loopback_only()
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
    public async Task Command_line_switches_set_the_options()
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
    public void Invalid_options_stop_the_start_with_a_message(string name, string value)
    {
        var e = Assert.Throws<InvalidOperationException>(() => ServerApp.Create([name, value]));
        Assert.StartsWith("Invalid server options", e.Message);
    }

    [Fact]
    public void Environment_variables_with_the_prefix_become_server_options()
    {
        var settings = ServerApp.EnvironmentSettings(new System.Collections.Hashtable
        {
            ["VOXSERVER_APIKEY"] = "from-env",
            ["VOXSERVER_ALLOWEDBACKENDS__0"] = "sqlite",
            ["voxserver_port"] = "6000",
            ["VOXSERVER_"] = "ignored",
            ["ASPNETCORE_URLS"] = "ignored",
        });
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var options = configuration.GetSection(ServerOptions.Section).Get<ServerOptions>()!;
        Assert.Equal("from-env", options.ApiKey);
        Assert.Equal(6000, options.Port);
        Assert.Equal(["sqlite"], options.EffectiveBackends);
        Assert.Equal(3, settings.Count);
    }

    [Fact]
    public async Task Stopping_the_server_cancels_running_executions_and_ends_waiting_requests()
    {
        var host = await ServerHost.StartAsync();
        var id = await host.Client.SubmitAsync("import \"test\"\nprint \"slow\" sleep(1, 600000)");
        var waiting = host.Client.PostExecutionAsync(new { program = "import \"test\"\nprint \"slow\" sleep(2, 600000)" });
        var engine = host.App.Services.GetRequiredService<ExecutionHost>();
        var run = engine.Find(id)!;
        var deadline = DateTime.UtcNow + Api.Patience;
        while (engine.List() is var runs && (runs.Count < 2 || runs.Any(r => r.Execution.GetProgress().RunningNodes == 0)))
        {
            Assert.True(DateTime.UtcNow < deadline, "both executions run");
            await Task.Delay(10);
        }

        await host.App.StopAsync().WaitAsync(Api.Patience);
        Assert.Equal(Scheduling.ExecutionStatus.Cancelled, await run.Finished.WaitAsync(Api.Patience));
        using var answer = await waiting.WaitAsync(Api.Patience);
        Assert.Equal("cancelled", (await Api.JsonAsync(answer, System.Net.HttpStatusCode.OK)).GetProperty("status").GetString());
        await host.DisposeAsync();
    }
}
