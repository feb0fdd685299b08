using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using VoxScheduler.Tests.Fuzz;
using VoxScheduler.Tests.Infrastructure;
using Xunit.Abstractions;

namespace VoxScheduler.Tests.Rest;

/// <summary>
/// Random and mutated request bodies POSTed to /api/v1/execute-dynamic on a real loopback
/// server: every answer is 2xx or 4xx (never 5xx, never a stack trace), within a per-request
/// deadline, and the server is still healthy at the end.
/// </summary>
public sealed class RestFuzzTests(RestServerFixture fixture, ITestOutputHelper output) : IClassFixture<RestServerFixture>
{
    private readonly ServerProcess _server = fixture.Server;

    private static readonly string[] Fields =
        ["program", "storage_backend", "storage_path", "max_concurrent_nodes", "async_execution", "max_retries", "retry_failed_nodes",
         "cache_size", "compression", "streaming_threshold", "node_timeout_seconds", "name", "unknown_field"];

    private static readonly string[] Programs =
        ["print \"x\" 1 + 2", "import \"strings\"\nprint \"s\" strings.upper(\"a\")", "print \"d\" 1 / 0", "let f(x) = x * 2\nprint \"f\" f(21)",
         "print \"bad\" (", "print \"u\" nosuch", "import \"test\"\nprint \"t\" test.fail(\"no\")", ""];

