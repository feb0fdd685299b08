namespace VoxScheduler.Scheduling;

/// <summary>
/// When a failed try is tried again (the specification's ErrorRecoveryManager): up to
/// <see cref="ExecutionConfig.MaxRetries"/> retries, the k-th after min(60 s, 2^(k-1) s)
/// (factor 2, capped at 60 s).
/// Not retried, because trying again cannot change the outcome: a <see cref="ValidationException"/>
/// (the request itself is wrong) and a <see cref="NodeExecutionException"/> (an operation's
/// deliberate verdict on its inputs: division by zero, a type mismatch, test.fail); a
/// cancellation of the execution is not a failure at all. Everything else (I/O errors,
/// timeouts, storage errors, exceptions from user code, test.flaky) is retried.
/// </summary>
internal static class RetryPolicy
{
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(60);

    public const double BackoffFactor = 2.0;

    /// <summary>Delay before retry number <paramref name="retry"/> (1 for the first retry).</summary>
    public static TimeSpan Delay(int retry)
    {
        var seconds = Math.Pow(BackoffFactor, Math.Max(0, retry - 1));
        return seconds >= MaxDelay.TotalSeconds ? MaxDelay : TimeSpan.FromSeconds(seconds);
    }

    /// <summary>True when an error of this kind is worth another try.</summary>
    public static bool IsRetryable(Exception error) => error switch
    {
        ValidationException => false,
        NodeExecutionException => false,
        AggregateException { InnerExceptions.Count: > 0 } agg => agg.InnerExceptions.All(IsRetryable),
        _ => true,
    };

    /// <summary>True when the node should be tried again after <paramref name="failedTries"/> failed tries.</summary>
    public static bool ShouldRetry(ExecutionConfig config, Exception error, int failedTries) =>
        config.RetryFailedNodes && failedTries <= config.MaxRetries && IsRetryable(error);
}
