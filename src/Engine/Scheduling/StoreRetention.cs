using VoxScheduler.Storage;

namespace VoxScheduler.Scheduling;

/// <summary>
/// A store's retention policy: results not used for <see cref="MaxAge"/> and/or the least
/// recently used beyond <see cref="MaxTotalBytes"/> are evicted, and the execution history is
/// trimmed by <see cref="History"/>; applied when the scheduler opens the store and then every
/// <see cref="Interval"/> in the background while it is open. Never evicts a result a running
/// execution on the store still needs (an input of a node not yet run, a goal).
/// </summary>
public sealed record StoreRetention
{
    /// <summary>Shortest <see cref="Interval"/>.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);

    /// <summary>Longest <see cref="Interval"/>.</summary>
    public static readonly TimeSpan MaxInterval = TimeSpan.FromDays(1);

    /// <summary>Evict results not accessed for longer than this (null: no age bound).</summary>
    public TimeSpan? MaxAge { get; init; }

    /// <summary>Evict least recently used results until the stored bytes are at most this (null: no size bound).</summary>
    public long? MaxTotalBytes { get; init; }

    /// <summary>How much execution history to keep (null: all of it).</summary>
    public HistoryRetention? History { get; init; }

    /// <summary>How often the policy is applied while the store is open (default 10 minutes; 1 second to 1 day).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>True when the policy bounds nothing.</summary>
    public bool IsEmpty => MaxAge is null && MaxTotalBytes is null && History is null;

    /// <summary>Checks the fields, listing every problem.</summary>
    /// <exception cref="ValidationException">A field is out of range.</exception>
    public void Validate()
    {
        var problems = new List<ValidationProblem>();
        if (MaxAge is { } age && age < TimeSpan.Zero)
            problems.Add(new("InvalidRetention", $"the retention's maximum age must not be negative, not {age}."));
        if (MaxTotalBytes is < 0)
            problems.Add(new("InvalidRetention", $"the retention's maximum size must not be negative, not {MaxTotalBytes}."));
        if (History?.OlderThan is { } h && h < TimeSpan.Zero)
            problems.Add(new("InvalidRetention", $"the history's maximum age must not be negative, not {h}."));
        if (History?.MaxExecutions is < 0)
            problems.Add(new("InvalidRetention", $"the history's maximum count must not be negative, not {History.MaxExecutions}."));
        if (Interval < MinInterval || Interval > MaxInterval)
            problems.Add(new("InvalidRetention", $"the retention interval must be between {MinInterval} and {MaxInterval}, not {Interval}."));
        if (problems.Count > 0) throw new ValidationException(problems);
    }
}
