using System.IO.Hashing;

namespace VoxScheduler.Storage;

/// <summary>
/// The stores' integrity hash: XXH128 (fast, non-cryptographic; the node id already is the
/// cryptographic address, the hash only has to catch damaged bytes).
/// </summary>
internal static class StoreHash
{
    public const int Length = 16;

    public static byte[] Compute(ReadOnlySpan<byte> data) => StoreHasher.Hash(data);

    public static void Compute(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (data.Length <= 240)
        {
            XxHash128.Hash(data, destination);
            return;
        }

        var hasher = new StoreHasher();
        hasher.Append(data);
        hasher.Finish(destination);
    }

    public static byte[] Finish(StoreHasher hasher) => hasher.Finish();

    public static string ToHex(byte[]? hash) => hash is null ? string.Empty : Convert.ToHexStringLower(hash);

    public static byte[]? FromHex(string? hex)
    {
        if (string.IsNullOrEmpty(hex) || hex.Length != Length * 2) return null;
        try
        {
            return Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
