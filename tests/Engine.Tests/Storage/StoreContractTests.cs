using Microsoft.Extensions.Time.Testing;
using VoxScheduler.Dag;
using VoxScheduler.Storage;
using VoxScheduler.Values;
using static VoxScheduler.Tests.Storage.StoreTestData;

namespace VoxScheduler.Tests.Storage;

/// <summary>
/// The contract every backend passes: one suite, run against each backend by a derived class,
/// with real files in temp folders.
/// </summary>
public abstract partial class StoreContractTests : IAsyncLifetime
{
    protected const int Inline = 1024;
    protected const int Streaming = 16 * 1024;

    private readonly TempFolder _temp = new();
    private readonly List<IResultStore> _opened = [];

    protected abstract string Backend { get; }

    protected string StorePath => _temp.Combine("store");

    /// <summary>The stores' clock: tests move it instead of waiting for the wall clock (it starts at the real now, so sweeps of old files behave as in use).</summary>
    protected FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected StoreOptions Options(bool compression = true, string codec = "lz4") =>
        new() { InlineThreshold = Inline, StreamingThreshold = Streaming, Compression = compression, CompressionCodec = codec, AccessTimeResolution = TimeSpan.Zero, TimeProvider = Clock };

    protected IResultStore Store { get; private set; } = null!;

    public async Task InitializeAsync() => Store = await OpenAsync();

    public async Task DisposeAsync()
    {
        foreach (var store in _opened) await store.DisposeAsync();
        _temp.Dispose();
    }

    protected async Task<IResultStore> OpenAsync(StoreOptions? options = null)
    {
        var store = await OpenStoreAsync(StorePath, options ?? Options());
        _opened.Add(store);
        return store;
    }

    /// <summary>Opens a store of this backend at a path (a folder, or the namespace of a database store).</summary>
    protected virtual async Task<IResultStore> OpenStoreAsync(string path, StoreOptions options) => await StoreFactory.OpenAsync(Backend, path, options);

    /// <summary>Damages a stored result on disk: flips a byte of its stored data, or cuts its last byte off.</summary>
    protected abstract Task DamageAsync(NodeId id, bool truncate);

