namespace VoxScheduler.Cluster.Grains;

/// <summary>How one node of a batch ended on its worker.</summary>
internal enum NodeCallStatus : byte
{
    /// <summary>The result is in the shared store.</summary>
    Completed,

    /// <summary>The operation failed (the message is the operator's).</summary>
    Failed,

    /// <summary>Cancelled before or while it ran; nothing was stored.</summary>
    Cancelled,
}
