using VoxScheduler.Dag;

namespace VoxScheduler.Storage;

/// <summary>One failed attempt (or final failure) of a node, kept in a store's history.</summary>
public sealed record NodeHistoryEntry(
    string ExecutionId,
    NodeId NodeId,
    string? Operator,
    int Attempt,
    string Status,
    string? Error,
    DateTimeOffset At);
