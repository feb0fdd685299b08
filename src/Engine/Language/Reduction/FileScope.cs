namespace VoxScheduler.Language.Reduction;

/// <summary>
/// The top-level bindings of one program file. A declaration adds a new version of a name
/// stamped with a global serial; a function declared at serial s sees only versions stamped
/// before s (static scoping, shadowing for later commands only), in O(log versions).
/// </summary>
internal sealed class FileScope(string displayName, string? path)
{
    private readonly Dictionary<string, List<(int Serial, RValue Value)>> _bindings = new(StringComparer.Ordinal);

    /// <summary>The name used in diagnostics (the path as given, or <c>&lt;program&gt;</c>).</summary>
    public string DisplayName { get; } = displayName;

    /// <summary>Full path of the file, or null for program text.</summary>
    public string? Path { get; } = path;

    /// <summary>Imported namespaces with the serial of their import, in import order.</summary>
    public List<(string Namespace, int Serial)> Namespaces { get; } = [];

    /// <summary>Program variables ($file, $stem, $dir, $cwd).</summary>
    public Dictionary<string, string> ProgramVariables { get; } = new(StringComparer.Ordinal);

    public void Bind(string name, RValue value, int serial)
    {
        if (!_bindings.TryGetValue(name, out var versions))
        {
            versions = new List<(int, RValue)>(1);
            _bindings.Add(name, versions);
        }

        versions.Add((serial, value));
    }

    /// <summary>The latest version of <paramref name="name"/> bound before <paramref name="serial"/>.</summary>
    public bool TryLookup(string name, int serial, out RValue value)
    {
        value = default;
        if (!_bindings.TryGetValue(name, out var versions))
        {
            return false;
        }

        // Versions are appended in increasing serial order.
        var last = versions[^1];
        if (last.Serial < serial)
        {
            value = last.Value;
            return true;
        }

        int lo = 0, hi = versions.Count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (versions[mid].Serial < serial)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        if (found < 0)
        {
            return false;
        }

        value = versions[found].Value;
        return true;
    }

    /// <summary>The current (latest) bindings: what an importer of this file sees.</summary>
    public IEnumerable<KeyValuePair<string, RValue>> Exports() =>
        _bindings.Select(kv => new KeyValuePair<string, RValue>(kv.Key, kv.Value[^1].Value));
}
