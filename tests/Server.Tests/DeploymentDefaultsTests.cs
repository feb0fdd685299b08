using System.Net;
using VoxScheduler.Server;

namespace VoxScheduler.Tests;

/// <summary>Deployment defaults (issue 14, item 10): remote without a key refused, Host names checked, the key off the command line, the key in OpenAPI.</summary>
public sealed class DeploymentDefaultsTests
{
    [Fact]
    public void Listening_beyond_loopback_without_a_key_is_refused_unless_allowed()
    {
        var dataRoot = Directory.CreateTempSubdirectory("voxserver-remote-");
        try
        {
            foreach (var urls in new[] { "http://0.0.0.0:0", "http://*:0", "http://127.0.0.1:0;http://[::]:0" })
            {
                var e = Assert.Throws<InvalidOperationException>(() => ServerApp.Create(["--urls", urls], o => o.DataRoot = dataRoot.FullName));
                Assert.Contains("without an API key", e.Message);
                Assert.Contains(ServerApp.AllowAnonymousRemoteSwitch, e.Message);
            }

            var bind = Assert.Throws<InvalidOperationException>(() => ServerApp.Create(["--bind", "0.0.0.0"], o => o.DataRoot = dataRoot.FullName));
            Assert.Contains("without an API key", bind.Message);

            // Built (not started: tests listen on loopback only) when the risk is accepted or a key is set.
            _ = ServerApp.Create(["--urls", "http://0.0.0.0:0", ServerApp.AllowAnonymousRemoteSwitch], o => o.DataRoot = dataRoot.FullName);
            _ = ServerApp.Create(["--urls", "http://0.0.0.0:0"], o =>
            {
                o.DataRoot = dataRoot.FullName;
                o.ApiKey = "k";
            });
        }
        finally
        {
            dataRoot.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_API_key_can_come_from_a_file_and_open_API_declares_it()
    {
        var keyFolder = Directory.CreateTempSubdirectory("voxserver-key-");
        try
        {
            var keyFile = Path.Combine(keyFolder.FullName, "key.txt");
            await File.WriteAllTextAsync(keyFile, "from-a-file\n");
            await using var host = await ServerHost.StartAsync(null, "--api-key-file", keyFile);
            using (var missing = await host.Client.GetAsync("api/v1/operations"))
            {
                await Api.ProblemAsync(missing, HttpStatusCode.Unauthorized);
            }

            using var keyed = host.NewClient("from-a-file");
            await keyed.GetJsonAsync("api/v1/operations");

            var doc = await host.Client.GetJsonAsync("openapi/v1.json");
            var scheme = doc.GetProperty("components").GetProperty("securitySchemes").GetProperty(ServerApp.ApiKeySchemeName);
            Assert.Equal("apiKey", scheme.GetProperty("type").GetString());
            Assert.Equal("header", scheme.GetProperty("in").GetString());
            Assert.Equal("X-Api-Key", scheme.GetProperty("name").GetString());
            Assert.True(doc.GetProperty("security")[0].TryGetProperty(ServerApp.ApiKeySchemeName, out _));
        }
        finally
        {
            keyFolder.Delete(recursive: true);
        }
    }

    [Fact]
    public void An_unreadable_key_file_stops_the_start()
    {
        var e = Assert.Throws<InvalidOperationException>(() => ServerApp.Create(["--api-key-file", "/nonexistent/voxserver/key"], o => o.DataRoot = Path.GetTempPath()));
        Assert.Contains("API key file", e.Message);
    }

    [Fact]
    public async Task A_loopback_server_answers_only_loopback_host_names()
    {
        await using var host = await ServerHost.StartAsync();
        foreach (var name in new[] { "localhost", "127.0.0.1" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "health");
            request.Headers.Host = $"{name}:{host.BaseAddress.Port}";
            using var ok = await host.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        // A page whose name was rebound to 127.0.0.1 sends its own name.
        using var rebound = new HttpRequestMessage(HttpMethod.Get, "health");
        rebound.Headers.Host = $"attacker.example:{host.BaseAddress.Port}";
        using var refused = await host.Client.SendAsync(rebound);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }
}
