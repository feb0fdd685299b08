using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Provider;
using System.Text;
using VoxScheduler.Cmdlets.Commands;
using VoxScheduler.Dag;
using VoxScheduler.Storage;
using VoxScheduler.Values;

namespace VoxScheduler.Cmdlets.Provider;

/// <summary>
/// Get-Content on a result: a bytes value comes out in chunks (byte[] blocks of up to 64 KiB,
/// read from the store's verified stream, never whole); a sequence one item per block; any other
/// value as one block. -Raw gives the whole value as one object; -AsByteStream gives bytes one per
/// block (the value's own bytes, an image's single-file NIfTI-1 (.nii) bytes, or the UTF-8 of its
/// text). An empty list signals the end.
/// </summary>
internal sealed class VoxContentReader(IResultStore store, NodeId nodeId, VoxContentParameters? options) : IContentReader
{
    private const int ChunkSize = 64 * 1024;

    private Stream? _bytes;
    private Queue<object?>? _items;
    private bool _opened;

    private bool Raw => options?.Raw.IsPresent == true;

    private bool ByteStream => options?.AsByteStream.IsPresent == true;

    public IList Read(long readCount)
    {
        Open();
        var blocks = new List<object?>();
        var limit = readCount <= 0 ? long.MaxValue : readCount;
        if (_bytes is not null && ByteStream)
        {
            var buffer = new byte[(int)Math.Min(limit, ChunkSize)];
            while (blocks.Count < limit)
            {
                var n = Await(_bytes.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, limit - blocks.Count))).AsTask());
                if (n == 0) break;
                for (var i = 0; i < n; i++) blocks.Add(buffer[i]);
            }
        }
        else if (_bytes is not null)
        {
            while (blocks.Count < limit)
            {
                var chunk = new byte[ChunkSize];
                var n = Await(_bytes.ReadAsync(chunk).AsTask());
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

    private static T Await<T>(Task<T> task) => Task.Run(() => task).GetAwaiter().GetResult();

    private void Open()
    {
        if (_opened) return;
        _opened = true;
        var metadata = Await(store.GetMetadataAsync(nodeId).AsTask()) ?? throw new ItemNotFoundExceptionWrapper(nodeId);
        if (metadata.DataType is DataType.Binary or DataType.LargeObject)
        {
            var stream = Await(store.OpenReadAsync(nodeId).AsTask()) ?? throw new ItemNotFoundExceptionWrapper(nodeId);
            var tag = stream.ReadByte();
            if (tag == (byte)ValueTag.Bytes)
            {
                if (!Raw)
                {
                    _bytes = stream;
                    return;
                }

                // -Raw: the whole value as one byte[], within the bound of values held in memory.
                using (stream)
                {
                    if (metadata.Size - 1 > StoredResults.InlineValueLimit)
                    {
                        throw new PSInvalidOperationException(
                            $"Result {nodeId} holds {metadata.Size - 1:N0} bytes, more than -Raw reads into memory ({StoredResults.InlineValueLimit:N0}); use Save-VoxResult or Get-Content -AsByteStream.");
                    }

                    var whole = new MemoryStream();
                    Task.Run(() => stream.CopyToAsync(whole)).GetAwaiter().GetResult();
                    _items = new Queue<object?>([whole.ToArray()]);
                    return;
                }
            }

            stream.Dispose();
        }

        var data = Await(store.RetrieveAsync(nodeId).AsTask()) ?? throw new ItemNotFoundExceptionWrapper(nodeId);
        var value = ValueCodec.Decode(data);
        if (ByteStream && value is Images.Image image)
        {
            // An image's bytes are its NIfTI file, as `save "x.nii"` writes it, so Set-Content -AsByteStream makes a file other tools read.
            var nifti = new MemoryStream();
            Images.ImageExport.WriteNifti(nifti, image, compressed: false);
            nifti.Position = 0;
            _bytes = nifti;
            return;
        }

        if (ByteStream)
        {
            // Text as its UTF-8 bytes; any other value as the UTF-8 of its flat text.
            var text = value as string ?? Output.ValueText.Format(value, int.MaxValue);
            _bytes = new MemoryStream(Encoding.UTF8.GetBytes(text), writable: false);
            return;
        }

        _items = Raw || value is not object?[] seq ? new Queue<object?>([value]) : new Queue<object?>(seq);
    }

    private sealed class ItemNotFoundExceptionWrapper(NodeId id) : ItemNotFoundException($"No result is stored for node {id}.");
}
