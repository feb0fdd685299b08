namespace VoxScheduler.Scheduling;

/// <summary>Per-node facts fixed when the node enters the plan.</summary>
[Flags]
internal enum NodeFlags : byte
{
    None = 0,
    /// <summary>At least one goal reports this node.</summary>
    Goal = 1,
    /// <summary>Non-deterministic, or downstream of a non-deterministic node: never served from or written to the store.</summary>
    Volatile = 2,
    /// <summary>An expanded node now waiting for its fragment's root: when ready it takes the root's value instead of running.</summary>
    Forward = 4,
    /// <summary>The node's value must be loaded from the store whenever it is not in memory.</summary>
    InStore = 8,
    /// <summary>The current run of the node uses the in-flight table (decided under the lock when it was taken).</summary>
    Tabled = 16,
}
