namespace VoxScheduler.Values.Kinds;

/// <summary>The length check of fixed-size payloads, with the codec's historical messages.</summary>
internal static class FixedPayload
{
    public static ReadOnlySpan<byte> Check(ReadOnlySpan<byte> payload, int length)
    {
        if (payload.Length < length) throw new FormatException("Truncated encoded value.");
        if (payload.Length > length) throw new FormatException($"{payload.Length - length} unexpected bytes after the encoded value.");
        return payload;
    }
}