    public static TheoryData<int, bool> Sizes() => new()
    {
        { 0, false }, { 1, false }, { 100, true },
        { Inline - 1, false }, { Inline, true }, { Inline + 1, false }, { Inline + 1, true },
        { Streaming - 1, false }, { Streaming, true }, { Streaming + 1, false }, { Streaming + 1, true },
        { 3 * 1024 * 1024 + 17, false }, { 3 * 1024 * 1024 + 17, true },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task Stored_results_read_back_identical_whole_streamed_and_chunked(int size, bool compressible)
    {
        var id = Id($"size-{size}-{compressible}");
        var data = compressible ? Compressible(size, size) : Random(size, size);

        Assert.True(await Store.StoreAsync(id, data, Meta(id)));

        Assert.Equal(data, await Store.RetrieveAsync(id));
        await using (var stream = await Store.OpenReadAsync(id))
        {
            Assert.NotNull(stream);
            Assert.Equal(data, await ReadAllAsync(stream));
        }

        var chunks = await Store.StreamAsync(id, 7777).ToListAsync();
        Assert.All(chunks, c => Assert.InRange(c.Length, 1, 7777));
        Assert.Equal(data, chunks.SelectMany(c => c.ToArray()).ToArray());

        var meta = await Store.GetMetadataAsync(id);
        Assert.NotNull(meta);
        Assert.Equal(id, meta.NodeId);
        Assert.Equal(size, meta.Size);
        Assert.False(string.IsNullOrEmpty(meta.ContentHash));
        Assert.False(string.IsNullOrEmpty(meta.Checksum));
        if (!compressible) Assert.Null(meta.Compression); // random bytes never shrink: stored raw
        if (meta.Compression is not null) Assert.True(meta.StoredSize < meta.Size);
    }

    [Fact]
    public async Task Compressible_results_are_stored_smaller_with_either_codec()
    {
        foreach (var codec in new[] { "lz4", "brotli" })
        {
            await using var store = await OpenStoreAsync(StorePath + "-" + codec, Options(codec: codec));
            var id = Id("compressible-" + codec);
            var data = Compressible(8000, 3);
            await store.StoreAsync(id, data, Meta(id));
            var meta = await store.GetMetadataAsync(id);
            Assert.Equal(codec, meta!.Compression);
            Assert.True(meta.StoredSize < data.Length / 4);
            Assert.Equal(data, await store.RetrieveAsync(id));
        }
    }

    [Fact]
    public async Task Compression_off_stores_raw()
    {
        await using var store = await OpenStoreAsync(StorePath + "-raw", Options(compression: false));
        var id = Id("raw");
        var data = Compressible(8000, 1);
        await store.StoreAsync(id, data, Meta(id));
        var meta = await store.GetMetadataAsync(id);
        Assert.Null(meta!.Compression);
        Assert.Equal(data.Length, meta.StoredSize);
    }

    [Fact]
    public async Task Storing_an_existing_result_again_returns_false_and_keeps_it()
    {
        var id = Id("twice");
        var data = Random(500, 1);
        Assert.True(await Store.StoreAsync(id, data, Meta(id)));
        Assert.False(await Store.StoreAsync(id, data, Meta(id)));
        Assert.Equal(data, await Store.RetrieveAsync(id));
        Assert.Single(await Store.ListAsync().ToListAsync());
    }

    [Theory]
    [InlineData(DataType.Primitive)]
    [InlineData(DataType.Binary)]
    [InlineData(DataType.Nested)]
    [InlineData(DataType.Dataset)]
    [InlineData(DataType.LargeObject)]
    public async Task Every_data_type_is_recorded(DataType type)
    {
        var id = Id("type-" + type);
        var value = ValueCodec.Encode(new object?[] { 1.5, "x", true, null });
        await Store.StoreAsync(id, value, Meta(id, type));
        var meta = await Store.GetMetadataAsync(id);
        Assert.Equal(type, meta!.DataType);
        Assert.Equal("test.op", meta.Operator);
        Assert.Equal(value, await Store.RetrieveAsync(id));
    }

    [Fact]
    public async Task A_fifty_megabyte_result_streams_in_and_out_in_chunks()
    {
        var id = Id("fifty");
        var data = Random(50 * 1024 * 1024, 50);
        await using (var writer = await Store.OpenWriteAsync(id, Meta(id, DataType.LargeObject)))
        {
            var offset = 0;
            var step = 1;
            while (offset < data.Length)
            {
                var n = Math.Min(step, data.Length - offset);
                await writer.WriteAsync(data.AsMemory(offset, n));
                offset += n;
                step = step * 7 % 3_000_001 + 1; // odd, growing chunk sizes
            }

            Assert.Equal(data.Length, writer.Length);
            Assert.False(await Store.ExistsAsync(id)); // invisible until committed
            var committed = await writer.CommitAsync();
            Assert.Equal(data.Length, committed.Size);
        }

        await using (var stream = await Store.OpenReadAsync(id))
        {
            var buffer = new byte[1 << 20];
            long position = 0;
            int n;
            while ((n = await stream!.ReadAsync(buffer)) > 0)
            {
                Assert.True(buffer.AsSpan(0, n).SequenceEqual(data.AsSpan((int)position, n)), $"bytes differ near {position}");
                position += n;
            }

            Assert.Equal(data.Length, position);
        }

        Assert.Equal(data, await Store.RetrieveAsync(id));
        var big = Id("fifty-stored");
        Assert.True(await Store.StoreAsync(big, data, Meta(big, DataType.LargeObject)));
        Assert.Equal(data, await Store.RetrieveAsync(big));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(Inline + 1)]
    [InlineData(Streaming - 1)]
    [InlineData(Streaming)]
    [InlineData(Streaming + 1)]
    [InlineData(2 * 1024 * 1024 + 3)]
    public async Task Streamed_writes_of_any_size_commit_and_read_back(int size)
    {
        var id = Id("streamed-" + size);
        var data = Compressible(size, 7);
        await using (var writer = await Store.OpenWriteAsync(id, Meta(id, execution: "e1")))
        {
            for (var offset = 0; offset < size; offset += 4000) await writer.WriteAsync(data.AsMemory(offset, Math.Min(4000, size - offset)));
            var meta = await writer.CommitAsync();
            Assert.Equal(size, meta.Size);
            Assert.Equal("e1", meta.ExecutionId);
        }

        Assert.Equal(data, await Store.RetrieveAsync(id));
    }

    [Fact]
    public async Task An_uncommitted_streamed_write_leaves_nothing_behind()
    {
        var id = Id("abandoned");
        await using (var writer = await Store.OpenWriteAsync(id, Meta(id)))
        {
            await writer.WriteAsync(Random(3 * 1024 * 1024, 1));
        }

        Assert.False(await Store.ExistsAsync(id));
        Assert.Null(await Store.RetrieveAsync(id));
        Assert.Null(await Store.OpenReadAsync(id));
        Assert.Empty(await Store.StreamAsync(id).ToListAsync());
        Assert.Empty(await Store.ListAsync().ToListAsync());
    }

    [Fact]
    public async Task User_metadata_round_trips_and_updates_merge_and_remove_keys()
    {
        var id = Id("meta");
        var user = new Dictionary<string, object?>
        {
            ["name"] = "brain", ["weight"] = 2.5, ["count"] = 3, ["ok"] = true, ["none"] = null,
            ["tags"] = new object?[] { "a", 1.0, false },
            ["nested"] = new Dictionary<string, object?> { ["deep"] = new Dictionary<string, object?> { ["x"] = "y" } },
        };
        await Store.StoreAsync(id, Random(10, 1), Meta(id, dag: "dag-1", execution: "exec-1", user: user));

        var meta = await Store.GetMetadataAsync(id);
        Assert.Equal("dag-1", meta!.DagId);
        Assert.Equal("exec-1", meta.ExecutionId);
        var m = meta.Metadata!;
        Assert.Equal("brain", m["name"]);
        Assert.Equal(2.5, m["weight"]);
        Assert.Equal(3.0, m["count"]);
        Assert.Equal(true, m["ok"]);
        Assert.Equal(new object?[] { "a", 1.0, false }, (object?[])m["tags"]!);
        var deep = (IReadOnlyDictionary<string, object?>)((IReadOnlyDictionary<string, object?>)m["nested"]!)["deep"]!;
        Assert.Equal("y", deep["x"]);

        Assert.True(await Store.UpdateMetadataAsync(id, new Dictionary<string, object?> { ["name"] = "liver", ["weight"] = null, ["new"] = 1.0 }));
        m = (await Store.GetMetadataAsync(id))!.Metadata!;
        Assert.Equal("liver", m["name"]);
        Assert.False(m.ContainsKey("weight"));
        Assert.Equal(1.0, m["new"]);
        Assert.Equal(true, m["ok"]);

        Assert.False(await Store.UpdateMetadataAsync(Id("absent"), new Dictionary<string, object?> { ["a"] = 1.0 }));
        Assert.Null(await Store.GetMetadataAsync(Id("absent")));
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.UpdateMetadataAsync(id, new Dictionary<string, object?> { ["bad"] = new object() }));
    }

