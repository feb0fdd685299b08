namespace VoxScheduler.Cluster.Grains;

/// <summary>Ready nodes of one execution sent to one worker slot in one call (independent of each other).</summary>
[GenerateSerializer]
internal sealed class NodeBatch
{
    /// <summary>The execution's store: a namespace of the shared postgres database.</summary>
    [Id(0)] public string StoreNamespace { get; set; } = string.Empty;

    [Id(1)] public string? DagId { get; set; }

    [Id(2)] public string? ExecutionId { get; set; }

    [Id(3)] public NodeCall[] Nodes { get; set; } = [];

    /// <summary>How the execution's results are written: compression on or off (ResultWriteOptions.Compression).</summary>
    [Id(4)] public bool Compression { get; set; } = true;

    /// <summary>The execution's codec (ResultWriteOptions.CompressionCodec).</summary>
    [Id(5)] public string CompressionCodec { get; set; } = "lz4";

    /// <summary>The execution's streaming threshold (ResultWriteOptions.StreamingThreshold).</summary>
    [Id(6)] public long StreamingThreshold { get; set; } = 100L * 1024 * 1024;
}
