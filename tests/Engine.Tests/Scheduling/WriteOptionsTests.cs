using VoxScheduler.Dag;
using VoxScheduler.Operations;
using VoxScheduler.Scheduling;
using VoxScheduler.Storage;
using VoxScheduler.Tests.Support;
using VoxScheduler.Values;

namespace VoxScheduler.Tests.Scheduling;

/// <summary>
/// Issue 14 item 13: compression, codec and streaming threshold are an execution's own. A
/// store is opened once per process and shared; before, it kept the options of the execution
/// that opened it first, so a later execution's Compression = false or other threshold was
/// silently ignored. Each test runs two or three executions on one store and checks the stored
/// bytes (codec recorded, stored size, where the data went).
/// </summary>
public sealed class WriteOptionsTests : IDisposable
{
    private const int TextLength = 20_000;
    private readonly TempFolder _folder = new("vox-write-options");

    public void Dispose() => _folder.Dispose();

    private static OperationRegistry Registry()
    {
        var registry = new OperationRegistry();
        // TextLength compressible bytes, different per seed.
        registry.Register(Operation.Create("w.text", 1, 1, c => Expected(c.Number(0))));
        return registry;
    }

    private static byte[] Expected(double seed) => System.Text.Encoding.ASCII.GetBytes($"{seed}:" + new string('v', TextLength));

    private static (DagDefinition Dag, NodeId Id) TextDag(double seed)
    {
        var b = new DagBuilder();
        var node = b.Operation("w.text", 1, [b.Constant(seed)]);
        b.AddGoal(new DagGoal("t", GoalKind.Print, node));
        var dag = b.Build();
        return (dag, dag.Nodes[node].Id);
    }

    private async Task<StorageMetadata> RunAsync(DynamicScheduler scheduler, string backend, double seed, Func<ExecutionConfig, ExecutionConfig> configure)
    {
        var (dag, id) = TextDag(seed);
        var config = configure(new ExecutionConfig { StorageBackend = backend, StoragePath = _folder.Combine(backend) });
        var execution = await scheduler.SubmitAsync(dag, config);
        Assert.Equal(ExecutionStatus.Completed, await execution.Completion.WaitAsync(TimeSpan.FromSeconds(60)));
        await execution.Store!.FlushAsync();
        var stored = await execution.Store.GetMetadataAsync(id);
        Assert.NotNull(stored);
        // Whatever way it was stored, it reads back as the value.
        Assert.Equal(Expected(seed), ValueCodec.Decode((await execution.Store.RetrieveAsync(id))!));
        return stored;
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("hybrid")]
    [InlineData("filesystem")]
    public async Task Each_execution_on_one_store_compresses_with_its_own_codec_or_not_at_all(string backend)
    {
        await using var scheduler = new DynamicScheduler(Registry());
        // The first execution opens the store (lz4, the default).
        var lz4 = await RunAsync(scheduler, backend, 1, c => c);
        Assert.Equal("lz4", lz4.Compression);
        Assert.True(lz4.StoredSize < lz4.Size / 4, $"lz4 stored {lz4.StoredSize} of {lz4.Size} bytes");

        var raw = await RunAsync(scheduler, backend, 2, c => c with { Compression = false });
        Assert.Null(raw.Compression);
        Assert.Equal(raw.Size, raw.StoredSize);

        var brotli = await RunAsync(scheduler, backend, 3, c => c with { CompressionCodec = "brotli" });
        Assert.Equal("brotli", brotli.Compression);
        Assert.True(brotli.StoredSize < brotli.Size / 4, $"brotli stored {brotli.StoredSize} of {brotli.Size} bytes");

        var none = await RunAsync(scheduler, backend, 4, c => c with { CompressionCodec = "none" });
        Assert.Null(none.Compression);
        Assert.Equal(none.Size, none.StoredSize);
    }

    [Fact]
    public async Task A_hybrid_execution_with_a_lower_streaming_threshold_keeps_its_results_as_files_and_another_inline()
    {
        await using var scheduler = new DynamicScheduler(Registry());
        var large = Path.Combine(_folder.Combine("hybrid"), "large");
        var inline = await RunAsync(scheduler, "hybrid", 1, c => c);
        Assert.Equal(DataType.Binary, inline.DataType);
        Assert.Equal("lz4", inline.Compression);
        // Data files of the large folder (its tmp folder holds writes in progress).
        int DataFiles() => Directory.Exists(large)
            ? Directory.EnumerateFiles(large, "*", SearchOption.AllDirectories).Count(f => !Path.GetRelativePath(large, f).StartsWith("tmp", StringComparison.Ordinal))
            : 0;
        Assert.Equal(0, DataFiles());

        // Same store, already open: this execution's threshold is below the result's size.
        var streamed = await RunAsync(scheduler, "hybrid", 2, c => c with { StreamingThreshold = 4096 });
        Assert.Equal(DataType.LargeObject, streamed.DataType);
        Assert.Null(streamed.Compression); // large files are kept raw, read at file speed
        Assert.Equal(streamed.Size, streamed.StoredSize);
        Assert.Equal(1, DataFiles());

        // And the next execution with the default threshold stores inline again.
        var again = await RunAsync(scheduler, "hybrid", 3, c => c);
        Assert.Equal(DataType.Binary, again.DataType);
        Assert.Equal("lz4", again.Compression);
        Assert.Equal(1, DataFiles());
    }

    [Fact]
    public async Task A_filesystem_execution_with_a_lower_streaming_threshold_stores_its_large_results_raw()
    {
        await using var scheduler = new DynamicScheduler(Registry());
        var small = await RunAsync(scheduler, "filesystem", 1, c => c);
        Assert.Equal("lz4", small.Compression);
        var streamed = await RunAsync(scheduler, "filesystem", 2, c => c with { StreamingThreshold = 4096 });
        Assert.Equal(DataType.LargeObject, streamed.DataType);
        Assert.Null(streamed.Compression);
        Assert.Equal(streamed.Size, streamed.StoredSize);
    }

    [Fact]
    public async Task A_sqlite_execution_s_streaming_threshold_is_recorded_as_the_data_type()
    {
        await using var scheduler = new DynamicScheduler(Registry());
        Assert.Equal(DataType.Binary, (await RunAsync(scheduler, "sqlite", 1, c => c)).DataType);
        Assert.Equal(DataType.LargeObject, (await RunAsync(scheduler, "sqlite", 2, c => c with { StreamingThreshold = 4096 })).DataType);
    }

    [Fact]
    public async Task An_unknown_codec_is_a_configuration_error_naming_the_field()
    {
        var error = Assert.Throws<ValidationException>(() => new ExecutionConfig { CompressionCodec = "zip" }.Validate());
        Assert.StartsWith("compression_codec must be one of lz4, brotli, none", error.Problems.Single().Message);
        // A store asked directly for an unknown codec refuses the write, naming the valid ones.
        await using var store = await StoreFactory.OpenAsync("sqlite", _folder.Combine("direct"));
        var id = TextDag(9).Id;
        var e = await Assert.ThrowsAsync<StorageException>(async () => await store.StoreAsync(id, new byte[] { 1 },
            new StorageMetadata { NodeId = id, DataType = DataType.Binary }, new ResultWriteOptions { CompressionCodec = "zip" }));
        Assert.Contains("lz4, brotli, none", e.Message);
    }
}
