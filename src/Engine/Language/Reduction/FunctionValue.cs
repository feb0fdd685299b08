using VoxScheduler.Language.Syntax;

namespace VoxScheduler.Language.Reduction;

/// <summary>
/// A user function: its declaration and the scope it was declared in (static scoping: it sees
/// the declarations before it, never itself). Applications are memoized by argument node
/// indices, which within one builder are in one-to-one correspondence with content ids.
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

    public ArgumentKey(int[] args)
    {
        _args = args;
        var h = new HashCode();
        foreach (var a in args) h.Add(a);
        _hash = h.ToHashCode();
    }

    public bool Equals(ArgumentKey other) => _hash == other._hash && _args.AsSpan().SequenceEqual(other._args);

    public override bool Equals(object? obj) => obj is ArgumentKey k && Equals(k);

    public override int GetHashCode() => _hash;
}
