using VoxScheduler.Dag;

namespace VoxScheduler.Tests.Architecture;

/// <summary>
/// The layer table of the design (DESIGN.md, "Layers and data flow"), enforced over the compiled
/// engine: a namespace may use only the layers its row lists (not transitively), so the graph
/// stays acyclic. Errors (the root namespace) is usable by every layer and uses none.
/// </summary>
public sealed class LayerDependencyTests
{
    private const string Errors = NamespaceDependencyScanner.RootLayer;

    /// <summary>Each layer's row: the layers it may reference.</summary>
    internal static readonly IReadOnlyDictionary<string, string[]> Allowed = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        [Errors] = [],
        ["Dag"] = [Errors],
        ["Values"] = [Errors],
        ["Operations"] = [Errors, "Dag", "Values"],
        ["Language"] = [Errors, "Dag", "Operations", "Values"],
        ["Images"] = [Errors, "Values", "Operations", "Dag"],
        ["Storage"] = [Errors, "Values", "Dag"],
        ["Execution"] = [Errors, "Operations", "Storage", "Values", "Dag"],
        ["Scheduling"] = [Errors, "Execution", "Storage", "Operations", "Values", "Dag"],
        // Operations beyond the design's row: hosting hands the scheduler's operation registry to
        // the program compiler and turns compile options into the operations' environment.
        ["Hosting"] = [Errors, "Language", "Scheduling", "Storage", "Values", "Dag", "Operations"],
    };

    [Fact]
    public void Every_engine_layer_references_only_the_layers_its_row_allows()
    {
        var (references, layers) = NamespaceDependencyScanner.Scan(typeof(NodeId).Assembly.Location, "VoxScheduler");

        Assert.Contains("Scheduling", layers); // the scan saw the engine, not an empty assembly
        var unknown = layers.Where(l => !Allowed.ContainsKey(l)).ToList();
        Assert.True(unknown.Count == 0, $"Engine namespaces without a row in the layer table: {string.Join(", ", unknown)}");
        var forbidden = references.Where(r => !Allowed[r.From].Contains(r.To, StringComparer.Ordinal)).ToList();
        Assert.True(forbidden.Count == 0, Describe(forbidden));
    }

    [Fact]
    public void Scheduling_and_execution_name_no_storage_backend()
    {
        // They ask the store for capabilities (IResultBatchSink, …); a backend type named here would
        // tie the scheduler to one backend again (DESIGN.md: backend-neutral persistence).
        var (references, _) = NamespaceDependencyScanner.Scan(typeof(NodeId).Assembly.Location, "VoxScheduler");

        Assert.Contains(references, r => r.From == "Scheduling" && r.To == "Storage"); // the scan sees their uses of Storage at all
        var backends = references
            .Where(r => r.From is "Scheduling" or "Execution" && r.To == "Storage" && NamesBackend(r.ToType))
            .ToList();
        Assert.True(backends.Count == 0, "Storage backends named outside Storage:\n"
            + string.Join("\n", backends.Select(r => $"{r.From}: {r.FromType} [{r.Where}] uses {r.ToType}")));
    }

    [Fact]
    public void The_engine_references_no_cluster_library()
    {
        // The postgres backend and Orleans live in src/Cluster (DESIGN.md's layer table): the engine
        // runs on one machine without them, and the cluster layer depends on it, never the reverse.
        var referenced = typeof(NodeId).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? string.Empty).ToList();
        Assert.Contains("Microsoft.Data.Sqlite", referenced); // the list is the engine's real references
        var cluster = referenced.Where(n => n.StartsWith("Npgsql", StringComparison.Ordinal) || n.StartsWith("Orleans", StringComparison.Ordinal)
            || n.StartsWith("Microsoft.Orleans", StringComparison.Ordinal) || n.StartsWith("VoxScheduler.Cluster", StringComparison.Ordinal)).ToList();
        Assert.True(cluster.Count == 0, "The engine references: " + string.Join(", ", cluster));
    }

    [Theory]
    [InlineData("VoxScheduler.Storage.Sqlite.SqliteResultStore", true)]
    [InlineData("VoxScheduler.Storage.Sqlite.SqliteResultStore/BatchTarget", true)]
    [InlineData("VoxScheduler.Storage.Hybrid.HybridResultStore", true)]
    [InlineData("VoxScheduler.Storage.FileSystem.FileSystemResultStore", true)]
    [InlineData("VoxScheduler.Storage.SqliteInlineBatch", true)]
    [InlineData("VoxScheduler.Storage.IResultStore", false)]
    [InlineData("VoxScheduler.Storage.IResultBatchSink", false)]
    [InlineData("VoxScheduler.Storage.StorageMetadata", false)]
    public void A_backend_is_recognised_by_its_namespace_or_its_name(string fullName, bool backend) =>
        Assert.Equal(backend, NamesBackend(fullName));

    private static bool NamesBackend(string fullName) =>
        fullName.Split('.', '+', '/').Any(part =>
            part.StartsWith("Sqlite", StringComparison.Ordinal) || part.StartsWith("FileSystem", StringComparison.Ordinal)
            || part.StartsWith("Hybrid", StringComparison.Ordinal));

    [Fact]
    public void The_scanner_catches_a_fully_qualified_reference_inside_a_method_body()
    {
        var (references, layers) = NamespaceDependencyScanner.Scan(typeof(LayerDependencyTests).Assembly.Location, Fixture.Root.Name);

        Assert.Equal([NamespaceDependencyScanner.RootLayer, "High", "Low"], layers.Order(StringComparer.Ordinal));
        var found = Assert.Single(references, r => r.From == "Low");
        Assert.Equal("High", found.To);
        Assert.Equal(typeof(Fixture.High.Upper).FullName, found.ToType);
        Assert.Equal("body of Call", found.Where);
    }

    private static string Describe(List<LayerReference> forbidden)
    {
        var lines = forbidden
            .GroupBy(r => (r.From, r.To))
            .OrderBy(g => g.Key.From, StringComparer.Ordinal).ThenBy(g => g.Key.To, StringComparer.Ordinal)
            .Select(g => $"{g.Key.From} -> {g.Key.To} (not in {g.Key.From}'s row): "
                + string.Join("; ", g.Take(5).Select(r => $"{r.FromType} [{r.Where}] uses {r.ToType}"))
                + (g.Count() > 5 ? $"; … {g.Count() - 5} more" : ""));
        return "Forbidden layer references:\n" + string.Join("\n", lines);
    }
}
