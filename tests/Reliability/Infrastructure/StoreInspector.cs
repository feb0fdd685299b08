using VoxScheduler.Dag;
using VoxScheduler.Storage;

namespace VoxScheduler.Tests.Infrastructure;

/// <summary>Reads every result of a store back, through both read paths, verifying each one.</summary>
internal static class StoreInspector
{
    /// <summary>
    /// Opens the store, lists every result and reads each one whole (RetrieveAsync) and as a
    /// stream (OpenReadAsync); the two must agree and match the metadata's size. Any storage
    /// error propagates and fails the caller's test.
    /// </summary>
    public static async Task<Dictionary<NodeId, byte[]>> ReadAllAsync(string backend, string path, StoreOptions? options = null)
    {
        await using var store = await StoreFactory.OpenAsync(backend, path, options);
        return await ReadAllAsync(store);
    }

    /// <summary>Reads every result of an open store (see the other overload).</summary>
    public static async Task<Dictionary<NodeId, byte[]>> ReadAllAsync(IResultStore store)
    {
        var results = new Dictionary<NodeId, byte[]>();
        await foreach (var meta in store.ListAsync(ResultQuery.All))
        {
            var whole = await store.RetrieveAsync(meta.NodeId);
            Assert.True(whole is not null, $"{store.Backend}: {meta.NodeId} is listed but RetrieveAsync returned null");
            Assert.True(whole!.LongLength == meta.Size, $"{store.Backend}: {meta.NodeId} has {whole.LongLength} bytes, metadata says {meta.Size}");
            await using (var stream = await store.OpenReadAsync(meta.NodeId))
            {
                Assert.True(stream is not null, $"{store.Backend}: {meta.NodeId} is listed but OpenReadAsync returned null");
                using var copy = new MemoryStream();
                await stream!.CopyToAsync(copy);
                Assert.True(copy.ToArray().AsSpan().SequenceEqual(whole), $"{store.Backend}: {meta.NodeId} reads differently as a stream");
            }

            Assert.True(results.TryAdd(meta.NodeId, whole), $"{store.Backend}: {meta.NodeId} is listed twice");
        }

        return results;
    }
}
