using System.Text;
using VoxScheduler.Dag;
using VoxScheduler.Storage;
using VoxScheduler.Values;

namespace VoxScheduler.Tests.Storage;

/// <summary>Ids, bytes and metadata for store tests.</summary>
internal static class StoreTestData
{
    public static NodeId Id(string name) => NodeId.Hash(Encoding.UTF8.GetBytes(name));

    /// <summary>
    /// Distinct ids that share their first 8 bytes (the sqlite store's index key): what two
    /// SHA-256 ids do with probability about 2⁻⁶⁴, made here on purpose.
    /// </summary>
    public static NodeId SharingPrefix(string name, int index)
    {
        var bytes = new byte[NodeId.ByteLength];
        Id(name).CopyTo(bytes);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(24), index);
        return NodeId.FromBytes(bytes);
    }

    public static byte[] Random(int size, int seed)
    {
        var data = new byte[size];
        new Random(seed).NextBytes(data);
        return data;
    }

    public static byte[] Compressible(int size, int seed)
    {
        var data = new byte[size];
        for (var i = 0; i < size; i++) data[i] = (byte)("VoxLogicA "[(i + seed) % 10]);
        return data;
    }

    public static StorageMetadata Meta(NodeId id, DataType type = DataType.Binary, string? dag = null, string? execution = null, IReadOnlyDictionary<string, object?>? user = null) => new()
    {
        NodeId = id,
        DataType = type,
        DagId = dag,
        ExecutionId = execution,
        Operator = "test.op",
        Metadata = user,
    };

    public static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