    [Fact]
    public async Task Listing_filters_by_dag_and_execution_and_honours_the_limit()
    {
        for (var i = 0; i < 30; i++)
        {
            var id = Id("list-" + i);
            await Store.StoreAsync(id, Random(20, i), Meta(id, dag: i % 2 == 0 ? "even" : "odd", execution: i < 10 ? "first" : "second"));
        }

        var named = Id("list-named");
        await Store.StoreAsync(named, Random(20, 99), Meta(named, dag: "other", execution: "third"));
        await Store.RecordNodeNamesAsync("first", [new ExecutionNodeName("first", "goal", named, true, 0)]);

        Assert.Equal(31, (await Store.ListAsync().ToListAsync()).Count);
        Assert.Equal(31, (await Store.ListAsync(ResultQuery.All).Select(m => m.NodeId).Distinct().ToListAsync()).Count);
        Assert.Equal(15, (await Store.ListAsync(new ResultQuery(DagId: "even")).ToListAsync()).Count);
        var first = await Store.ListAsync(new ResultQuery(ExecutionId: "first")).ToListAsync();
        Assert.Equal(11, first.Count);
        Assert.Contains(first, m => m.NodeId == named);
        Assert.Equal(5, (await Store.ListAsync(new ResultQuery(DagId: "odd", ExecutionId: "first")).ToListAsync()).Count);
        Assert.Equal(7, (await Store.ListAsync(new ResultQuery(Limit: 7)).ToListAsync()).Count);
        Assert.Empty(await Store.ListAsync(new ResultQuery(DagId: "nope")).ToListAsync());
    }

