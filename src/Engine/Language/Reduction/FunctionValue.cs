using VoxScheduler.Language.Syntax;

namespace VoxScheduler.Language.Reduction;

/// <summary>
/// A user function: its declaration and the scope it was declared in (static scoping: it sees
/// the declarations before it, never itself). Applications are memoized by argument node
/// indices (and the inherited base image scope), which within one builder are in one-to-one correspondence with content ids.
/// </summary>
internal sealed class FunctionValue(Declaration declaration, FileScope scope, int serial)
{
    public Declaration Declaration { get; } = declaration;

    public FileScope Scope { get; } = scope;

    public int Serial { get; } = serial;

    public string Name => Declaration.Name;

    public int Arity => Declaration.Parameters!.Count;

    /// <summary>Set when the body failed its check: calls yield poison without repeating the error.</summary>
    public bool Invalid { get; set; }

    public Dictionary<ArgumentKey, RValue> Memo { get; } = [];
}

/// <summary>The argument node indices of one application, as a dictionary key.</summary>
internal readonly struct ArgumentKey : IEquatable<ArgumentKey>
{
    private readonly int[] _args;
    private readonly int _hash;

    private readonly int _baseScope;

    /// <param name="args">The argument nodes.</param>
    /// <param name="baseScope">The base scope the body inherits (IMAGES.md §3), 0 when none or when the body has its own.</param>
    public ArgumentKey(int[] args, int baseScope = 0)
    {
        _args = args;
        _baseScope = baseScope;
        var h = new HashCode();
        foreach (var a in args) h.Add(a);
        h.Add(baseScope);
        _hash = h.ToHashCode();
    }

    public bool Equals(ArgumentKey other) => _hash == other._hash && _baseScope == other._baseScope && _args.AsSpan().SequenceEqual(other._args);

    public override bool Equals(object? obj) => obj is ArgumentKey k && Equals(k);

    public override int GetHashCode() => _hash;
}
