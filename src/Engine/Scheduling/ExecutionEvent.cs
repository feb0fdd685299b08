using VoxScheduler.Dag;
using VoxScheduler.Execution;

namespace VoxScheduler.Scheduling;

/// <summary>Something that happened in an execution, streamed to front ends.</summary>
public sealed record ExecutionEvent
{
    public required ExecutionEventKind Kind { get; init; }

    public required string ExecutionId { get; init; }

    /// <summary>The node concerned (node events), else <see cref="NodeId.Empty"/>.</summary>
    public NodeId NodeId { get; init; }

    /// <summary>The node's operator, for node events.</summary>
    public string? Operator { get; init; }

    public NodeStatus NodeStatus { get; init; }

    public string? Error { get; init; }

    public TimeSpan Duration { get; init; }

    /// <summary>For a node computed in the execution: bytes its computation allocated (the specification's memory_usage_bytes); 0 otherwise.</summary>
    public long AllocatedBytes { get; init; }

    /// <summary>For retries: the attempt that failed.</summary>
    public int Attempt { get; init; }

    /// <summary>For goal events.</summary>
    public GoalResult? Goal { get; init; }

    /// <summary>For progress and finish events.</summary>
    public ExecutionProgress? Progress { get; init; }

    public DateTimeOffset At { get; init; } = DateTimeOffset.UtcNow;
}
