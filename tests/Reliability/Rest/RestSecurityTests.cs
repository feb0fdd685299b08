using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using VoxScheduler.Tests.Infrastructure;

namespace VoxScheduler.Tests.Rest;

/// <summary>
/// The REST server's safety: paths confined to the data root (storage_path and save targets),
/// request limits, the API key, loopback-only binding by default, and no way to send code.
/// Real server process, real HTTP.
/// </summary>
public sealed class RestSecurityTests(RestServerFixture fixture) : IClassFixture<RestServerFixture>, IDisposable
{
    private readonly ServerProcess _server = fixture.Server;
    private readonly TempFolder _outside = new("vox-outside");

    public void Dispose() => _outside.Dispose();

    public static TheoryData<string> TraversalPaths => new()
    {
        "../escape",
        "../../../../../../tmp/vox-escape",
        "store/../../escape",
        "..\\..\\escape",
        "store\\..\\..\\escape",
        "/tmp/vox-escape-absolute",
        "/etc",
        "~/../../etc",
        "./../escape",
        "store/./../../escape",
        "..",
        "%2e%2e/escape",
        "\\\\server\\share\\store",
        "store\u0000/../../x",
    };

    [Theory]
    [MemberData(nameof(TraversalPaths))]
    public async Task A_storage_path_leaving_the_data_root_is_refused(string path)
    {
        var before = Snapshot();
        var response = await PostAsync(new { program = "print \"x\" 1 + 2", storage_backend = "sqlite", storage_path = path });
        var body = await response.Content.ReadAsStringAsync();
        var code = (int)response.StatusCode;
        Assert.True(code is >= 200 and < 500, $"{path}: {code} {body}");
        if (code < 300)
        {
            // Only acceptable when the path stayed inside the root (e.g. a literal "%2e%2e" folder).
            Assert.DoesNotContain(Snapshot().Except(before), p => !p.StartsWith(_server.DataRoot, StringComparison.Ordinal));
        }
        else
        {
            Assert.Equal(400, code);
            Assert.Contains("storage_path", body, StringComparison.Ordinal);
        }

        Assert.Empty(Snapshot().Except(before));
    }

    [Fact]
    public async Task A_storage_path_through_a_symbolic_link_leading_outside_is_refused()
    {
        var link = Path.Combine(_server.DataRoot, $"link-out-{Guid.NewGuid():N}");
        Directory.CreateSymbolicLink(link, _outside.Path);
        var response = await PostAsync(new { program = "print \"x\" 1", storage_backend = "sqlite", storage_path = Path.GetFileName(link) + "/store" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_outside.Path));
    }

    public static TheoryData<string> SaveTargets => new()
    {
        "../escape.txt",
        "../../../../../../tmp/vox-save-escape.txt",
        "/tmp/vox-save-escape-absolute.txt",
        "out/../../escape.txt",
        "..\\escape.txt",
    };

    [Theory]
    [MemberData(nameof(SaveTargets))]
    public async Task A_save_target_leaving_the_data_root_is_refused(string target)
    {
        var before = Snapshot();
        var program = $"save \"{target.Replace("\\", "\\\\")}\" 1 + 2\nprint \"ok\" 5";
        var response = await PostAsync(new { program, storage_backend = "none" });
        var body = await response.Content.ReadAsStringAsync();
        var code = (int)response.StatusCode;
        // Refused up front (400) or the save goal fails while the other goal completes; never written.
        Assert.True(code is 200 or 400 or 422, $"{target}: {code} {body}");
        if (code == 200)
        {
            using var doc = JsonDocument.Parse(body);
            Assert.Contains("failed", body, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Empty(Snapshot().Except(before));
        Assert.False(File.Exists("/tmp/vox-save-escape.txt") || File.Exists("/tmp/vox-save-escape-absolute.txt"), "a save escaped to /tmp");
    }

    [Fact]
    public async Task A_request_body_over_the_limit_is_refused_with_413()
    {
        var program = "print \"big\" \"" + new string('x', 2 * 1024 * 1024) + "\"";
        // Expect: 100-continue lets the server answer before the body is sent; without it the
        // server's early 413 can race the upload and surface as a broken pipe on the client.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/execute-dynamic")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { program, storage_backend = "none" }), Encoding.UTF8, "application/json"),
        };
        request.Headers.ExpectContinue = true;
        var response = await _server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task A_program_over_the_length_limit_is_refused_with_a_4xx()
    {
        var program = "print \"big\" \"" + new string('x', 300 * 1024) + "\"";
        var response = await PostAsync(new { program, storage_backend = "none" });
        var code = (int)response.StatusCode;
        Assert.True(code is 400 or 413, $"{code} {await response.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task There_is_no_endpoint_that_accepts_code()
    {
        foreach (var path in new[] { "/api/v1/operations", "/api/v1/operations/register", "/api/v1/operation", "/api/v1/script" })
        {
            var response = await _server.Client.PostAsync(path, new StringContent("{\"name\":\"x.y\",\"script\":\"{ 1 }\"}", Encoding.UTF8, "application/json"));
            Assert.True((int)response.StatusCode is 404 or 405, $"POST {path} answered {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task The_server_listens_on_loopback_only_by_default()
    {
        var address = NonLoopbackAddress();
        Assert.True(address is not null, "This machine has no non-loopback IPv4 address to check the binding against.");
        using var client = new TcpClient();
        var connect = async () => await client.ConnectAsync(address!, _server.Port).WaitAsync(TimeSpan.FromSeconds(5));
        var error = await Record.ExceptionAsync(connect);
        Assert.True(error is SocketException, $"connecting to {address}:{_server.Port} should be refused, got {error?.GetType().Name ?? "a connection"}");
    }

    private async Task<HttpResponseMessage> PostAsync(object request) =>
        await _server.Client.PostAsync("/api/v1/execute-dynamic", new StringContent(JsonSerializer.Serialize(request), Encoding.UTF8, "application/json"));

    private HashSet<string> Snapshot()
    {
        var all = new HashSet<string>(StringComparer.Ordinal);
        foreach (var dir in new[] { "/tmp", _outside.Path, Path.GetDirectoryName(_server.DataRoot)! }.Distinct())
        {
            foreach (var e in Directory.EnumerateFileSystemEntries(dir))
            {
                if (Path.GetFileName(e).Contains("escape", StringComparison.OrdinalIgnoreCase)) all.Add(e);
            }
        }

        foreach (var e in Directory.EnumerateFileSystemEntries(_outside.Path, "*", SearchOption.AllDirectories)) all.Add(e);
        return all;
    }

    internal static IPAddress? NonLoopbackAddress() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
}
