namespace VoxScheduler.Dag;

/// <summary>
/// What the DAG layer needs to know about an operator to validate and build nodes: its
/// qualified name, the revision that goes into node ids, and the arities it accepts. The
/// operations layer's <c>Operation</c> implements it, so Dag never names the registry.
/// </summary>
public interface IOperatorSignature
{
    /// <summary>Qualified name, e.g. <c>default.add</c>.</summary>
    string Name { get; }

    /// <summary>Part of every node id using this operator.</summary>
    int Revision { get; }

    /// <summary>Arity as text for error messages: <c>2</c>, <c>1..2</c>, <c>0..</c>.</summary>
    string ArityText { get; }

    /// <summary>True when <paramref name="count"/> arguments are accepted.</summary>
    bool AcceptsArity(int count);
}
