using System.Collections;
using System.Management.Automation.Provider;
using VoxScheduler.Dag;
using VoxScheduler.Storage;
using VoxScheduler.Values;

namespace VoxScheduler.Cmdlets.Provider;

/// <summary>
/// Get-Content on a result: a bytes value comes out in chunks (byte[] blocks of up to 64 KiB,
/// read from the store's verified stream, never whole); a sequence one item per block; any other
/// value as one block. An empty list signals the end, as the engine expects.
/// </summary>
internal sealed class VoxContentReader(IResultStore store, NodeId nodeId) : IContentReader
{
    private const int ChunkSize = 64 * 1024;

    private Stream? _bytes;
    private Queue<object?>? _items;
    private bool _opened;

    public IList Read(long readCount)
    {
        Open();
        var blocks = new List<object?>();
        var limit = readCount <= 0 ? long.MaxValue : readCount;
        if (_bytes is not null)
        {
            while (blocks.Count < limit)
            {
                var chunk = new byte[ChunkSize];
                var n = Task.Run(() => _bytes.ReadAsync(chunk).AsTask()).GetAwaiter().GetResult();
                if (n == 0) break;
                blocks.Add(n == ChunkSize ? chunk : chunk[..n]);
            }
        }
        else
        {
            while (blocks.Count < limit && _items!.Count > 0) blocks.Add(_items.Dequeue());
        }

        return blocks;
    }

    public void Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("Results are read from the start.");

    public void Close() => Dispose();

    public void Dispose()
    {
        _bytes?.Dispose();
        _bytes = null;
    }

    private void Open()
    {
        if (_opened) return;
        _opened = true;
        var metadata = Task.Run(() => store.GetMetadataAsync(nodeId).AsTask()).GetAwaiter().GetResult()
            ?? throw new ItemNotFoundExceptionWrapper(nodeId);
        if (metadata.DataType is DataType.Binary or DataType.LargeObject)
        {
            var stream = Task.Run(() => store.OpenReadAsync(nodeId).AsTask()).GetAwaiter().GetResult() ?? throw new ItemNotFoundExceptionWrapper(nodeId);
            var tag = stream.ReadByte();
            if (tag == (byte)ValueTag.Bytes)
            {
                _bytes = stream;
                return;
            }

            stream.Dispose();
        }

        var data = Task.Run(() => store.RetrieveAsync(nodeId).AsTask()).GetAwaiter().GetResult() ?? throw new ItemNotFoundExceptionWrapper(nodeId);
        var value = ValueCodec.Decode(data);
        _items = new Queue<object?>(value is object?[] seq ? seq : [value]);
    }

    private sealed class ItemNotFoundExceptionWrapper(NodeId id) : System.Management.Automation.ItemNotFoundException($"No result is stored for node {id}.");
}
