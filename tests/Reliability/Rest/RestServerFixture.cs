using VoxScheduler.Tests.Infrastructure;

namespace VoxScheduler.Tests.Rest;

/// <summary>One real server process (default options, loopback) shared by the tests of a class.</summary>
public sealed class RestServerFixture : IAsyncLifetime
{
    internal ServerProcess Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await ServerProcess.StartAsync("--max-concurrent-executions", "64", "--VoxServer:MaxConcurrentExecutionsPerClient", "64");

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
