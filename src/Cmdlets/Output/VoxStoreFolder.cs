namespace VoxScheduler.Cmdlets.Output;

/// <summary>A fixed folder of a VoxStore drive (<c>executions</c>).</summary>
public sealed class VoxStoreFolder
{
    internal VoxStoreFolder(string name, string description)
    {
        Name = name;
        Description = description;
    }

    public string Name { get; }

    public string Description { get; }

    /// <inheritdoc />
    public override string ToString() => Name;
}
