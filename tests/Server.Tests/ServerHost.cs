using Microsoft.AspNetCore.Builder;
using System.Net.Http.Json;
using System.Text.Json;
using VoxScheduler.Server;

namespace VoxScheduler.Tests;

/// <summary>
/// A real server in this process, listening on a free loopback port, with its own data root in
/// a temporary folder; requests go over real HTTP.
/// </summary>
internal sealed class ServerHost : IAsyncDisposable
{
    private ServerHost(WebApplication app, Uri baseAddress, string dataRoot)
    {
        App = app;
        BaseAddress = baseAddress;
        DataRoot = dataRoot;
        Client = NewClient();
    }

    public WebApplication App { get; }

    public Uri BaseAddress { get; }

    /// <summary>The server's data root (full path).</summary>
    public string DataRoot { get; }

    public HttpClient Client { get; }

    public static Task<ServerHost> StartAsync(Action<ServerOptions>? configure = null, params string[] extraArgs) =>
        StartCoreAsync(testOperations: true, configure, extraArgs);

    /// <summary>A server with the shipped defaults (test operations as the server sets them), for tests of those defaults.</summary>
    public static Task<ServerHost> StartWithShippedDefaultsAsync(Action<ServerOptions>? configure = null) =>
        StartCoreAsync(testOperations: false, configure, []);

    private static async Task<ServerHost> StartCoreAsync(bool testOperations, Action<ServerOptions>? configure, string[] extraArgs)
    {
        var dataRoot = Path.Combine(Path.GetTempPath(), "voxserver-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(dataRoot);
        string[] args = ["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", .. extraArgs];
        var effectiveRoot = dataRoot;
        var app = ServerApp.Create(args, o =>
        {
            o.DataRoot = dataRoot;
            // Most tests sleep, spin or fail on purpose; StartWithShippedDefaultsAsync leaves the default alone.
            if (testOperations) o.EnableTestOperations = true;
            // Every test client is 127.0.0.1: without this the per-client cap, not the limit a test sets, would answer.
            if (testOperations) o.MaxConcurrentExecutionsPerClient = 1000;
            configure?.Invoke(o);
            effectiveRoot = Path.GetFullPath(o.DataRoot);
        });
        if (effectiveRoot != dataRoot) Directory.Delete(dataRoot);
        await app.StartAsync();
        var address = ServerApp.Addresses(app).Single();
        return new ServerHost(app, new Uri(address.TrimEnd('/') + "/"), effectiveRoot);
    }

    /// <summary>A new client (its own connection pool), as a separate caller would have.</summary>
    public HttpClient NewClient(string? apiKey = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (apiKey is not null) client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        try
        {
            Directory.Delete(DataRoot, recursive: true);
        }
        catch (IOException)
        {
            // A store file may still be closing on a slow machine; the temp folder is cleaned later.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
