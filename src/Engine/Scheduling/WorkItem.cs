namespace VoxScheduler.Scheduling;

/// <summary>A node taken off the ready stack, with its argument values gathered under the lock.</summary>
internal struct WorkItem
{
    /// <summary>Marks an argument position whose value must be loaded from the store.</summary>
    public static readonly object LoadMarker = Execution.NodeInputs.StoredMarker;

    public int Node;

    public object?[] Arguments;

    public bool NeedsLoad;

    public int Attempt;

    /// <summary>Values of arguments loaded from the store (boxed), by position; null when none had to be loaded.</summary>
    public object?[]? Loaded;

    /// <summary>Bytes reserved in the live values for the output being computed (with a memory budget), given back when the outcome is applied.</summary>
    public long Reserved;

    /// <summary>Set while this execution owns the node in the in-flight table.</summary>
    public InFlightEntry? Entry;
}