    [Fact]
    public async Task Listing_is_lazy_over_many_results()
    {
        var ids = Enumerable.Range(0, 1500).Select(i => Id("many-" + i)).ToArray();
        await Task.WhenAll(ids.Select(async id => await Store.StoreAsync(id, Random(8, id.GetHashCode()), Meta(id))));
        var seen = new HashSet<NodeId>();
        await foreach (var meta in Store.ListAsync()) Assert.True(seen.Add(meta.NodeId));
        Assert.Equal(ids.ToHashSet(), seen);

        // Stopping early is fine.
        await foreach (var _ in Store.ListAsync()) break;
    }

    [Fact]
    public async Task Delete_removes_a_result_and_reports_absence()
    {
        var small = Id("del-small");
        var large = Id("del-large");
        await Store.StoreAsync(small, Random(10, 1), Meta(small));
        await Store.StoreAsync(large, Random(Streaming * 3, 2), Meta(large));
        Assert.True(await Store.DeleteAsync(small));
        Assert.True(await Store.DeleteAsync(large));
        Assert.False(await Store.DeleteAsync(small));
        Assert.Null(await Store.RetrieveAsync(small));
        Assert.Null(await Store.RetrieveAsync(large));
        Assert.False(await Store.ExistsAsync(large));
        Assert.Empty(await Store.ListAsync().ToListAsync());

        Assert.True(await Store.StoreAsync(large, Random(Streaming * 3, 2), Meta(large))); // can be stored again
        Assert.Equal(Random(Streaming * 3, 2), await Store.RetrieveAsync(large));
    }

    [Fact]
    public async Task An_id_whose_first_eight_bytes_a_stored_id_shares_is_not_reported_stored()
    {
        var holder = SharingPrefix("holder", 0);
        var other = SharingPrefix("holder", 1);
        Assert.True(await Store.StoreAsync(holder, Random(5, 9), Meta(holder)));
        Assert.Equal(new[] { false, true, false }, await Store.ExistsManyAsync([other, holder, Id("holder-absent")]));
        Assert.False(await Store.ExistsAsync(other));
        Assert.Null(await Store.RetrieveAsync(other));
        Assert.Null(await Store.OpenReadAsync(other));
    }

