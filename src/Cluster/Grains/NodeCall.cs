namespace VoxScheduler.Cluster.Grains;

/// <summary>
/// One node as a worker slot receives it: its id, operation (operator and revision), attributes
/// and input references. Never a stored result: an input is read from the shared store by id,
/// except a small value the coordinator holds only in memory (a constant), which travels inline.
/// </summary>
[GenerateSerializer]
internal sealed class NodeCall
{
    /// <summary>The node's content id (32 bytes).</summary>
    [Id(0)] public byte[] NodeId { get; set; } = [];

    [Id(1)] public string Operator { get; set; } = string.Empty;

    [Id(2)] public int Revision { get; set; }

    /// <summary>1 for the first try.</summary>
    [Id(3)] public int Attempt { get; set; }

    [Id(4)] public Dictionary<string, object?>? Attributes { get; set; }

    [Id(5)] public NodeArgument[] Inputs { get; set; } = [];
}
