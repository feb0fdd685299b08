using System.Runtime.CompilerServices;
using VoxScheduler.Dag;

namespace VoxScheduler.Storage;

/// <summary>Chunked streaming shared by every backend, on top of <see cref="IStoredResults.OpenReadAsync"/>.</summary>
internal static class StoreStreaming
{
    public static async IAsyncEnumerable<ReadOnlyMemory<byte>> StreamAsync(IStoredResults store, NodeId nodeId, int chunkSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkSize);
        var stream = await store.OpenReadAsync(nodeId, cancellationToken).ConfigureAwait(false);
        if (stream is null) yield break;
        await using (stream.ConfigureAwait(false))
        {
            while (true)
            {
                // A fresh array per chunk: the caller may keep chunks after asking for the next one.
                var buffer = new byte[(int)Math.Min(chunkSize, Math.Max(1, stream.CanSeek ? stream.Length - stream.Position : chunkSize))];
                var filled = 0;
                while (filled < buffer.Length)
                {
                    var n = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                    if (n == 0) break;
                    filled += n;
                }

                if (filled == 0) yield break;
                yield return buffer.AsMemory(0, filled);
                if (filled < buffer.Length) yield break;
            }
        }
    }
}
