using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace VoxScheduler.Dag;

/// <summary>
/// The content address of a node: the SHA-256 of its canonical JSON (docs/language.md §5).
/// A 32-byte value type, so it can key dictionaries and arrays without allocating strings.
/// </summary>
public readonly struct NodeId : IEquatable<NodeId>, IComparable<NodeId>, ISpanFormattable
{
    /// <summary>Length of the id in bytes.</summary>
    public const int ByteLength = 32;

    /// <summary>Length of the id as lower-case hex text.</summary>
    public const int HexLength = 64;

    // Big-endian words of the digest, so comparing words in order compares the bytes in order.
    private readonly ulong _w0, _w1, _w2, _w3;

    private NodeId(ulong w0, ulong w1, ulong w2, ulong w3) => (_w0, _w1, _w2, _w3) = (w0, w1, w2, w3);

    /// <summary>The all-zero id; never the id of a real node.</summary>
    public static NodeId Empty => default;

    /// <summary>True for <see cref="Empty"/>.</summary>
    public bool IsEmpty => (_w0 | _w1 | _w2 | _w3) == 0;

    /// <summary>Wraps a 32-byte digest.</summary>
    public static NodeId FromBytes(ReadOnlySpan<byte> digest)
    {
        if (digest.Length != ByteLength)
        {
            throw new ArgumentException($"A node id is {ByteLength} bytes, not {digest.Length}.", nameof(digest));
        }

        return new NodeId(
            BinaryPrimitives.ReadUInt64BigEndian(digest),
            BinaryPrimitives.ReadUInt64BigEndian(digest[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(digest[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(digest[24..]));
    }

    /// <summary>Hashes canonical bytes into an id.</summary>
    public static NodeId Hash(ReadOnlySpan<byte> canonicalUtf8)
    {
        Span<byte> digest = stackalloc byte[ByteLength];
        NodeIdHasher.Hash(canonicalUtf8, digest);
        return FromBytes(digest);
    }

    /// <summary>
    /// The first 8 digest bytes as a big-endian signed integer: the sqlite store's compact index
    /// key (distinct ids share it with probability about n²/2⁶⁵; the store handles that case).
    /// </summary>
    internal long StoreKey => unchecked((long)_w0);

    /// <summary>Writes the 32 digest bytes.</summary>
    public void CopyTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _w0);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _w1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _w2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _w3);
    }

    /// <summary>The 32 digest bytes as a new array.</summary>
    public byte[] ToByteArray()
    {
        var bytes = new byte[ByteLength];
        CopyTo(bytes);
        return bytes;
    }

    /// <summary>Parses 64 hex digits (either case).</summary>
    public static NodeId Parse(string text) =>
        TryParse(text, out var id) ? id : throw new FormatException($"'{text}' is not a node id (64 hex digits).");

    /// <summary>Parses 64 hex digits (either case).</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out NodeId id) => TryParse(text.AsSpan(), out id);

    /// <summary>Parses 64 hex digits (either case).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out NodeId id)
    {
        id = default;
        if (text.Length != HexLength)
        {
            return false;
        }

        Span<byte> digest = stackalloc byte[ByteLength];
        if (Convert.FromHexString(text, digest, out _, out var written) != System.Buffers.OperationStatus.Done || written != ByteLength)
        {
            return false;
        }

        id = FromBytes(digest);
        return true;
    }

    /// <summary>Lower-case hex, 64 characters.</summary>
    public override string ToString() => string.Create(HexLength, this, static (span, id) => id.TryFormat(span, out _, default, null));

    /// <summary>The first <paramref name="length"/> hex digits, for display.</summary>
    public string ToShortString(int length = 12) => ToString()[..Math.Clamp(length, 1, HexLength)];

    /// <inheritdoc />
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <inheritdoc />
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        if (destination.Length < HexLength)
        {
            charsWritten = 0;
            return false;
        }

        Span<byte> digest = stackalloc byte[ByteLength];
        CopyTo(digest);
        Convert.TryToHexStringLower(digest, destination, out charsWritten);
        return true;
    }

    /// <inheritdoc />
    public bool Equals(NodeId other) => _w0 == other._w0 && _w1 == other._w1 && _w2 == other._w2 && _w3 == other._w3;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is NodeId other && Equals(other);

    // The digest is uniformly distributed, so any 32 bits of it are a good hash.
    /// <inheritdoc />
    public override int GetHashCode() => (int)_w3;

    /// <inheritdoc />
    public int CompareTo(NodeId other)
    {
        var c = _w0.CompareTo(other._w0);
        if (c != 0) return c;
        c = _w1.CompareTo(other._w1);
        if (c != 0) return c;
        c = _w2.CompareTo(other._w2);
        return c != 0 ? c : _w3.CompareTo(other._w3);
    }

    /// <summary>
    /// The id as its lower-case hex text. Implicit because the text is the id's lossless public
    /// form and because the exception hierarchy (which depends on no layer) names nodes by it.
    /// </summary>
    public static implicit operator string(NodeId id) => id.ToString();

    public static bool operator ==(NodeId left, NodeId right) => left.Equals(right);

    public static bool operator !=(NodeId left, NodeId right) => !left.Equals(right);
}
