using Npgsql;
using VoxScheduler.Cluster.Client;
using VoxScheduler.Cluster.Postgres;
using VoxScheduler.Dag;
using VoxScheduler.Scheduling;
using VoxScheduler.Storage;
using VoxScheduler.Values;

namespace VoxScheduler.Tests.Cluster;

/// <summary>
/// An execution's write options (compression on or off, codec, streaming threshold) reach the
/// workers' writes: what PostgreSQL holds for results computed on the workers is stored as the
/// submission asked, both for small results (written as a batch) and large ones (in chunks).
/// </summary>
[Collection("cluster")]
[Trait("Category", "Postgres")]
public sealed class WriteOptionsTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>Small: inline in the results row, written with the batch. Large: past the store's 64 KiB inline threshold, in chunks.</summary>
    private const int Small = 4_000, Large = 200_000;

    public static TheoryData<string, bool, string, byte> Codecs => new()
    {
        { "lz4", true, "lz4", StoreCodec.Lz4 },
        { "brotli", true, "brotli", StoreCodec.Brotli },
        { "off", false, "lz4", StoreCodec.Raw },
        { "none", true, "none", StoreCodec.Raw },
    };

    [Theory]
    [MemberData(nameof(Codecs))]
    public async Task The_executions_compression_and_codec_are_those_of_the_stored_bytes(string label, bool compression, string codec, byte expected)
    {
        var (dag, small, large) = Fills();
        var ns = ClusterFixture.NewNamespace("write-" + label);

        var result = await (await fixture.Client.SubmitDagAsync(dag, new ClusterSubmitOptions
        {
            StoreNamespace = ns, WriteOptions = new ResultWriteOptions { Compression = compression, CompressionCodec = codec },
        })).WaitAsync().WaitAsync(Patience);

        Assert.Equal(ExecutionStatus.Completed, result.Status);
        await using var store = await PostgresResultStore.OpenAsync(fixture.Server.ConnectionString, ns);
        var smallRow = await RowAsync(store, dag.Nodes[small].Id);
        var largeRow = await RowAsync(store, dag.Nodes[large].Id);
        Assert.Equal(expected, smallRow.Compression);
        Assert.Equal(expected, largeRow.Compression);
        Assert.Null(smallRow.BlobId);
        Assert.NotNull(largeRow.BlobId);
        Assert.All(await ChunkCodecsAsync(store, largeRow.BlobId!.Value), c => Assert.Equal(expected, c));
        if (expected == StoreCodec.Raw)
        {
            Assert.Equal(smallRow.Size, smallRow.StoredSize);
            Assert.Equal(largeRow.Size, largeRow.StoredSize);
        }
        else
        {
            // Repeated bytes shrink to a fraction with either codec.
            Assert.True(smallRow.StoredSize < smallRow.Size / 4, $"small: {smallRow.StoredSize} of {smallRow.Size} bytes stored");
            Assert.True(largeRow.StoredSize < largeRow.Size / 4, $"large: {largeRow.StoredSize} of {largeRow.Size} bytes stored");
        }

        // And they read back as the values the operation made.
        Assert.Equal(Small, ((byte[])ValueCodec.Decode((await store.RetrieveAsync(dag.Nodes[small].Id))!)!).Length);
        Assert.Equal(Large, ((byte[])ValueCodec.Decode((await store.RetrieveAsync(dag.Nodes[large].Id))!)!).Length);
    }

    [Fact]
    public async Task The_executions_streaming_threshold_makes_larger_results_large_objects()
    {
        var (dag, small, large) = Fills();
        var ns = ClusterFixture.NewNamespace("write-threshold");

        var result = await (await fixture.Client.SubmitDagAsync(dag, new ClusterSubmitOptions
        {
            StoreNamespace = ns, WriteOptions = new ResultWriteOptions { StreamingThreshold = 100_000 },
        })).WaitAsync().WaitAsync(Patience);

        Assert.Equal(ExecutionStatus.Completed, result.Status);
        await using var store = await PostgresResultStore.OpenAsync(fixture.Server.ConnectionString, ns);
        Assert.Equal(DataType.Binary, (await store.GetMetadataAsync(dag.Nodes[small].Id))!.DataType);
        Assert.Equal(DataType.LargeObject, (await store.GetMetadataAsync(dag.Nodes[large].Id))!.DataType);

        // The default threshold (100 MB): both are plain binary values.
        var (again, small2, large2) = Fills();
        var ns2 = ClusterFixture.NewNamespace("write-default-threshold");
        Assert.Equal(ExecutionStatus.Completed, (await (await fixture.Client.SubmitDagAsync(again, new ClusterSubmitOptions { StoreNamespace = ns2 }))
            .WaitAsync().WaitAsync(Patience)).Status);
        await using var store2 = await PostgresResultStore.OpenAsync(fixture.Server.ConnectionString, ns2);
        Assert.Equal(DataType.Binary, (await store2.GetMetadataAsync(again.Nodes[small2].Id))!.DataType);
        Assert.Equal(DataType.Binary, (await store2.GetMetadataAsync(again.Nodes[large2].Id))!.DataType);
    }

    [Fact]
    public async Task An_unknown_codec_is_refused_at_submission_naming_it()
    {
        var (dag, _, _) = Fills();

        var e = await Assert.ThrowsAsync<ValidationException>(() => fixture.Client.SubmitDagAsync(dag, new ClusterSubmitOptions
        {
            StoreNamespace = ClusterFixture.NewNamespace("write-bad"), WriteOptions = new ResultWriteOptions { CompressionCodec = "zstd9" },
        }));

        Assert.Contains("zstd9", e.Message);
        Assert.Contains("compression_codec", e.Message);
    }

    /// <summary>A small and a large <c>ct.fill</c> value (fresh for every call) and a sum of their sizes that needs both on a worker.</summary>
    private static (DagDefinition Dag, int Small, int Large) Fills()
    {
        var salt = (double)Random.Shared.Next();
        var b = new DagBuilder();
        var small = b.Operation("ct.fill", 1, [b.Constant((double)Small), b.Constant(salt)]);
        var large = b.Operation("ct.fill", 1, [b.Constant((double)Large), b.Constant(salt)]);
        b.AddGoal(new DagGoal("small", GoalKind.Node, small));
        b.AddGoal(new DagGoal("large", GoalKind.Node, large));
        return (b.Build(), small, large);
    }

    private sealed record Row(long Size, long StoredSize, byte Compression, long? BlobId);

    private async Task<Row> RowAsync(PostgresResultStore store, NodeId id)
    {
        await using var connection = new NpgsqlConnection(fixture.Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT size, stored_size, compression, blob_id FROM {store.Schema}.results WHERE node_id = $1", connection);
        command.Parameters.AddWithValue(id.ToByteArray());
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"result {id} is not in the store");
        return new Row(reader.GetInt64(0), reader.GetInt64(1), (byte)reader.GetInt16(2), reader.IsDBNull(3) ? null : reader.GetInt64(3));
    }

    private async Task<List<byte>> ChunkCodecsAsync(PostgresResultStore store, long blobId)
    {
        await using var connection = new NpgsqlConnection(fixture.Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT codec FROM {store.Schema}.chunks WHERE blob_id = $1 ORDER BY ordinal", connection);
        command.Parameters.AddWithValue(blobId);
        var codecs = new List<byte>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) codecs.Add((byte)reader.GetInt16(0));
        Assert.NotEmpty(codecs);
        return codecs;
    }
}
