namespace VoxScheduler.Cluster.Grains;

/// <summary>An execution's state as the coordinator sees it: status, counts, error, and the goals once it has finished.</summary>
[GenerateSerializer]
internal sealed class ExecutionSnapshot
{
    [Id(0)] public string ExecutionId { get; set; } = string.Empty;

    [Id(1)] public string DagId { get; set; } = string.Empty;

    [Id(2)] public int Status { get; set; }

    [Id(3)] public int Total { get; set; }

    [Id(4)] public int Pending { get; set; }

    [Id(5)] public int Ready { get; set; }

    [Id(6)] public int Running { get; set; }

    [Id(7)] public int Completed { get; set; }

    [Id(8)] public int Cached { get; set; }

    [Id(9)] public int Failed { get; set; }

    [Id(10)] public int Skipped { get; set; }

    [Id(11)] public double Percent { get; set; }

    [Id(12)] public double NodesPerSecond { get; set; }

    [Id(13)] public long ElapsedTicks { get; set; }

    /// <summary>Why the submission or the execution failed, when it did.</summary>
    [Id(14)] public string? Error { get; set; }

    /// <summary>True when the submission itself was refused (invalid program or DAG, unknown operation).</summary>
    [Id(15)] public bool Rejected { get; set; }

    [Id(16)] public GoalSnapshot[]? Goals { get; set; }

    /// <summary>The silo coordinating the execution.</summary>
    [Id(17)] public string? Coordinator { get; set; }
}
