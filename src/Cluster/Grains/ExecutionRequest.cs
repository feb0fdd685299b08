namespace VoxScheduler.Cluster.Grains;

/// <summary>An execution as a client submits it: a program text or a DAG (its JSON form), the store namespace and the options.</summary>
[GenerateSerializer]
internal sealed class ExecutionRequest
{
    [Id(0)] public string? Program { get; set; }

    [Id(1)] public string? DagJson { get; set; }

    [Id(2)] public string StoreNamespace { get; set; } = string.Empty;

    [Id(3)] public string? Name { get; set; }

    /// <summary>Nodes in flight at most; 0: every slot of the cluster times the batch size.</summary>
    [Id(4)] public int MaxConcurrency { get; set; }

    /// <summary>-1: the engine's default.</summary>
    [Id(5)] public int MaxRetries { get; set; } = -1;

    /// <summary>0: none.</summary>
    [Id(6)] public long NodeTimeoutTicks { get; set; }

    /// <summary>Program parameters (numbers, text, booleans).</summary>
    [Id(7)] public Dictionary<string, object?>? Parameters { get; set; }

    /// <summary>Compress the execution's stored results (ResultWriteOptions.Compression).</summary>
    [Id(8)] public bool Compression { get; set; } = true;

    /// <summary>Their codec (ResultWriteOptions.CompressionCodec).</summary>
    [Id(9)] public string CompressionCodec { get; set; } = "lz4";

    /// <summary>Results at or above this size are large objects (ResultWriteOptions.StreamingThreshold).</summary>
    [Id(10)] public long StreamingThreshold { get; set; } = 100L * 1024 * 1024;

    /// <summary>A DAG in its compact form (<see cref="DagWire"/>), instead of <see cref="DagJson"/>.</summary>
    [Id(11)] public byte[]? Dag { get; set; }

    /// <summary>Where the program or DAG came from, recorded in the history as a local run records it (a program path, "program text"); null: said by the coordinator.</summary>
    [Id(12)] public string? Source { get; set; }

    /// <summary>Nodes the execution may hold, run-time expansions included (ExecutionConfig.MaxNodes); 0: the engine's default.</summary>
    [Id(13)] public int MaxNodes { get; set; }
}
