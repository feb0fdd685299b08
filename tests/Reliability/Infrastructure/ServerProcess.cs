using System.Net;
using System.Net.Sockets;

namespace VoxScheduler.Tests.Infrastructure;

/// <summary>The real REST server (src/Server) in a child process on a free loopback port, with its own data root.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly HostProcess _process;
    private readonly TempFolder _dataRoot;

    private ServerProcess(HostProcess process, TempFolder dataRoot, int port)
    {
        _process = process;
        _dataRoot = dataRoot;
        Port = port;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public int Port { get; }

    /// <summary>The folder every store and saved file must stay in.</summary>
    public string DataRoot => _dataRoot.Path;

    /// <summary>A client on the server's loopback address.</summary>
    public HttpClient Client { get; }

    public HostProcess Process => _process;

    /// <summary>The built server assembly.</summary>
    public static string ServerDll
    {
        get
        {
            var dll = Path.Combine(RepoPaths.Root, "src", "Server", "bin", RepoPaths.Configuration, "net10.0", "VoxScheduler.Server.dll");
            Assert.True(File.Exists(dll), $"The server was not built: {dll}");
            return dll;
        }
    }

    /// <summary>Starts the server (extra switches appended) and waits until /health answers.</summary>
    public static async Task<ServerProcess> StartAsync(params string[] extra)
    {
        var dataRoot = new TempFolder("vox-server");
        var port = FreePort();
        var process = HostProcess.Start(HostProcess.DotnetPath(),
            ["exec", ServerDll, "--port", port.ToString(), "--data-root", dataRoot.Path, .. extra],
            workingDirectory: dataRoot.Path,
            environment: new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production", ["Logging__LogLevel__Default"] = "Warning", ["Logging__LogLevel__VoxScheduler"] = "Information" });
        var server = new ServerProcess(process, dataRoot, port);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (process.HasExited)
            {
                Assert.Fail($"The server exited at start: {process.Tail()}\n{process.Error}");
            }

            try
            {
                using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
                var response = await probe.GetAsync($"http://127.0.0.1:{port}/health");
                if ((int)response.StatusCode < 500) return server;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                await server.DisposeAsync();
                Assert.Fail($"The server did not answer /health within 60 s: {process.Tail()}\n{process.Error}");
            }

            // Polling a port that is not open yet: there is no signal to await in another process.
            await Task.Delay(100);
        }
    }

    /// <summary>A port nobody listens on right now.</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _process.DisposeAsync();
        _dataRoot.Dispose();
    }
}
