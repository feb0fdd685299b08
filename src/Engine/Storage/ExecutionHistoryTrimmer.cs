namespace VoxScheduler.Storage;

/// <summary>
/// Trims any store's execution history by a <see cref="HistoryRetention"/> through the history
/// contract itself (list newest first, delete the rest), so every backend trims the same way.
/// </summary>
public static class ExecutionHistoryTrimmer
{
    // Statuses of executions that can no longer change; anything else (Pending, Running) is kept.
    private static readonly HashSet<string> Finished = new(StringComparer.OrdinalIgnoreCase) { "Completed", "Failed", "Cancelled", "Interrupted" };

    /// <summary>Forgets the finished executions the retention does not keep; never one that has not ended.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative age or count.</exception>
    public static async ValueTask<HistoryTrimReport> TrimAsync(IExecutionHistory history, HistoryRetention retention, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(retention);
        if (retention.OlderThan is { } age && age < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(retention), "OlderThan must not be negative.");
        if (retention.MaxExecutions is < 0) throw new ArgumentOutOfRangeException(nameof(retention), "MaxExecutions must not be negative.");
        var cutoff = retention.OlderThan is { } keep ? (time ?? TimeProvider.System).GetUtcNow() - keep : (DateTimeOffset?)null;

        var doomed = new List<string>();
        var kept = 0;
        var finishedSeen = 0;
        await foreach (var record in history.ListExecutionsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!Finished.Contains(record.Status))
            {
                kept++;
                continue;
            }

            finishedSeen++;
            var ended = record.CompletedAt ?? record.SubmittedAt;
            var tooOld = cutoff is { } c && ended < c;
            var beyondCount = retention.MaxExecutions is { } max && finishedSeen > max;
            if (tooOld || beyondCount) doomed.Add(record.ExecutionId);
            else kept++;
        }

        // Deleted after the listing ends, so no backend is asked to delete under an open cursor.
        var removed = 0;
        foreach (var id in doomed)
        {
            if (await history.DeleteExecutionAsync(id, cancellationToken).ConfigureAwait(false)) removed++;
        }

        return new HistoryTrimReport(removed, kept + (doomed.Count - removed));
    }
}
