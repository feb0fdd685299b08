namespace VoxScheduler.Storage;

/// <summary>One stored chunk of a large result: its raw length, codec and stored bytes.</summary>
internal readonly record struct SqliteChunk(int RawSize, byte Codec, ReadOnlyMemory<byte> Data)
{
    // Chunk keys pack the blob id and the chunk's position so one blob is one rowid range.
    public const int SequenceBits = 24;

    public static long Key(long blobId, long sequence) => (blobId << SequenceBits) | sequence;

    public static long FirstKey(long blobId) => blobId << SequenceBits;

    public static long LastKey(long blobId) => (blobId << SequenceBits) | ((1L << SequenceBits) - 1);
}