    [Fact]
    public async Task Ids_sharing_their_first_eight_bytes_are_stored_found_and_deleted_apart()
    {
        // Small, compressible, chunked and streamed results, all under the same 8-byte prefix.
        var ids = Enumerable.Range(0, 5).Select(i => SharingPrefix("prefix", i)).ToArray();
        var data = new[] { Random(40, 0), Compressible(Inline - 10, 1), Random(Streaming * 3, 2), Random(7, 3), Compressible(Streaming + 5, 4) };
        for (var i = 0; i < ids.Length; i++)
        {
            if (i == 4)
            {
                await using var writer = await Store.OpenWriteAsync(ids[i], Meta(ids[i]));
                await writer.WriteAsync(data[i]);
                await writer.CommitAsync();
            }
            else
            {
                Assert.True(await Store.StoreAsync(ids[i], data[i], Meta(ids[i], dag: "d" + i)));
            }
        }

        for (var i = 0; i < ids.Length; i++) Assert.False(await Store.StoreAsync(ids[i], data[i], Meta(ids[i])));
        for (var i = 0; i < ids.Length; i++)
        {
            Assert.Equal(data[i], await Store.RetrieveAsync(ids[i]));
            Assert.Equal(ids[i], (await Store.GetMetadataAsync(ids[i]))!.NodeId);
        }

        Assert.Equal(ids.ToHashSet(), (await Store.ListAsync().Select(m => m.NodeId).ToListAsync()).ToHashSet());
        Assert.Equal(ids[2], Assert.Single(await Store.ListAsync(new ResultQuery(DagId: "d2")).ToListAsync()).NodeId);

        Assert.True(await Store.UpdateMetadataAsync(ids[1], new Dictionary<string, object?> { ["mark"] = "one" }));
        Assert.Equal("one", (await Store.GetMetadataAsync(ids[1]))!.Metadata!["mark"]);
        Assert.Null((await Store.GetMetadataAsync(ids[0]))!.Metadata);

        // An id with the prefix that was never stored is absent, whichever way it is asked for.
        var stranger = SharingPrefix("prefix", 99);
        Assert.False(await Store.ExistsAsync(stranger));
        Assert.Null(await Store.RetrieveAsync(stranger));
        Assert.Null(await Store.GetMetadataAsync(stranger));
        Assert.False(await Store.DeleteAsync(stranger));
        Assert.Equal(new[] { true, false, true }, await Store.ExistsManyAsync([ids[0], stranger, ids[3]]));

        // Deleting the first (it holds the key) leaves the others; it can be stored again.
        Assert.True(await Store.DeleteAsync(ids[0]));
        Assert.False(await Store.ExistsAsync(ids[0]));
        for (var i = 1; i < ids.Length; i++) Assert.Equal(data[i], await Store.RetrieveAsync(ids[i]));
        Assert.False(await Store.StoreAsync(ids[1], data[1], Meta(ids[1])));
        Assert.Equal(ids.Length - 1, await Store.ListAsync().CountAsync());
        Assert.True(await Store.DeleteAsync(ids[3]));
        Assert.True(await Store.StoreAsync(ids[3], data[3], Meta(ids[3])));
        Assert.True(await Store.StoreAsync(ids[0], data[0], Meta(ids[0])));
        Assert.False(await Store.StoreAsync(ids[0], data[0], Meta(ids[0])));

        await using var again = await OpenStoreAsync(StorePath, Options() with { ReadOnly = true });
        for (var i = 0; i < ids.Length; i++) Assert.Equal(data[i], await again.RetrieveAsync(ids[i]));
        Assert.Equal(ids.Length, await again.ListAsync().CountAsync());
    }

    [Fact]
    public async Task Exists_answers_single_and_batched_in_order()
    {
        var present = Enumerable.Range(0, 300).Select(i => Id("ex-" + i)).ToArray();
        foreach (var id in present) await Store.StoreAsync(id, Random(5, 1), Meta(id));
        var query = Enumerable.Range(0, 600).Select(i => Id("ex-" + (i % 2 == 0 ? i / 2 : 100_000 + i))).ToArray();

        var answers = await Store.ExistsManyAsync(query);
        Assert.Equal(query.Length, answers.Length);
        for (var i = 0; i < query.Length; i++) Assert.Equal(i % 2 == 0, answers[i]);
        Assert.True(await Store.ExistsAsync(present[0]));
        Assert.False(await Store.ExistsAsync(Id("nope")));
        Assert.Empty(await Store.ExistsManyAsync([]));
    }

