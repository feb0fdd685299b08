namespace VoxScheduler.Storage;

/// <summary>What to trim from a store: results older than an age, and/or least recently used results until the store fits a size.</summary>
/// <param name="OlderThan">Remove results not accessed for longer than this.</param>
/// <param name="MaxTotalBytes">Remove least recently used results until the stored bytes are at most this.</param>
/// <param name="Keep">
/// Results that must stay whatever their age or rank (a running execution still needs them); the
/// size bound then removes the next least recently used ones instead. Null: none.
/// </param>
public sealed record EvictionPolicy(TimeSpan? OlderThan = null, long? MaxTotalBytes = null, Func<Dag.NodeId, bool>? Keep = null);
