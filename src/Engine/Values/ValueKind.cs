using System.Buffers;

namespace VoxScheduler.Values;

/// <summary>
/// One kind of runtime value: its tag (the first byte of its stored form), its byte form, its
/// size for the value cache, a one-line summary for people, and the files it can be read from
/// and written to. The built-in kinds (numbers, text, bytes, sequences, records, …) and kinds
/// of higher layers (images) are registered alike in <see cref="ValueKinds"/>, so the codec,
/// the cache and <c>load</c>/<c>save</c> never name a kind that lives above them.
/// </summary>
public abstract class ValueKind
{
    /// <summary>Creates a kind.</summary>
    /// <param name="tag">The first byte of every stored value of this kind; unique among registered kinds.</param>
    /// <param name="name">The kind's name as users read it in messages (<c>number</c>, <c>image</c>).</param>
    protected ValueKind(byte tag, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Tag = tag;
        Name = name;
    }

    /// <summary>The first byte of every stored value of this kind.</summary>
    public byte Tag { get; }

    /// <summary>The kind's name in messages (<c>number</c>, <c>sequence</c>, <c>image</c>).</summary>
    public string Name { get; }

    /// <summary>
    /// The store compression this kind prefers: null for the store's own choice, <c>none</c> for
    /// data that is read back without decoding (compressing it would cost a copy on every read).
    /// A store whose reads copy every value anyway (a database, over a connection) may compress it all the same.
    /// </summary>
    public virtual string? PreferredCompression => null;

    /// <summary>Files this kind reads (<c>load</c>), by extension.</summary>
    public virtual IReadOnlyList<ValueFileReader> FileReaders => [];

    /// <summary>Files this kind writes (<c>save</c>), by extension.</summary>
    public virtual IReadOnlyList<ValueFileWriter> FileWriters => [];

    /// <summary>True when <paramref name="value"/> (never null) is of this kind.</summary>
    public abstract bool Accepts(object value);

    /// <summary>Writes the payload of a value (everything after the tag byte).</summary>
    /// <param name="output">Where the payload goes.</param>
    /// <param name="value">A value this kind accepts (null only for the null kind).</param>
    /// <param name="depth">Nesting depth of the value, for kinds that contain other values.</param>
    public abstract void WritePayload(IBufferWriter<byte> output, object? value, int depth);

    /// <summary>
    /// Writes the payload to a stream. The default goes through a buffer; kinds with a large
    /// payload override it to write straight from the value's memory, without a copy.
    /// </summary>
    public virtual void WritePayload(Stream output, object? value)
    {
        ArgumentNullException.ThrowIfNull(output);
        var buffer = new ArrayBufferWriter<byte>(64);
        WritePayload(buffer, value, 0);
        output.Write(buffer.WrittenSpan);
    }

    /// <summary>Reads a payload (exactly the bytes after the tag); keeps nothing of <paramref name="payload"/>.</summary>
    /// <exception cref="FormatException">The bytes are not a valid payload of this kind.</exception>
    public abstract object? ReadPayload(ReadOnlySpan<byte> payload, int depth);

    /// <summary>
    /// Reads a payload from memory the caller hands over: a kind may keep the memory (a large
    /// payload is then read without any copy). The default reads the span.
    /// </summary>
    public virtual object? ReadPayload(ReadOnlyMemory<byte> payload, int depth) => ReadPayload(payload.Span, depth);

    /// <summary>
    /// Reads a payload of <paramref name="length"/> bytes from a stream. The default reads it
    /// into one array and hands it to <see cref="ReadPayload(ReadOnlyMemory{byte}, int)"/>.
    /// </summary>
    /// <exception cref="FormatException">The stream ends early or the bytes are not a valid payload.</exception>
    public virtual object? ReadPayload(Stream input, long length)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (length < 0 || length > Array.MaxLength) throw new FormatException($"A {Name} payload of {length} bytes cannot be read into memory.");
        var bytes = new byte[length];
        try
        {
            input.ReadExactly(bytes);
        }
        catch (EndOfStreamException e)
        {
            throw new FormatException($"The stored {Name} ends before its {length} bytes.", e);
        }

        return ReadPayload(bytes.AsMemory(), 0);
    }

    /// <summary>Bytes a value of this kind holds in memory (what the value cache counts).</summary>
    public abstract long SizeInBytes(object? value);

    /// <summary>A one-line description of a value for people (no payload dump).</summary>
    public abstract string Summary(object? value);

    /// <summary>
    /// The encoded value (tag and payload) in the value's own memory, when the value keeps room for
    /// them in front of its payload (an image made by a kernel or read from a store): a store write
    /// then takes the value's memory as it is, with no copy and no garbage. False by default.
    /// </summary>
    internal virtual bool TryGetEncoded(object? value, out ReadOnlyMemory<byte> encoded)
    {
        encoded = default;
        return false;
    }

    /// <summary>Bytes of a value's payload when the kind knows them without encoding it (an image's header and voxels); null otherwise.</summary>
    internal virtual long? PayloadLength(object? value) => null;

    /// <summary>The specification's data category of a value of this kind.</summary>
    public virtual DataType Classify(object? value, long streamingThreshold) => DataType.Primitive;
}
