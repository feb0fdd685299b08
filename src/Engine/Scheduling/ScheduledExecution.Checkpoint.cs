namespace VoxScheduler.Scheduling;

/// <summary>
/// The history record of a running execution is brought up to date now and then, so a process
/// that is killed leaves counts that say how far it got (read back as Interrupted) instead of
/// the zeros written at the start.
/// </summary>
internal sealed partial class ScheduledExecution
{
    /// <summary>Least time between two updates of the running record.</summary>
    private static readonly TimeSpan CheckpointInterval = TimeSpan.FromSeconds(1);

    private Task? _checkpoint;
    private long _checkpointedAt;
    private int _checkpointedDone = -1;

    /// <summary>From the progress timer: writes the running record when the counts moved and the interval passed.</summary>
    private void CheckpointRecord()
    {
        if (_store is null) return;
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            if (_finishing || !_started || _checkpoint is { IsCompleted: false }) return;
            var done = _completed + _cached + _failed + _skipped;
            if (done == _checkpointedDone) return;
            if (_checkpointedDone >= 0 && _time.GetElapsedTime(_checkpointedAt, now) < CheckpointInterval) return;
            _checkpointedDone = done;
            _checkpointedAt = now;
            _checkpoint = WriteCheckpointAsync(Record("Running"));
        }
    }

    private async Task WriteCheckpointAsync(Storage.ExecutionRecord record)
    {
        await Task.Yield(); // never write from inside the lock
        try
        {
            await _store!.RecordExecutionAsync(record, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Informative only: the final record is written at the end anyway.
        }
    }

    /// <summary>Before the final record: a checkpoint still being written must not land after it.</summary>
    private Task PendingCheckpoint()
    {
        lock (_gate) return _checkpoint ?? Task.CompletedTask;
    }
}
