using System.Globalization;
using System.Net;

namespace VoxScheduler.Cluster.Silo;

/// <summary>The silo's command line, parsed and checked (every mistake named, nothing guessed).</summary>
internal sealed record SiloCommandLine
{
    public const string Usage = """
        usage: dotnet VoxScheduler.Silo.dll --cluster-id ID [--redis HOST:PORT] [--silo-port N] [--gateway-port M]
                                           [--primary-port P] [--advertise IP] [--slots K] [--max-batch B]
                                           [--cache-mb MB] [--service-id S] [--postgres-file PATH]
          --cluster-id ID      the cluster's id (every silo and client of one cluster uses the same; a fresh one after an unclean stop)
          --redis HOST:PORT    membership in Redis (machines join by using the same Redis and cluster id);
                               without it: localhost clustering on this machine
          --silo-port N        silo-to-silo port (default 11111)
          --gateway-port M     client gateway port (default 30000)
          --primary-port P     localhost clustering: the silo port of the first silo, which the others join (default: this
                               silo's own port, i.e. this silo is the primary)
          --advertise IP       the address other machines reach this silo at (Redis clustering; default: this host's address)
          --slots K            worker slots (nodes run at once; default: the processor count)
          --max-batch B        nodes one call carries at most (default 64)
          --cache-mb MB        input cache of this silo in MiB (default 256)
          --service-id S       the service id (default voxscheduler)
          --postgres-file PATH a file holding the PostgreSQL connection string; otherwise the environment variable
                               VOXSCHEDULER_POSTGRES (never on the command line, where ps shows it)
        Prints "VoxScheduler silo ready <address>" once it accepts work; stops gracefully on SIGTERM or Ctrl+C.
        """;

    public required string ClusterId { get; init; }

    public string ServiceId { get; init; } = "voxscheduler";

    public string? Redis { get; init; }

    public int SiloPort { get; init; } = 11111;

    public int GatewayPort { get; init; } = 30000;

    public int? PrimaryPort { get; init; }

    public IPAddress? Advertise { get; init; }

    public int Slots { get; init; } = Environment.ProcessorCount;

    public int MaxBatch { get; init; } = 64;

    public long CacheMegabytes { get; init; } = 256;

    public string? PostgresFile { get; init; }

    /// <summary>Parses <paramref name="args"/>; the error names the bad option.</summary>
    public static SiloCommandLine Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        string[] known = ["--cluster-id", "--redis", "--silo-port", "--gateway-port", "--primary-port", "--advertise", "--slots", "--max-batch",
            "--cache-mb", "--service-id", "--postgres-file"];
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (!known.Contains(name)) throw new ArgumentException($"Unknown option '{name}'.");
            if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"Option {name} needs a value.");
            if (!values.TryAdd(name, args[++i])) throw new ArgumentException($"Option {name} is given twice.");
        }

        if (!values.TryGetValue("--cluster-id", out var clusterId) || string.IsNullOrWhiteSpace(clusterId)) throw new ArgumentException("--cluster-id is required.");
        IPAddress? advertise = null;
        if (values.TryGetValue("--advertise", out var ip) && !IPAddress.TryParse(ip, out advertise))
        {
            throw new ArgumentException($"--advertise '{ip}' is not an IP address.");
        }

        return new SiloCommandLine
        {
            ClusterId = clusterId,
            ServiceId = values.GetValueOrDefault("--service-id", "voxscheduler"),
            Redis = values.GetValueOrDefault("--redis"),
            SiloPort = Number(values, "--silo-port", 11111, 1, 65535),
            GatewayPort = Number(values, "--gateway-port", 30000, 1, 65535),
            PrimaryPort = values.ContainsKey("--primary-port") ? Number(values, "--primary-port", 0, 1, 65535) : null,
            Advertise = advertise,
            Slots = Number(values, "--slots", Environment.ProcessorCount, 1, 4096),
            MaxBatch = Number(values, "--max-batch", 64, 1, 4096),
            CacheMegabytes = Number(values, "--cache-mb", 256, 0, 1024 * 1024),
            PostgresFile = values.GetValueOrDefault("--postgres-file"),
        };
    }

    private static int Number(Dictionary<string, string> values, string name, int fallback, int min, int max)
    {
        if (!values.TryGetValue(name, out var text)) return fallback;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
        {
            throw new ArgumentException($"{name} '{text}' is not a whole number from {min} to {max}.");
        }

        return n;
    }

    /// <summary>The connection string: from <see cref="PostgresFile"/>, else the environment variable.</summary>
    public string ConnectionString()
    {
        if (PostgresFile is { } file)
        {
            string text;
            try
            {
                text = File.ReadAllText(file).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ArgumentException($"--postgres-file '{file}' cannot be read: {e.Message}");
            }

            return text.Length > 0 ? text : throw new ArgumentException($"--postgres-file '{file}' is empty.");
        }

        var variable = Environment.GetEnvironmentVariable(Postgres.PostgresResultStore.ConnectionVariable);
        return string.IsNullOrWhiteSpace(variable)
            ? throw new ArgumentException($"No PostgreSQL connection string: set {Postgres.PostgresResultStore.ConnectionVariable} or pass --postgres-file PATH.")
            : variable;
    }
}
