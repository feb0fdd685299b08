namespace VoxScheduler.Values;

/// <summary>The first byte of every encoded value: what follows.</summary>
public enum ValueTag : byte
{
    Null = 0,
    Number = 1,
    Boolean = 2,
    String = 3,
    Bytes = 4,
    Sequence = 5,
    UInt64 = 6,
    Int64 = 7,
    Record = 8,
}
