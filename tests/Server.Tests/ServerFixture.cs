namespace VoxScheduler.Tests;

/// <summary>One server shared by the tests of the <c>Server</c> collection (default limits, generous concurrency).</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private ServerHost? _host;

    internal ServerHost Host => _host ?? throw new InvalidOperationException("The server has not started.");

    public async Task InitializeAsync() =>
        _host = await ServerHost.StartAsync(o =>
        {
            o.MaxConcurrentExecutions = 128;
            o.MaxInlineBytes = 2 * 1024 * 1024;
        });

    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
    }
}

/// <summary>Tests sharing <see cref="ServerFixture"/>.</summary>
[CollectionDefinition("Server")]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>;
