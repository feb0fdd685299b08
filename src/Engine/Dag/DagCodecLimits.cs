namespace VoxScheduler.Dag;

/// <summary>
/// Bounds of a compact DAG form read from a stranger (<see cref="DagCodec.Read"/>). Every other
/// count in the form (arguments, goals, labels, string and value lengths) is bounded by the bytes
/// left to read, so no allocation outgrows the input.
/// </summary>
internal sealed record DagCodecLimits
{
    /// <summary>The defaults: 32 MiB, 16 Mi nodes (more than 32 MiB can hold), <see cref="DagValidator.MaxReportedProblems"/> problems listed.</summary>
    public static DagCodecLimits Default { get; } = new();

    /// <summary>Bytes of the whole form.</summary>
    public int MaxBytes { get; init; } = 32 * 1024 * 1024;

    /// <summary>Nodes in the form.</summary>
    public int MaxNodes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Problems listed in the <see cref="ValidationException"/>; the rest are counted in one last problem.</summary>
    public int MaxProblems { get; init; } = DagValidator.MaxReportedProblems;
}
