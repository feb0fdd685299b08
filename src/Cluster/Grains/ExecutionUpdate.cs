namespace VoxScheduler.Cluster.Grains;

/// <summary>
/// What a client following an execution gets per call (<see cref="IExecutionGrain.PollAsync"/>):
/// the progress now, the goals that finished since its goal cursor and the node events since its
/// node cursor, each a bounded batch (no values: they are read from the shared store). Once the
/// execution has ended and every goal event has been handed out, <see cref="ExecutionSnapshot.Goals"/>
/// carries the final goals.
/// </summary>
[GenerateSerializer]
internal sealed class ExecutionUpdate
{
    [Id(0)] public ExecutionSnapshot Snapshot { get; set; } = new();

    /// <summary>Goals that finished after the client's goal cursor, in the order they finished (at most a batch).</summary>
    [Id(1)] public GoalSnapshot[] Goals { get; set; } = [];

    /// <summary>The goal cursor to ask with next (goal events handed out so far).</summary>
    [Id(2)] public int GoalCursor { get; set; }

    /// <summary>Node events after the client's node cursor (at most a batch; empty unless node events were asked for).</summary>
    [Id(3)] public NodeEventWire[] Nodes { get; set; } = [];

    /// <summary>The node cursor to ask with next (the sequence of the last event handed out, or skipped; the caller's own when it did not ask for node events).</summary>
    [Id(4)] public long NodeCursor { get; set; }

    /// <summary>Node events the client will never get: they left the coordinator's bounded buffer before it asked.</summary>
    [Id(5)] public long DroppedNodes { get; set; }

    /// <summary>True when more events are waiting than this batch carried (ask again at once).</summary>
    [Id(6)] public bool More { get; set; }
}
