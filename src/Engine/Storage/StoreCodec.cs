using System.Buffers;
using System.IO.Compression;
using K4os.Compression.LZ4;

namespace VoxScheduler.Storage;

/// <summary>Per-result (or per-chunk) compression. Data that does not shrink is stored raw.</summary>
internal static class StoreCodec
{
    public const byte Raw = 0;
    public const byte Lz4 = 1;
    public const byte Brotli = 2;

    // Below this size compression cannot win enough to pay for itself (and LZ4 clears a 16 KiB table per call).
    internal const int MinimumCompressible = 128;

    public static string? Name(byte codec) => codec switch
    {
        Raw => null,
        Lz4 => "lz4",
        Brotli => "brotli",
        _ => $"unknown({codec})",
    };

    public static byte FromName(string? name) => name switch
    {
        null or "" or "none" or "raw" => Raw,
        "lz4" => Lz4,
        "brotli" => Brotli,
        _ => throw new StorageException($"Unknown compression codec '{name}' (valid: lz4, brotli, none)."),
    };

    /// <summary>The codec a store writes with, from its options.</summary>
    public static byte FromOptions(StoreOptions options) => options.Compression ? FromName(options.CompressionCodec.ToLowerInvariant()) : Raw;

    /// <summary>
    /// The codec for one encoded value: the store's, unless the value's kind prefers another
    /// (<see cref="Values.ValueKind.PreferredCompression"/>: an image, read back without decoding,
    /// prefers none). A store without compression stays without it.
    /// </summary>
    public static byte ForValue(ReadOnlySpan<byte> encoded, byte storeCodec)
    {
        if (storeCodec == Raw || encoded.IsEmpty) return storeCodec;
        return Values.ValueKinds.FromTag(encoded[0])?.PreferredCompression is { } preferred ? FromName(preferred) : storeCodec;
    }

    /// <summary>Compresses <paramref name="source"/>; null when the codec is raw or the data does not shrink.</summary>
    public static byte[]? TryCompress(ReadOnlySpan<byte> source, byte codec)
    {
        if (codec == Raw || source.Length < MinimumCompressible)
        {
            return null;
        }

        var bound = codec == Lz4 ? LZ4Codec.MaximumOutputSize(source.Length) : BrotliEncoder.GetMaxCompressedLength(source.Length);
        var rented = ArrayPool<byte>.Shared.Rent(bound);
        try
        {
            int written;
            if (codec == Lz4)
            {
                written = LZ4Codec.Encode(source, rented.AsSpan(0, bound), LZ4Level.L00_FAST);
            }
            else if (!BrotliEncoder.TryCompress(source, rented, out written, quality: 5, window: 22))
            {
                written = -1;
            }

            // Keep a margin: a result that barely shrinks is not worth decompressing on every read.
            if (written <= 0 || written >= source.Length - (source.Length >> 5))
            {
                return null;
            }

            return rented.AsSpan(0, written).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Decodes stored bytes into exactly <paramref name="destination"/>; false when the bytes do not decode to that length.</summary>
    public static bool TryDecompress(ReadOnlySpan<byte> stored, byte codec, Span<byte> destination)
    {
        switch (codec)
        {
            case Raw:
                if (stored.Length != destination.Length) return false;
                stored.CopyTo(destination);
                return true;
            case Lz4:
                try
                {
                    return LZ4Codec.Decode(stored, destination) == destination.Length;
                }
                catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException)
                {
                    return false;
                }

            case Brotli:
                return BrotliDecoder.TryDecompress(stored, destination, out var written) && written == destination.Length;
            default:
                return false;
        }
    }
}
