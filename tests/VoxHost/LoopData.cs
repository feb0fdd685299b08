using System.Text;
using VoxScheduler.Dag;

namespace VoxScheduler.VoxHost;

/// <summary>The deterministic ids and bytes written by store-loop, so a test can check what it finds.</summary>
internal static class LoopData
{
    /// <summary>The id of result <paramref name="i"/>.</summary>
    public static NodeId Id(long i) => NodeId.Hash(Encoding.UTF8.GetBytes($"store-loop:{i}"));

    /// <summary>The bytes of result <paramref name="i"/>: half pseudo-random, half compressible.</summary>
    public static byte[] Bytes(long i, int size)
    {
        var data = new byte[size];
        new Random(unchecked((int)i * 7919 + 17)).NextBytes(data.AsSpan(0, size / 2));
        for (var k = size / 2; k < size; k++) data[k] = (byte)(k % 13);
        return data;
    }
}