    [Fact]
    public async Task Executions_node_names_and_history_round_trip()
    {
        var submitted = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        var older = new ExecutionRecord { ExecutionId = "exec/A:1", Status = "Running", SubmittedAt = submitted, TotalNodes = 10, Source = "program text" };
        var newer = new ExecutionRecord { ExecutionId = "exec-b", Name = "second", DagId = "dag", Status = "Pending", SubmittedAt = submitted.AddMinutes(1) };
        await Store.RecordExecutionAsync(older);
        await Store.RecordExecutionAsync(newer);
        var done = older with { Status = "Failed", CompletedAt = submitted.AddSeconds(5), CompletedNodes = 7, CachedNodes = 1, FailedNodes = 1, SkippedNodes = 1, Error = "boom" };
        await Store.RecordExecutionAsync(done);

        Assert.Equal(done, await Store.GetExecutionAsync("exec/A:1"));
        Assert.Null(await Store.GetExecutionAsync("missing"));
        Assert.Equal(["exec-b", "exec/A:1"], (await Store.ListExecutionsAsync().ToListAsync()).Select(e => e.ExecutionId));

        var names = new[]
        {
            new ExecutionNodeName("exec/A:1", "total", Id("n1"), true, 1),
            new ExecutionNodeName("exec/A:1", "first", Id("n0"), true, 0),
            new ExecutionNodeName("exec/A:1", "helper", Id("n2"), false, 2),
        };
        await Store.RecordNodeNamesAsync("exec/A:1", names);
        Assert.Equal(names.OrderBy(n => n.Ordinal), await Store.ListExecutionNodesAsync("exec/A:1").ToListAsync());
        Assert.Empty(await Store.ListExecutionNodesAsync("exec-b").ToListAsync());

        var history = new[]
        {
            new NodeHistoryEntry("exec/A:1", Id("n1"), "default.div", 1, "Retrying", "division by zero", submitted.AddSeconds(1)),
            new NodeHistoryEntry("exec/A:1", Id("n1"), "default.div", 2, "Failed", "division by zero", submitted.AddSeconds(2)),
        };
        foreach (var h in history) await Store.RecordNodeHistoryAsync(h);
        Assert.Equal(history, await Store.ListNodeHistoryAsync("exec/A:1").ToListAsync());
        Assert.Empty(await Store.ListNodeHistoryAsync("exec-b").ToListAsync());
    }

    [Fact]
    public async Task A_running_execution_whose_process_has_ended_reads_back_interrupted()
    {
        // A process that has certainly ended: started, waited for, gone.
        using var finished = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("dotnet", "--version") { RedirectStandardOutput = true })!;
        await finished.WaitForExitAsync();
        var endedPid = finished.Id;
        var start = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        var current = ExecutionOwner.Current;
        var currentParts = current.Split('/');
        var currentSeconds = long.Parse(currentParts[2], System.Globalization.CultureInfo.InvariantCulture);

        // Linux records carry the pid namespace; a record of another namespace (a container with the
        // same machine name sharing the store) cannot be judged, one of ours can.
        var ns = currentParts.Length == 4 ? "/" + currentParts[3] : string.Empty;
        Assert.Equal(OperatingSystem.IsLinux(), ns.Length > 0);
        var records = new Dictionary<string, (string Status, string? Owner)>
        {
            ["ended-process"] = ("Running", $"{Environment.MachineName}/{endedPid}/0{ns}"),
            ["ended-process-no-namespace"] = ("Running", $"{Environment.MachineName}/{endedPid}/0"),
            ["other-namespace"] = ("Running", $"{Environment.MachineName}/{endedPid}/0/1{ns.TrimStart('/')}"),
            ["reused-pid"] = ("Pending", $"{Environment.MachineName}/{Environment.ProcessId}/{currentSeconds - 3600}{ns}"),
            ["this-process"] = ("Running", current),
            ["other-machine"] = ("Running", $"another-machine-{Guid.NewGuid():N}/{endedPid}/0"),
            ["no-owner"] = ("Running", null),
            ["finished"] = ("Completed", $"{Environment.MachineName}/{endedPid}/0"),
        };
        foreach (var (id, (status, owner)) in records)
        {
            await Store.RecordExecutionAsync(new ExecutionRecord { ExecutionId = id, Status = status, Owner = owner, SubmittedAt = start, TotalNodes = 3 });
        }

