namespace VoxScheduler.Scheduling;

/// <summary>
/// When a failed try of a node is tried again, and after how long: the specification's
/// <c>ErrorRecoveryManager</c> as a public, configurable policy. Up to <see cref="MaxRetries"/>
/// retries; retry k waits min(<see cref="MaxDelay"/>, <see cref="BaseDelay"/> ×
/// <see cref="BackoffFactor"/>^(k-1)) on the scheduler's clock, holding no worker meanwhile.
/// Which failures are worth another try: never a <see cref="ValidationException"/> (the request
/// itself is wrong) nor a failure its operation marked permanent
/// (<see cref="NodeExecutionException.IsPermanent"/>: a deliberate verdict on the inputs, such as
/// a type mismatch or <c>test.fail</c>); of the rest, the kinds in <see cref="RetryOn"/>
/// (by default all: operation failures, timeouts, storage errors). A cancelled execution is not a
/// failure at all.
/// </summary>
/// <example>
/// <code>
/// var config = new ExecutionConfig
/// {
///     RetryPolicy = new RetryPolicy { MaxRetries = 5, BaseDelay = TimeSpan.FromMilliseconds(200), BackoffFactor = 3, RetryOn = FailureKinds.Timeout },
/// };
/// </code>
/// </example>
public sealed record RetryPolicy
{
    /// <summary>Most retries allowed by <see cref="Validate"/>.</summary>
    public const int MaxRetriesLimit = 100;

    /// <summary>Longest base delay and cap allowed by <see cref="Validate"/> (one day).</summary>
    public static readonly TimeSpan MaxDelayLimit = TimeSpan.FromDays(1);

    /// <summary>Largest factor allowed by <see cref="Validate"/>.</summary>
    public const double MaxBackoffFactor = 100;

    /// <summary>The specification's defaults: 3 retries after 1, 2 and 4 seconds, capped at 60 seconds, every transient kind.</summary>
    public static RetryPolicy Default { get; } = new();

    /// <summary>Retries after the first try (so at most MaxRetries + 1 tries); 0 never retries.</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>Delay before the first retry (default one second).</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Each retry waits this many times longer than the one before (default 2; 1 keeps the delay constant).</summary>
    public double BackoffFactor { get; init; } = 2.0;

    /// <summary>No retry waits longer than this (default 60 seconds).</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The kinds of failure that are retried (default <see cref="FailureKinds.All"/>).</summary>
    public FailureKinds RetryOn { get; init; } = FailureKinds.All;

    /// <summary>The delay before retry number <paramref name="retry"/> (1 for the first retry).</summary>
    public TimeSpan GetDelay(int retry)
    {
        var seconds = BaseDelay.TotalSeconds * Math.Pow(BackoffFactor, Math.Max(0, retry - 1));
        // Past the cap (or past what a TimeSpan holds, for a large factor) the cap applies.
        return !double.IsFinite(seconds) || seconds >= MaxDelay.TotalSeconds ? MaxDelay : TimeSpan.FromSeconds(seconds);
    }

    /// <summary>
    /// The kind of a failure: <see cref="FailureKinds.None"/> for one never retried (a validation
    /// error, a permanent operation failure, a cancellation), else <see cref="FailureKinds.Timeout"/>,
    /// <see cref="FailureKinds.Storage"/> or <see cref="FailureKinds.Operation"/> (anything else an
    /// operation threw). A failure made of several is retried only when each of them is.
    /// </summary>
    public static FailureKinds Classify(Exception error) => error switch
    {
        ValidationException => FailureKinds.None,
        NodeExecutionException { IsPermanent: true } => FailureKinds.None,
        OperationCanceledException => FailureKinds.None,
        TimeoutException => FailureKinds.Timeout,
        StorageException => FailureKinds.Storage,
        AggregateException { InnerExceptions.Count: > 0 } all => ClassifyAll(all),
        _ => FailureKinds.Operation,
    };

    private static FailureKinds ClassifyAll(AggregateException all)
    {
        var kinds = FailureKinds.None;
        foreach (var inner in all.InnerExceptions)
        {
            var kind = Classify(inner);
            if (kind == FailureKinds.None) return FailureKinds.None;
            kinds |= kind;
        }

        return kinds;
    }

    /// <summary>True when a failure like <paramref name="error"/> is retried by this policy (whatever the count).</summary>
    public bool IsTransient(Exception error)
    {
        var kind = Classify(error);
        return kind != FailureKinds.None && (kind & RetryOn) == kind;
    }

    /// <summary>True when a node is tried again after <paramref name="failedTries"/> failed tries, the last with <paramref name="error"/>.</summary>
    public bool ShouldRetry(Exception error, int failedTries) => failedTries <= MaxRetries && IsTransient(error);

    /// <summary>Every problem with the fields, each message starting with the REST field it is about.</summary>
    public IReadOnlyList<ValidationProblem> Validate()
    {
        var problems = new List<ValidationProblem>();
        if (MaxRetries < 0 || MaxRetries > MaxRetriesLimit)
            problems.Add(new("InvalidConfig", $"max_retries must be between 0 and {MaxRetriesLimit}, not {MaxRetries}."));
        if (BaseDelay < TimeSpan.Zero || BaseDelay > MaxDelayLimit)
            problems.Add(new("InvalidConfig", $"retry_base_delay_seconds must be between 0 and {MaxDelayLimit.TotalSeconds:0}, not {BaseDelay.TotalSeconds}."));
        if (!double.IsFinite(BackoffFactor) || BackoffFactor < 1 || BackoffFactor > MaxBackoffFactor)
            problems.Add(new("InvalidConfig", $"retry_backoff_factor must be between 1 and {MaxBackoffFactor:0}, not {BackoffFactor}."));
        if (MaxDelay < TimeSpan.Zero || MaxDelay > MaxDelayLimit)
            problems.Add(new("InvalidConfig", $"retry_max_delay_seconds must be between 0 and {MaxDelayLimit.TotalSeconds:0}, not {MaxDelay.TotalSeconds}."));
        else if (MaxDelay < BaseDelay && BaseDelay <= MaxDelayLimit)
            problems.Add(new("InvalidConfig", $"retry_max_delay_seconds ({MaxDelay.TotalSeconds}) must be at least retry_base_delay_seconds ({BaseDelay.TotalSeconds})."));
        if ((RetryOn & ~FailureKinds.All) != 0)
            problems.Add(new("InvalidConfig", $"retry_on must combine operation, timeout and storage, not {(int)RetryOn}."));
        return problems;
    }
}
