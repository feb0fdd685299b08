using VoxScheduler.Cluster.Postgres;

namespace VoxScheduler.Tests.Architecture;

/// <summary>DESIGN.md's layer table for src/Cluster: it may use the engine, and no front end (they use it as clients).</summary>
public sealed class ClusterLayerTests
{
    [Fact]
    public void The_cluster_assembly_uses_the_engine_and_no_front_end()
    {
        var referenced = typeof(PostgresBackend).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? string.Empty).ToList();

        Assert.Contains("VoxScheduler.Engine", referenced);
        var ours = referenced.Where(n => n.StartsWith("VoxScheduler", StringComparison.Ordinal)).ToList();
        Assert.Equal(["VoxScheduler.Engine"], ours);
    }
}
