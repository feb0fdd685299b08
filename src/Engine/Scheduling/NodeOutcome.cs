using VoxScheduler.Execution;

namespace VoxScheduler.Scheduling;

/// <summary>What happened when a worker ran (or tried to run) a node; applied under the execution's lock.</summary>
internal enum OutcomeKind : byte
{
    /// <summary>A value in memory (<see cref="NodeOutcome.Value"/>, boxed, <see cref="ExecutionPlan.NullValue"/> for null).</summary>
    Value,
    /// <summary>A value written through to the store by streaming.</summary>
    Streamed,
    /// <summary>A fragment to splice (<see cref="NodeOutcome.Expansion"/>).</summary>
    Expanded,
    Failed,
    /// <summary>Stopped because the execution was cancelled.</summary>
    Cancelled,
    /// <summary>Another execution is computing the same node (<see cref="NodeOutcome.Shared"/>).</summary>
    SharedBusy,
}

/// <summary>The result of running one node, carried from the worker to the locked state update.</summary>
internal readonly record struct NodeOutcome
{
    public OutcomeKind Kind { get; init; }

    public object? Value { get; init; }

    public Exception? Error { get; init; }

    public ExecutionResult Result { get; init; }

    public PreparedExpansion? Expansion { get; init; }

    public InFlightEntry? Shared { get; init; }

    /// <summary>The in-flight entry this execution owns for the node, to be ended with the outcome.</summary>
    public InFlightEntry? Owned { get; init; }

    /// <summary>Values of arguments loaded from the store (boxed), by argument position; null when none were loaded.</summary>
    public object?[]? Loaded { get; init; }
}