        var interrupted = await Store.GetExecutionAsync("ended-process");
        Assert.Equal("Interrupted", interrupted!.Status);
        Assert.Contains("ended before it finished", interrupted.Error);
        Assert.Equal("Interrupted", (await Store.GetExecutionAsync("ended-process-no-namespace"))!.Status);
        Assert.Equal("Running", (await Store.GetExecutionAsync("other-namespace"))!.Status);
        Assert.Equal("Interrupted", (await Store.GetExecutionAsync("reused-pid"))!.Status);
        Assert.Equal("Running", (await Store.GetExecutionAsync("this-process"))!.Status);
        Assert.Equal("Running", (await Store.GetExecutionAsync("other-machine"))!.Status);
        Assert.Equal("Running", (await Store.GetExecutionAsync("no-owner"))!.Status);
        Assert.Equal("Completed", (await Store.GetExecutionAsync("finished"))!.Status);
        var listed = (await Store.ListExecutionsAsync().ToListAsync()).ToDictionary(r => r.ExecutionId, r => r.Status);
        Assert.Equal("Interrupted", listed["ended-process"]);
        Assert.Equal("Running", listed["this-process"]);
        Assert.Equal(current, (await Store.GetExecutionAsync("this-process"))!.Owner);
    }

    [Fact]
    public async Task Many_threads_write_and_read_at_once()
    {
        const int Writers = 8, PerWriter = 60;
        var failures = 0;
        var tasks = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < PerWriter; i++)
            {
                var id = Id($"conc-{w}-{i}");
                var data = Random(i * 97 % 5000 + (i % 10 == 0 ? Streaming : 0), w * 1000 + i);
                Assert.True(await Store.StoreAsync(id, data, Meta(id, execution: "w" + w)));
                var back = await Store.RetrieveAsync(id);
                if (back is null || !data.AsSpan().SequenceEqual(back)) Interlocked.Increment(ref failures);
                // Read someone else's results while they write.
                var other = Id($"conc-{(w + 1) % Writers}-{i}");
                var bytes = await Store.RetrieveAsync(other);
                if (bytes is not null && !bytes.AsSpan().SequenceEqual(Random(i * 97 % 5000 + (i % 10 == 0 ? Streaming : 0), (w + 1) % Writers * 1000 + i))) Interlocked.Increment(ref failures);
            }
        })).ToArray();
        await Task.WhenAll(tasks);
        Assert.Equal(0, failures);
        Assert.Equal(Writers * PerWriter, (await Store.ListAsync().ToListAsync()).Count);
        Assert.All(await Store.ExistsManyAsync(Enumerable.Range(0, Writers * PerWriter).Select(k => Id($"conc-{k / PerWriter}-{k % PerWriter}")).ToArray()), Assert.True);
    }

    public static TheoryData<int, bool, bool> DamageCases() => new()
    {
        { 100, false, false }, { 100, true, false },
        { 5000, false, true }, { 5000, true, true }, { 5000, true, false },
        { 40_000, false, false }, { 40_000, true, false },
        { 2 * 1024 * 1024 + 5, false, false }, { 2 * 1024 * 1024 + 5, true, true },
    };

    [Theory]
    [MemberData(nameof(DamageCases))]
    public async Task Damaged_bytes_on_disk_are_reported_naming_the_node_never_served(int size, bool truncate, bool compressible)
    {
        var whole = Id($"damage-whole-{size}-{truncate}");
        var streamed = Id($"damage-stream-{size}-{truncate}");
        var data = compressible ? Compressible(size, 5) : Random(size, 5);
        await Store.StoreAsync(whole, data, Meta(whole));
        await Store.StoreAsync(streamed, data, Meta(streamed));
        await DamageAsync(whole, truncate);
        await DamageAsync(streamed, truncate);

        var e = await Assert.ThrowsAsync<StorageCorruptionException>(async () => await Store.RetrieveAsync(whole));
        Assert.Equal(whole, e.NodeId);
        Assert.Contains(whole.ToString(), e.Message);

        var s = await Assert.ThrowsAsync<StorageCorruptionException>(async () =>
        {
            await using var stream = await Store.OpenReadAsync(streamed);
            await ReadAllAsync(stream!);
        });
        Assert.Equal(streamed, s.NodeId);
    }

    [Theory]
    [InlineData(false, 1024 * 1024)]
    [InlineData(true, 1024 * 1024)]
    [InlineData(false, 5 * 1024 * 1024)]
    public async Task A_large_streamed_result_read_in_buffers_of_megabytes_is_identical_and_its_damage_is_reported(bool damage, int bufferSize)
    {
        // Large reads fill the caller's buffer in several verified pieces: a megabyte buffer
        // takes that path, one larger than the result ends it in its first call.
        var id = Id($"large-buffers-{damage}-{bufferSize}");
        var data = Random(3 * 1024 * 1024 + 7, 21);
        await using (var writer = await Store.OpenWriteAsync(id, Meta(id)))
        {
            for (var offset = 0; offset < data.Length; offset += 1024 * 1024) await writer.WriteAsync(data.AsMemory(offset, Math.Min(1024 * 1024, data.Length - offset)));
            await writer.CommitAsync();
        }

        if (damage) await DamageAsync(id, truncate: false);
        var read = new MemoryStream();
        async Task ReadAsync()
        {
            await using var stream = await Store.OpenReadAsync(id) ?? throw new InvalidOperationException("large result missing");
            var buffer = new byte[bufferSize];
            int n;
            while ((n = await stream.ReadAsync(buffer)) > 0) read.Write(buffer, 0, n);
        }

        if (!damage)
        {
            await ReadAsync();
            Assert.Equal(data, read.ToArray());
            return;
        }

        var e = await Assert.ThrowsAsync<StorageCorruptionException>(ReadAsync);
        Assert.Equal(id, e.NodeId);
        Assert.Contains(id.ToString(), e.Message);
        Assert.True(read.Length < data.Length, "the damaged result was served whole");
    }

    [Fact]
    public async Task A_damaged_result_can_be_recomputed_and_stored_again()
    {
        var id = Id("heal");
        var data = Random(3000, 9);
        await Store.StoreAsync(id, data, Meta(id));
        await DamageAsync(id, truncate: false);
        await Assert.ThrowsAsync<StorageCorruptionException>(async () => await Store.RetrieveAsync(id));
        await Store.FlushAsync();

        await Store.StoreAsync(id, data, Meta(id));
        Assert.Equal(data, await Store.RetrieveAsync(id));
    }

    [Fact]
    public async Task Reopening_a_store_sees_everything()
    {
        var ids = Enumerable.Range(0, 20).Select(i => Id("reopen-" + i)).ToArray();
        for (var i = 0; i < ids.Length; i++) await Store.StoreAsync(ids[i], Random(i * 3000, i), Meta(ids[i], dag: "d"));
        await Store.RecordExecutionAsync(new ExecutionRecord { ExecutionId = "x", Status = "Completed", SubmittedAt = DateTimeOffset.UtcNow });
        await Store.RecordNodeNamesAsync("x", [new ExecutionNodeName("x", "g", ids[3], true, 0)]);
        await Store.DisposeAsync();

        await using var again = await OpenStoreAsync(StorePath, Options());
        for (var i = 0; i < ids.Length; i++) Assert.Equal(Random(i * 3000, i), await again.RetrieveAsync(ids[i]));
        Assert.Equal(20, (await again.ListAsync(new ResultQuery(DagId: "d")).ToListAsync()).Count);
        Assert.Equal("Completed", (await again.GetExecutionAsync("x"))!.Status);
        Assert.Equal(ids[3], (await again.ListExecutionNodesAsync("x").ToListAsync()).Single().NodeId);

        await using var readOnly = await OpenStoreAsync(StorePath, Options() with { ReadOnly = true });
        Assert.Equal(Random(3000, 1), await readOnly.RetrieveAsync(ids[1]));
        await Assert.ThrowsAsync<StorageException>(async () => await readOnly.StoreAsync(Id("ro"), new byte[1], Meta(Id("ro"))));
    }

    [Fact]
    public async Task Flush_completes_after_pending_writes_are_durable()
    {
        var id = Id("flush");
        var pending = Store.StoreAsync(id, Random(100, 1), Meta(id)).AsTask();
        await Store.FlushAsync();

        // Committed by now: visible to any reader, and (reopened elsewhere) to any process.
        Assert.True(await Store.ExistsAsync(id));
        await using (var other = await OpenStoreAsync(StorePath, Options() with { ReadOnly = true }))
        {
            Assert.Equal(Random(100, 1), await other.RetrieveAsync(id));
        }

        Assert.True(await pending);
    }
}
