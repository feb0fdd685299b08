namespace VoxScheduler.Cluster.Grains;

/// <summary>An input of a <see cref="NodeCall"/>: its id, and its encoded value only when it is small and not in the store.</summary>
[GenerateSerializer]
internal sealed class NodeArgument
{
    [Id(0)] public byte[] Id { get; set; } = [];

    /// <summary>The value's byte form (ValueCodec), or null: read it from the store by <see cref="Id"/>.</summary>
    [Id(1)] public byte[]? Inline { get; set; }
}
