namespace VoxScheduler.Values;

/// <summary>The specification's data categories, recorded per stored result.</summary>
public enum DataType
{
    /// <summary>A number, boolean, string or null.</summary>
    Primitive,

    /// <summary>Raw bytes below the streaming threshold.</summary>
    Binary,

    /// <summary>Sequences and records.</summary>
    Nested,

    /// <summary>A sequence of records (tabular data).</summary>
    Dataset,

    /// <summary>Bytes at or above the streaming threshold, streamed in and out.</summary>
    LargeObject,
}
