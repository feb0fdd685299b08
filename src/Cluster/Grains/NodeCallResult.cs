namespace VoxScheduler.Cluster.Grains;

/// <summary>What a worker returns for one node: never the value, only where it stands.</summary>
[GenerateSerializer]
internal sealed class NodeCallResult
{
    [Id(0)] public NodeCallStatus Status { get; set; }

    /// <summary>Bytes of the stored result's byte form.</summary>
    [Id(1)] public long Size { get; set; }

    /// <summary>The store's content hash of the result (hex), as every read verifies it.</summary>
    [Id(2)] public string? Checksum { get; set; }

    [Id(3)] public long DurationTicks { get; set; }

    /// <summary>The operator's message when <see cref="Status"/> is <see cref="NodeCallStatus.Failed"/>.</summary>
    [Id(4)] public string? Error { get; set; }

    /// <summary>
    /// The kind of the failure (<see cref="Scheduling.FailureKinds"/>): None for a verdict (validation,
    /// a deliberate failure) that the coordinator never retries; Operation, Timeout or Storage for
    /// what its retry policy may retry.
    /// </summary>
    [Id(5)] public int FailureKind { get; set; }

    /// <summary>The silo that ran the node.</summary>
    [Id(6)] public string? Silo { get; set; }

    /// <summary>
    /// The stored result's byte form when it is tiny (a number, a short text: at most
    /// <see cref="Worker.NodeWorker.ReturnLimit"/> bytes, and a bounded total per call), so the
    /// coordinator can hand it inline to the node's dependents instead of every worker reading
    /// it back from the store. Large values never travel here.
    /// </summary>
    [Id(7)] public byte[]? Value { get; set; }
}
