namespace VoxScheduler.VoxHost;

/// <summary>Parses <c>--name value</c> pairs.</summary>
internal sealed class HostArguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public HostArguments(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unexpected argument '{args[i]}'");
            _values[args[i][2..]] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "true";
        }
    }

    public string Get(string name, string? fallback = null) =>
        _values.TryGetValue(name, out var value) ? value : fallback ?? throw new ArgumentException($"--{name} is required");

    public long GetInt64(string name, long fallback) => _values.TryGetValue(name, out var value) ? long.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : fallback;
}