    [Fact]
    public async Task Random_and_mutated_requests_never_get_a_server_error()
    {
        var cases = 250 * ReliabilityCounters.Scale;
        var corpus = RepoPaths.RealPrograms().Select(File.ReadAllText).Concat(Programs).ToArray();
        // Seeded so a failure can be replayed: the seed is in the test output and in every failure message.
        var seed = Environment.GetEnvironmentVariable("VOXSCHEDULER_FUZZ_SEED") is { } fixedSeed ? int.Parse(fixedSeed, System.Globalization.CultureInfo.InvariantCulture) : Random.Shared.Next();
        output.WriteLine($"seed {seed} (replay with VOXSCHEDULER_FUZZ_SEED={seed})");
        _seed = seed;
        var random = new Random(seed);
        var statusCounts = new Dictionary<int, int>();
        for (var i = 0; i < cases; i++)
        {
            var (body, contentType) = (i % 5) switch
            {
                4 => (ValidRequest(random, corpus), "application/json"),
                0 => (StructuredRequest(random, corpus), "application/json"),
                1 => (MutateText(random, StructuredRequest(random, corpus)), "application/json"),
                2 => ((RandomJson(random, 0)?.ToJsonString() ?? "null"), random.Next(3) == 0 ? "text/plain" : "application/json"),
                _ => (Encoding.Latin1.GetString(RandomBytes(random)), "application/json"),
            };
            var code = await PostAsync(body, contentType);
            statusCounts[code] = statusCounts.GetValueOrDefault(code) + 1;
        }

        var health = await _server.Client.GetAsync("/health");
        Assert.True(health.IsSuccessStatusCode, "the server is unhealthy after the fuzzing");
        Assert.DoesNotContain("Unhandled exception", _server.Process.Error, StringComparison.Ordinal);
        ReliabilityCounters.Add("fuzz.rest", cases);
        output.WriteLine($"{cases} requests: " + string.Join(", ", statusCounts.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}×{kv.Value}")));
    }

    [Fact]
    public async Task CsCheck_generated_requests_never_get_a_server_error()
    {
        var cases = 150L * ReliabilityCounters.Scale;
        var gen =
            from fields in Gen.Int[0, Fields.Length - 1].Array[0, 6]
            from values in Gen.OneOf(
                Gen.String.Select(s => (JsonNode?)JsonValue.Create(s)),
                Gen.Double.Select(d => double.IsFinite(d) ? (JsonNode?)JsonValue.Create(d) : JsonValue.Create("nan")),
                Gen.Long.Select(l => (JsonNode?)JsonValue.Create(l)),
                Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
                Gen.Const((JsonNode?)null),
                Gen.Int[0, Programs.Length - 1].Select(p => (JsonNode?)JsonValue.Create(Programs[p]))).Array[6]
            select Build(fields, values);
        await Task.Run(() => gen.Sample(body =>
        {
            var code = PostAsync(body, "application/json").GetAwaiter().GetResult();
            Assert.True(code is >= 200 and < 500, $"{code} for {body}");
        }, iter: cases, threads: 1));
        ReliabilityCounters.Add("fuzz.rest", cases);
    }

    private static string Build(int[] fields, JsonNode?[] values)
    {
        var o = new JsonObject();
        for (var i = 0; i < fields.Length; i++) o[Fields[fields[i]]] = values[i]?.DeepClone();
        if (!o.ContainsKey("program")) o["program"] = "print \"x\" 1";
        if (o["async_execution"] is null) o["async_execution"] = true;
        return o.ToJsonString();
    }

    private int? _seed;

    private string SeedNote => _seed is { } seed ? $"\n(seed {seed}: replay with VOXSCHEDULER_FUZZ_SEED={seed})" : "";

    private async Task<int> PostAsync(string body, string contentType)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        HttpResponseMessage response;
        try
        {
            response = await _server.Client.PostAsync("/api/v1/execute-dynamic", new StringContent(body, Encoding.UTF8, contentType), cts.Token);
        }
        catch (TaskCanceledException)
        {
            Assert.Fail($"Hang: no answer within 30 s for {Shorten(body)}{SeedNote}");
            throw;
        }

        var code = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(code is >= 200 and < 500, $"{code} for {Shorten(body)}:\n{Shorten(text)}{SeedNote}");
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal); // no stack trace
        return code;
    }

    private static string StructuredRequest(Random random, string[] corpus)
    {
        var o = new JsonObject();
        var program = corpus[random.Next(corpus.Length)];
        if (random.Next(2) == 0)
        {
            program = ProgramMutator.Mutate(program, corpus[random.Next(corpus.Length)], random.Next(9), random.Next(), random.Next(), random.Next());
        }

        o["program"] = program;
        foreach (var field in Fields.Skip(1))
        {
            if (random.Next(3) != 0) continue;
            o[field] = field switch
            {
                "storage_backend" => Pick(random, "sqlite", "filesystem", "hybrid", "none", "SQLITE", "mongodb", "", "../sqlite"),
                "storage_path" => Pick(random, "a", "b/c", "../x", "/etc", "", " ", "s\u0000", new string('p', 5000), "store"),
                "max_concurrent_nodes" => Pick(random, 1, 0, -1, 4, 65, int.MaxValue, int.MinValue),
                "max_retries" => Pick(random, 0, 3, -5, 101, 1_000_000),
                "cache_size" => Pick(random, "512MB", "0", "-1", "lots", "1e400GB", "99999999999TB"),
                "streaming_threshold" => Pick(random, 1, 0, -1, long.MaxValue),
                "node_timeout_seconds" => Pick(random, 0.001, 0, -1, 1e308, 5),
                _ => RandomJson(random, 2),
            };
        }

        o["async_execution"] = random.Next(4) != 0;
        return o.ToJsonString();
    }

    // A well-formed request with sensible settings: the programs themselves are the variation.
    private static string ValidRequest(Random random, string[] corpus)
    {
        var program = corpus[random.Next(corpus.Length)];
        if (random.Next(3) == 0)
        {
            program = ProgramMutator.Mutate(program, corpus[random.Next(corpus.Length)], random.Next(9), random.Next(), random.Next(), random.Next());
        }

        var o = new JsonObject
        {
            ["program"] = program,
            ["storage_backend"] = new[] { "sqlite", "filesystem", "hybrid", "none" }[random.Next(4)],
            ["storage_path"] = $"fuzz-{random.Next(3)}",
            ["max_concurrent_nodes"] = random.Next(1, 8),
            ["async_execution"] = random.Next(2) == 0,
        };
        return o.ToJsonString();
    }

    private static JsonNode? Pick<T>(Random random, params T[] options) => JsonValue.Create(options[random.Next(options.Length)]);

    private static JsonNode? RandomJson(Random random, int depth) => (depth > 3 ? random.Next(5) : random.Next(8)) switch
    {
        0 => null,
        1 => JsonValue.Create(random.Next(2) == 0),
        2 => JsonValue.Create(random.NextDouble() * Math.Pow(10, random.Next(-300, 300))),
        3 => JsonValue.Create(random.NextInt64(long.MinValue, long.MaxValue)),
        4 => JsonValue.Create(new string((char)random.Next(32, 0xD7FF), random.Next(0, 30))),
        5 => new JsonArray(Enumerable.Range(0, random.Next(4)).Select(_ => RandomJson(random, depth + 1)).ToArray()),
        _ => new JsonObject(Enumerable.Range(0, random.Next(4)).Select(i => KeyValuePair.Create(Fields[random.Next(Fields.Length)] + (i == 0 ? "" : i.ToString()), RandomJson(random, depth + 1)))),
    };

    private const string MutationChars = "{}[]\",:\\0-e.ntf";

    private static string MutateText(Random random, string json)
    {
        var chars = json.ToCharArray().ToList();
        for (var i = 0; i < 1 + random.Next(4); i++)
        {
            if (chars.Count == 0) break;
            var at = random.Next(chars.Count);
            switch (random.Next(3))
            {
                case 0: chars[at] = MutationChars[random.Next(MutationChars.Length)]; break;
                case 1: chars.RemoveAt(at); break;
                default: chars.RemoveRange(at, chars.Count - at); break;
            }
        }

        return new string(chars.ToArray());
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 300)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string Shorten(string text) => text.Length > 600 ? text[..600] + "…" : text;
}
