namespace VoxScheduler.Operations;

/// <summary>What an operation's result depends on, which decides whether stored results may be reused.</summary>
public enum Purity
{
    /// <summary>A function of its arguments and attributes only: results are reused by content id.</summary>
    Pure,

    /// <summary>Reads files; a constant path's content hash is part of the node id (docs/language.md §5).</summary>
    ReadsFiles,

    /// <summary>Clock, randomness, the outside world: recomputed in every execution, never served from the store.</summary>
    NonDeterministic,
}
