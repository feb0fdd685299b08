using System.IO.Hashing;
using VoxScheduler.Dag;
using VoxScheduler.Values;

namespace VoxScheduler.Storage;

/// <summary>
/// Small results of one execution on their way to the sqlite writer as one op, packed into
/// flat arrays (ids, hashes, the encoded bytes back to back) so adding a result allocates
/// nothing: the persister reuses batches once they are committed. Raw inline results (the
/// bulk) are packed; a result whose row differs (compressed) is kept as a full row in
/// <see cref="Rows"/>. Every row is exactly the one <see cref="SqliteResultStore.StoreAsync(NodeId, ReadOnlyMemory{byte}, StorageMetadata, ResultWriteOptions, CancellationToken)"/> writes.
/// </summary>
internal sealed class SqliteInlineBatch : ResultBatch
{
    private readonly SqliteResultStore _store;
    private readonly WriteSettings _settings;
    private NodeId[] _ids;
    private byte[] _hashes;
    private DataType[] _types;
    private string?[] _operators;
    private int[] _offsets;
    private byte[] _data = new byte[16 * 1024];

    public SqliteInlineBatch(SqliteResultStore store, int capacity, WriteSettings settings)
    {
        _store = store;
        _settings = settings;
        _ids = new NodeId[capacity];
        _hashes = new byte[capacity * StoreHash.Length];
        _types = new DataType[capacity];
        _operators = new string?[capacity];
        _offsets = new int[capacity + 1];
    }

    /// <summary>Packed rows.</summary>
    public int Packed { get; private set; }

    /// <inheritdoc />
    public override int Count => Packed + Rows.Count;

    /// <summary>Rows that are not raw inline (compressed inline rows), inserted one by one.</summary>
    public List<SqliteResultRow> Rows { get; } = [];

    public long CreatedAt { get; private set; }

    public string? DagId { get; private set; }

    public string? ExecutionId { get; private set; }

    /// <summary>Approximate bytes, to bound a transaction.</summary>
    public long Bytes => _offsets[Packed] + (Packed * 128L) + Rows.Sum(r => r.StoredSize + 128);

    /// <inheritdoc />
    public override void Reset(string? dagId, string? executionId)
    {
        Array.Clear(_operators, 0, Packed);
        Packed = 0;
        Rows.Clear();
        DagId = dagId;
        ExecutionId = executionId;
        CreatedAt = _store.Now();
        if (_data.Length > 1024 * 1024) _data = new byte[16 * 1024];
    }

    /// <summary>
    /// Adds a small result, built into exactly the row <see cref="SqliteResultStore.StoreAsync(NodeId, ReadOnlyMemory{byte}, StorageMetadata, ResultWriteOptions, CancellationToken)"/>
    /// would write; false when the result is not stored inline (chunks, or a large file of the
    /// hybrid store).
    /// </summary>
    public override bool TryAdd(NodeId nodeId, ReadOnlySpan<byte> data, DataType dataType, string? @operator)
    {
        if (!_store.KeepsInline(data.Length, _settings)) return false;
        var codec = StoreCodec.ForValue(data, _settings.Codec);
        if (codec == StoreCodec.Raw || data.Length < StoreCodec.MinimumCompressible)
        {
            AddRaw(nodeId, data, dataType, @operator);
        }
        else
        {
            Rows.Add(SqliteRowBuilder.Inline(nodeId, data, dataType, DagId, ExecutionId, @operator, null, codec, CreatedAt));
        }

        return true;
    }

    /// <summary>Adds a raw inline row (the caller checked the store keeps it raw and inline).</summary>
    private void AddRaw(NodeId id, ReadOnlySpan<byte> data, DataType type, string? @operator)
    {
        var i = Packed;
        if (i == _ids.Length) Grow();
        var start = _offsets[i];
        if (_data.Length - start < data.Length) Array.Resize(ref _data, Math.Max(_data.Length * 2, start + data.Length));
        data.CopyTo(_data.AsSpan(start));
        XxHash128.Hash(data, _hashes.AsSpan(i * StoreHash.Length, StoreHash.Length));
        _ids[i] = id;
        _types[i] = type;
        _operators[i] = @operator;
        _offsets[i + 1] = start + data.Length;
        Packed = i + 1;
    }

    public NodeId Id(int i) => _ids[i];

    public DataType Type(int i) => _types[i];

    public string? Operator(int i) => _operators[i];

    public ReadOnlySpan<byte> Hash(int i) => _hashes.AsSpan(i * StoreHash.Length, StoreHash.Length);

    public ReadOnlySpan<byte> Data(int i) => _data.AsSpan(_offsets[i], _offsets[i + 1] - _offsets[i]);

    private void Grow()
    {
        var capacity = _ids.Length * 2;
        Array.Resize(ref _ids, capacity);
        Array.Resize(ref _hashes, capacity * StoreHash.Length);
        Array.Resize(ref _types, capacity);
        Array.Resize(ref _operators, capacity);
        Array.Resize(ref _offsets, capacity + 1);
    }
}
