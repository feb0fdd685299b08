using VoxScheduler.Operations;

namespace VoxScheduler.Cmdlets.Output;

/// <summary>An operation nodes can use, as listed by <c>Get-VoxOperation</c>.</summary>
public sealed class VoxOperationInfo
{
    internal VoxOperationInfo(Operation operation)
    {
        Name = operation.Name;
        Namespace = operation.Namespace;
        ShortName = operation.ShortName;
        Arity = operation.ArityText;
        MinArity = operation.MinArity;
        MaxArity = operation.MaxArity;
        Revision = operation.Revision;
        Purity = operation.Purity;
        Description = operation.Description;
        IsScript = operation is Hosting.ScriptOperation;
    }

    /// <summary>Qualified name (<c>default.add</c>).</summary>
    public string Name { get; }

    public string Namespace { get; }

    public string ShortName { get; }

    /// <summary>Arity as text: <c>2</c>, <c>1..2</c>, <c>0..</c>.</summary>
    public string Arity { get; }

    public int MinArity { get; }

    /// <summary>-1 for any number.</summary>
    public int MaxArity { get; }

    /// <summary>Part of every node id using the operation.</summary>
    public int Revision { get; }

    /// <summary>Pure (results reused), ReadsFiles, or NonDeterministic (never reused).</summary>
    public Purity Purity { get; }

    public string Description { get; }

    /// <summary>True for script blocks registered with Register-VoxOperation.</summary>
    public bool IsScript { get; }

    /// <inheritdoc />
    public override string ToString() => Name;
}
