using System.Security.Cryptography;
using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Operations;
using VoxScheduler.Operations.Builtins;
using VoxScheduler.Scheduling;
using VoxScheduler.Tests.Support;
using VoxScheduler.Values;

namespace VoxScheduler.Tests.Execution;

/// <summary>One node run against a real store, without a scheduler (the specification's execute_node).</summary>
public sealed class SingleNodeExecutorTests : IDisposable
{
    private readonly TempFolder _folder = new("vox-single-node");

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("sqlite")]
    [InlineData("hybrid")]
    [InlineData("filesystem")]
    public async Task A_node_reads_its_inputs_from_the_store_and_writes_its_result_there_under_the_id_a_DAG_gives_it(string backend)
    {
        var registry = BuiltinOperations.CreateRegistry();
        await using var scheduler = new DynamicScheduler(registry);
        var store = await scheduler.GetStoreAsync(backend, _folder.Path);
        var executor = new SingleNodeExecutor(registry, store);

        var two = await executor.StoreConstantAsync(2.0);
        var three = await executor.StoreConstantAsync(3.0);
        var sum = await executor.ExecuteAsync("default.add", [two, three]);

        Assert.Equal(NodeStatus.Completed, sum.Status);
        var b = new DagBuilder();
        var inDag = b.Operation("default.add", registry.InNamespace("default").Single(o => o.ShortName == "add").Revision, [b.Constant(2.0), b.Constant(3.0)]);
        Assert.Equal(b[inDag].Id, sum.NodeId);
        Assert.Equal(5.0, ValueCodec.Decode((await store.RetrieveAsync(sum.NodeId))!));
        var metadata = await store.GetMetadataAsync(sum.NodeId);
        Assert.NotNull(metadata);
        Assert.Equal("default.add", metadata.Operator);

        // Stored and cacheable: the second call does not run it.
        var again = await executor.ExecuteAsync("default.add", [two, three]);
        Assert.Equal(NodeStatus.Cached, again.Status);
        Assert.Equal(sum.NodeId, again.NodeId);
    }

    [Fact]
    public async Task A_streamed_result_and_a_streamed_input_go_through_the_store_without_a_scheduler()
    {
        var registry = BuiltinOperations.CreateRegistry();
        await using var scheduler = new DynamicScheduler(registry);
        var store = await scheduler.GetStoreAsync("hybrid", _folder.Path);
        var executor = new SingleNodeExecutor(registry, store, streamingThreshold: 64 * 1024);

        var blob = await executor.ExecuteAsync("test.blob", [await executor.StoreConstantAsync(9.0), await executor.StoreConstantAsync(1.0)]);
        Assert.Equal(NodeStatus.Completed, blob.Status);
        Assert.Equal(OperationResultKind.Streamed, blob.Result.Kind);
        var bytes = Assert.IsType<byte[]>(ValueCodec.Decode((await store.RetrieveAsync(blob.NodeId))!));
        Assert.Equal(1024 * 1024, bytes.Length);

        var hash = await executor.ExecuteAsync("test.sha256", [blob.NodeId]);
        Assert.Equal(NodeStatus.Completed, hash.Status);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), ValueCodec.Decode((await store.RetrieveAsync(hash.NodeId))!));
    }

    [Fact]
    public async Task Bad_requests_are_errors_that_name_the_problem_and_a_failing_operation_stores_nothing()
    {
        var registry = BuiltinOperations.CreateRegistry();
        await using var scheduler = new DynamicScheduler(registry);
        var store = await scheduler.GetStoreAsync("sqlite", _folder.Path);
        var executor = new SingleNodeExecutor(registry, store);
        var one = await executor.StoreConstantAsync(1.0);
        var absent = DagBuilder.ComputeConstantId(42.0);

        var unknown = await Assert.ThrowsAsync<ValidationException>(() => executor.ExecuteAsync("default.nope", [one]).AsTask());
        Assert.Contains("default.nope", unknown.Message);
        var arity = await Assert.ThrowsAsync<ValidationException>(() => executor.ExecuteAsync("default.add", [one]).AsTask());
        Assert.Contains("not 1", arity.Message);
        var missing = await Assert.ThrowsAsync<StorageException>(() => executor.ExecuteAsync("default.add", [one, absent]).AsTask());
        Assert.Contains("Input 2", missing.Message);
        Assert.Contains(absent.ToShortString(), missing.Message);

        var failed = await executor.ExecuteAsync("test.fail", [await executor.StoreConstantAsync("no")]);
        Assert.Equal(NodeStatus.Failed, failed.Status);
        Assert.Contains("no", failed.ErrorMessage);
        Assert.False(await store.ExistsAsync(failed.NodeId));
    }
}
