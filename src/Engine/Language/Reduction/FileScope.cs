using System.Runtime.CompilerServices;
namespace VoxScheduler.Language.Reduction;

/// <summary>
/// The top-level bindings of one program file. A declaration adds a new version of a name
/// stamped with a global serial; a function declared at serial s sees only versions stamped
/// before s (static scoping, shadowing for later commands only).
/// </summary>
internal sealed class FileScope(string displayName, string? path)
{
    private readonly Dictionary<string, Version> _bindings = new(StringComparer.Ordinal);

    /// <summary>The name used in diagnostics (the path as given, or <c>&lt;program&gt;</c>).</summary>
    public string DisplayName { get; } = displayName;

    /// <summary>Full path of the file, or null for program text.</summary>
    public string? Path { get; } = path;

    /// <summary>Imported namespaces with the serial of their import, in import order.</summary>
    public List<(string Namespace, int Serial)> Namespaces { get; } = [];

    /// <summary>The base image of the file's top level (IMAGES.md §3): its first load, or null.</summary>
    public BaseScope? TopBase { get; set; }

    /// <summary>Program variables ($file, $stem, $dir, $cwd).</summary>
    public Dictionary<string, string> ProgramVariables { get; } = new(StringComparer.Ordinal);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per program: no time to tier up
    public void Bind(string name, RValue value, int serial)
    {
        ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_bindings, name, out _);
        slot = new Version(serial, value, slot);
    }

    /// <summary>The latest version of <paramref name="name"/> bound before <paramref name="serial"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per program: no time to tier up
    public bool TryLookup(string name, int serial, out RValue value)
    {
        // Versions are linked newest first; a name is rarely redeclared, so the walk is short.
        if (_bindings.TryGetValue(name, out var version))
        {
            for (var v = version; v is not null; v = v.Previous)
            {
                if (v.Serial < serial)
                {
                    value = v.Value;
                    return true;
                }
            }
        }

        value = default;
        return false;
    }

    /// <summary>The current (latest) bindings: what an importer of this file sees.</summary>
    public IEnumerable<KeyValuePair<string, RValue>> Exports() =>
        _bindings.Select(kv => new KeyValuePair<string, RValue>(kv.Key, kv.Value.Value));

    private sealed class Version(int serial, RValue value, Version? previous)
    {
        public int Serial { get; } = serial;

        public RValue Value { get; } = value;

        public Version? Previous { get; } = previous;
    }
}
