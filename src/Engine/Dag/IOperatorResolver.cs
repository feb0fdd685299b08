using System.Diagnostics.CodeAnalysis;

namespace VoxScheduler.Dag;

/// <summary>
/// Finds operators by qualified name for validation and compilation of DAGs. Owned by the DAG
/// layer so that it depends on nothing: the operation registry implements it.
/// </summary>
public interface IOperatorResolver
{
    /// <summary>The operator named <paramref name="name"/> (qualified), or false when none is known.</summary>
    bool TryResolve(string name, [NotNullWhen(true)] out IOperatorSignature? signature);
}
