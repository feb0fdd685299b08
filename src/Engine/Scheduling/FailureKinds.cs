namespace VoxScheduler.Scheduling;

/// <summary>
/// Kinds of node failure a <see cref="RetryPolicy"/> may retry (<see cref="RetryPolicy.RetryOn"/>).
/// Validation errors and failures an operation marks permanent are none of these: they are never retried.
/// </summary>
[Flags]
public enum FailureKinds
{
    /// <summary>Nothing is retried.</summary>
    None = 0,

    /// <summary>An operation failed (threw), without marking the failure permanent.</summary>
    Operation = 1,

    /// <summary>A try ran past its node timeout (<see cref="ExecutionConfig.NodeTimeout"/>).</summary>
    Timeout = 2,

    /// <summary>Reading an input from or writing a result to the store failed.</summary>
    Storage = 4,

    /// <summary>Every kind above (the default).</summary>
    All = Operation | Timeout | Storage,
}
