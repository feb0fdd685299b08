using VoxScheduler.Storage;
using static VoxScheduler.Tests.Storage.StoreTestData;

namespace VoxScheduler.Tests.Storage;

/// <summary>Listing by DAG (#14 item 16): a DAG's results include those its executions reused from the store.</summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task Listing_by_dag_includes_the_results_its_executions_named_whoever_produced_them()
    {
        var produced = Id("dag-produced");
        var reused = Id("dag-reused");
        await Store.StoreAsync(produced, Random(100, 1), Meta(produced, dag: "dag-b", execution: "exec-b"));
        await Store.StoreAsync(reused, Random(100, 2), Meta(reused, dag: "dag-a", execution: "exec-a"));
        // exec-b (of dag-b) printed the result exec-a (of dag-a) had stored: it was reused, not produced.
        await Store.RecordExecutionAsync(new ExecutionRecord { ExecutionId = "exec-b", DagId = "dag-b", Status = "Completed", SubmittedAt = DateTimeOffset.UtcNow });
        await Store.RecordNodeNamesAsync("exec-b", [new ExecutionNodeName("exec-b", "g", reused, true, 0)]);
        await Store.FlushAsync();

        var ofB = await Store.ListAsync(new ResultQuery(DagId: "dag-b")).Select(m => m.NodeId).ToListAsync();
        Assert.Equal(2, ofB.Count);
        Assert.Equal([produced, reused], ofB.ToHashSet());
        var ofA = await Store.ListAsync(new ResultQuery(DagId: "dag-a")).Select(m => m.NodeId).ToListAsync();
        Assert.Equal([reused], ofA);
        Assert.Empty(await Store.ListAsync(new ResultQuery(DagId: "dag-none")).ToListAsync());
    }
}
