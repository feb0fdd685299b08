using System.Security.Cryptography;
using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Operations;
using VoxScheduler.Scheduling;
using VoxScheduler.Tests.Scheduling;
using VoxScheduler.Tests.Support;
using VoxScheduler.Values;

namespace VoxScheduler.Tests.Execution;

/// <summary>Inputs read as streams (the specification's read_dependency_stream): from the store when stored, from memory otherwise.</summary>
public sealed class StreamedInputTests : IDisposable
{
    private readonly TempFolder _folder = new("vox-streamed");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task An_input_in_memory_is_read_as_a_stream_of_its_byte_form()
    {
        var ops = WithProbe(new TestOps());
        await using var scheduler = ops.Scheduler();
        var b = new DagBuilder();
        var blob = b.Operation("test.blob", 1, [b.Constant(3.0), b.Constant(1.0)]);
        b.AddGoal(new DagGoal("blob", GoalKind.Print, blob));
        b.AddGoal(new DagGoal("hash", GoalKind.Print, b.Operation("test.sha256", 1, [blob])));
        b.AddGoal(new DagGoal("text", GoalKind.Print, b.Operation("test.sha256", 1, [b.Constant("grüß")])));
        b.AddGoal(new DagGoal("probe", GoalKind.Print, b.Operation("t.probe", 1, [blob])));
        var execution = await TestOps.RunAsync(scheduler, b.Build());

        Assert.Equal(ExecutionStatus.Completed, execution.Status);
        var goals = execution.GetGoalResults().ToDictionary(g => g.Name);
        var bytes = Assert.IsType<byte[]>(goals["blob"].Value);
        Assert.Equal(1024 * 1024, bytes.Length);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), goals["hash"].Value);
        // Any other kind streams as its kind writes it: the stored form without its tag byte.
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(ValueCodec.Encode("grüß").AsSpan(1))), goals["text"].Value);
        Assert.Equal($"memory bytes {1024 * 1024}", goals["probe"].Value);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("hybrid")]
    public async Task A_stored_input_is_handed_over_as_a_reference_and_streams_from_the_store(string backend)
    {
        var ops = WithProbe(new TestOps());
        var config = new ExecutionConfig { StorageBackend = backend, StoragePath = _folder.Path, StreamingThreshold = 64 * 1024 };
        var b = new DagBuilder();
        var blob = b.Operation("test.blob", 1, [b.Constant(5.0), b.Constant(2.0)]);
        b.AddGoal(new DagGoal("blob", GoalKind.Node, blob));
        var writeBlob = b.Build();
        await using (var first = ops.Scheduler())
        {
            Assert.Equal(ExecutionStatus.Completed, (await TestOps.RunAsync(first, writeBlob, config)).Status);
        }

        var expected = await HashOfStoredAsync(ops, config, writeBlob.Nodes[blob].Id);
        b.AddGoal(new DagGoal("hash", GoalKind.Print, b.Operation("test.sha256", 1, [blob])));
        b.AddGoal(new DagGoal("probe", GoalKind.Print, b.Operation("t.probe", 1, [blob])));
        await using var second = ops.Scheduler();
        var execution = await TestOps.RunAsync(second, b.Build(), config);

        Assert.Equal(ExecutionStatus.Completed, execution.Status);
        var goals = execution.GetGoalResults().ToDictionary(g => g.Name);
        Assert.Equal(NodeStatus.Cached, goals["blob"].Status); // not recomputed: the hash read the stored value
        Assert.Equal(expected, goals["hash"].Value);
        Assert.Equal($"stored bytes {2 * 1024 * 1024}", goals["probe"].Value);
    }

    [Fact]
    public void Only_existing_argument_positions_can_be_read_as_streams()
    {
        var op = Operation.Create("t.two", 2, 2, _ => null).WithStreamedArguments(1);
        Assert.False(op.ReadsAsStream(0));
        Assert.True(op.ReadsAsStream(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Operation.Create("t.one", 1, 1, _ => null).WithStreamedArguments(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Operation.Create("t.any", 0, -1, _ => null).WithStreamedArguments(64));
    }

    /// <summary>t.probe(x): how x arrived ("stored" or "memory"), its kind and the length of its stream.</summary>
    private static TestOps WithProbe(TestOps ops)
    {
        ops.Registry.Register(Operation.CreateAsync("t.probe", 1, 1, async c =>
        {
            var where = c[0] is StoredArgument ? "stored" : "memory";
            await using var input = await c.OpenArgumentStreamAsync(0);
            return OperationResult.FromValue($"{where} {input.Kind} {input.Length}");
        }).WithStreamedArguments(0));
        return ops;
    }

    /// <summary>The hash of a stored value's byte form, read straight from the store (not through an operation).</summary>
    internal static async Task<string> HashOfStoredAsync(TestOps ops, ExecutionConfig config, NodeId id)
    {
        await using var scheduler = ops.Scheduler();
        var store = await scheduler.GetStoreAsync(config.StorageBackend, config.StoragePath);
        await using var stream = await store.OpenReadAsync(id) ?? throw new InvalidOperationException("not stored");
        Assert.Equal((int)ValueTag.Bytes, stream.ReadByte());
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream));
    }
}
