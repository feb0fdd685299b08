namespace VoxScheduler.Cluster.Grains;

/// <summary>
/// A node event of a cluster execution as it travels to a client (the engine's NodeFinished or
/// NodeRetrying event without its value: a result is read from the shared store).
/// </summary>
[GenerateSerializer]
internal sealed class NodeEventWire
{
    /// <summary>The event's place in its execution's node-event sequence (1, 2, …).</summary>
    [Id(0)] public long Sequence { get; set; }

    /// <summary>True: NodeRetrying; false: NodeFinished.</summary>
    [Id(1)] public bool Retrying { get; set; }

    [Id(2)] public byte[] NodeId { get; set; } = [];

    [Id(3)] public string? Operator { get; set; }

    /// <summary>The engine's NodeStatus.</summary>
    [Id(4)] public int Status { get; set; }

    /// <summary>The error, cut to <see cref="Coordinator.ExecutionEventLog.MaxErrorChars"/>.</summary>
    [Id(5)] public string? Error { get; set; }

    [Id(6)] public long DurationTicks { get; set; }

    [Id(7)] public long AllocatedBytes { get; set; }

    [Id(8)] public int Attempt { get; set; }

    [Id(9)] public long AtTicks { get; set; }
}
