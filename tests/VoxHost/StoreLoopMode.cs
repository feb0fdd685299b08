using VoxScheduler.Dag;
using VoxScheduler.Storage;
using VoxScheduler.Values;

namespace VoxScheduler.VoxHost;

/// <summary>
/// <c>store-loop --backend B --path P --count N --size S [--start K] [--stream-threshold T]</c>:
/// writes results K..K+N-1 (deterministic ids and bytes, see <see cref="LoopData"/>), every
/// other one through a streamed write, printing <c>stored i</c> after each commit.
/// </summary>
internal static class StoreLoopMode
{
    public static async Task<int> RunAsync(string[] args)
    {
        var a = new HostArguments(args);
        var options = new StoreOptions { StreamingThreshold = a.GetInt64("stream-threshold", 256 * 1024), InlineThreshold = 4096 };
        await using var store = await StoreFactory.OpenAsync(a.Get("backend"), a.Get("path"), options);
        var start = a.GetInt64("start", 0);
        var count = a.GetInt64("count", 100);
        var size = (int)a.GetInt64("size", 1000);
        for (var i = start; i < start + count; i++)
        {
            var id = LoopData.Id(i);
            var data = LoopData.Bytes(i, size);
            var metadata = new StorageMetadata
            {
                NodeId = id,
                DataType = DataType.Binary,
                ExecutionId = "store-loop",
                Metadata = new Dictionary<string, object?> { ["i"] = (double)i },
            };
            if (i % 2 == 0)
            {
                await store.StoreAsync(id, data, metadata);
            }
            else
            {
                await using var writer = await store.OpenWriteAsync(id, metadata);
                for (var offset = 0; offset < data.Length; offset += 64 * 1024)
                {
                    await writer.WriteAsync(data.AsMemory(offset, Math.Min(64 * 1024, data.Length - offset)));
                }

                await writer.CommitAsync();
            }

            Console.Out.WriteLine($"stored {i}");
            Console.Out.Flush();
        }

        return 0;
    }
}
