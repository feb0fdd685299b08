namespace VoxScheduler.Dag;

/// <summary>
/// The byte form of the values a DAG carries (constants, attributes, metadata), for
/// <see cref="DagCodec"/>. A pair of functions, not a type of the value layer, because the DAG
/// layer depends on nothing: its users hand it the value codec (<c>ValueCodec.Encode</c>,
/// <c>ValueCodec.Decode</c>).
/// </summary>
/// <param name="Encode">A value's bytes; throws <see cref="ArgumentException"/> or <see cref="NotSupportedException"/> for a value it has no form for.</param>
/// <param name="Decode">The value of bytes <paramref name="Encode"/> wrote (the array is the callee's to keep); throws <see cref="FormatException"/> for bytes that are not such a form.</param>
internal sealed record DagValueCodec(Func<object?, byte[]> Encode, Func<byte[], object?> Decode);
