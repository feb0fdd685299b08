using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Values;

namespace VoxScheduler.Scheduling;

/// <summary>The outcome of one goal of an execution.</summary>
public sealed record GoalResult
{
    /// <summary>Label (print), path as written (save), or node name (user DAGs).</summary>
    public required string Name { get; init; }

    public required GoalKind Kind { get; init; }

    /// <summary>Position of the goal in source order.</summary>
    public int Ordinal { get; init; }

    public required NodeId NodeId { get; init; }

    /// <summary>Completed, Cached, Failed, Skipped or Cancelled once finished; Pending/Running before.</summary>
    public NodeStatus Status { get; init; }

    /// <summary>The decoded value; null for failed goals and for large objects (read those through the store as a stream).</summary>
    public object? Value { get; init; }

    public DataType DataType { get; init; }

    /// <summary>Encoded size in bytes.</summary>
    public long Size { get; init; }

    /// <summary>The error message (failed), or the failed dependency (skipped); null otherwise.</summary>
    public string? Error { get; init; }

    /// <summary>Time spent computing the goal's node itself.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Bytes allocated computing the goal's node itself (the specification's memory_usage_bytes); 0 when it was not computed in this execution.</summary>
    public long AllocatedBytes { get; init; }

    /// <summary>For save goals: the full path written.</summary>
    public string? Path { get; init; }

    /// <summary>True when the goal has finished one way or another.</summary>
    public bool IsFinished => Status is NodeStatus.Completed or NodeStatus.Cached or NodeStatus.Failed or NodeStatus.Skipped or NodeStatus.Cancelled
        or NodeStatus.Interrupted;

    /// <summary>True when the goal has a value.</summary>
    public bool Succeeded => Status is NodeStatus.Completed or NodeStatus.Cached;
}
