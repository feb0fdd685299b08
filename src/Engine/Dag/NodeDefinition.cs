namespace VoxScheduler.Dag;

/// <summary>
/// A node as users write it (the specification's NodeDefinition): a name of their choosing
/// (the specification's <c>node_id</c>), an operation, the names of its argument nodes in order,
/// parameters, and free-form metadata. Names are labels for one DAG; results are keyed by the
/// content id computed from the operation, the arguments' ids and the parameters. A constant is
/// written as operation <c>constant</c> with its value in <c>Parameters["value"]</c>.
/// </summary>
/// <param name="Name">The node's name, unique in its DAG (the specification's node_id).</param>
/// <param name="Operation">Qualified operation name (<c>default.add</c>), or <c>constant</c>.</param>
/// <param name="Arguments">Names of the argument nodes, in order.</param>
/// <param name="Parameters">Operation parameters (part of the content id), or the constant's <c>value</c>.</param>
/// <param name="Metadata">Free-form metadata, carried along but not part of the id.</param>
public sealed record NodeDefinition(
    string Name,
    string Operation,
    IReadOnlyList<string>? Arguments = null,
    IReadOnlyDictionary<string, object?>? Parameters = null,
    IReadOnlyDictionary<string, object?>? Metadata = null)
{
    /// <summary>The operation name of constant nodes.</summary>
    public const string ConstantOperation = DagBuilder.ConstantOperator;

    /// <summary>The parameter holding a constant's value.</summary>
    public const string ValueParameter = "value";

    /// <summary>A constant node.</summary>
    public static NodeDefinition Constant(string name, object? value) =>
        new(name, ConstantOperation, null, new Dictionary<string, object?> { [ValueParameter] = value });
}
