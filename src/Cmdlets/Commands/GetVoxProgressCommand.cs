using System.Management.Automation;
using VoxScheduler.Cmdlets.Output;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Gets the progress of executions: one snapshot, or with -Watch a snapshot per interval until they end.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "VoxProgress", DefaultParameterSetName = IdSet)]
[OutputType(typeof(VoxProgress))]
public sealed class GetVoxProgressCommand : VoxExecutionCmdlet
{
    /// <summary>Writes a snapshot every -Interval until the execution ends (Ctrl+C stops watching only).</summary>
    [Parameter]
    public SwitchParameter Watch { get; set; }

    /// <summary>Time between snapshots with -Watch: seconds (0.5), a unit (500ms, 2s) or a TimeSpan; from 50ms to 1h (default 1 s).</summary>
    [Parameter]
    [VoxTimeSpan]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (Interval < TimeSpan.FromMilliseconds(50) || Interval > TimeSpan.FromHours(1))
        {
            Terminate(VoxErrors.ConfigInvalid, ErrorCategory.InvalidArgument, Interval, $"-Interval must be from 50ms to 1h, not {Interval}.");
        }

        foreach (var execution in SelectedExecutions())
        {
            if (execution.Execution is not { } live)
            {
                WriteObject(new VoxProgress(FromHistory(execution), execution.Name));
                continue;
            }

            if (!Watch)
            {
                WriteObject(new VoxProgress(live.GetProgress(), live.Name));
                continue;
            }

            RunAndDrain(async (sink, token) =>
            {
                using var timer = new PeriodicTimer(Interval);
                while (true)
                {
                    var snapshot = live.GetProgress();
                    await sink.OutputAsync(new VoxProgress(snapshot, live.Name), token).ConfigureAwait(false);
                    if (live.Completion.IsCompleted)
                    {
                        // The last snapshot must be the final one.
                        if (snapshot.Status is ExecutionStatus.Pending or ExecutionStatus.Running)
                        {
                            await sink.OutputAsync(new VoxProgress(live.GetProgress(), live.Name), token).ConfigureAwait(false);
                        }

                        return;
                    }

                    var tick = timer.WaitForNextTickAsync(token).AsTask();
                    await Task.WhenAny(tick, live.Completion).ConfigureAwait(false);
                    token.ThrowIfCancellationRequested();
                }
            });
        }
    }

    // A past execution's snapshot: its record's counts, or for one running in another process the
    // results it has stored so far (its last known progress); percent is of nodes actually done.
    private static ExecutionProgress FromHistory(VoxExecution e)
    {
        var elsewhere = !e.IsFinished;
        return new ExecutionProgress
        {
            ExecutionId = e.ExecutionId,
            DagId = e.DagId ?? string.Empty,
            Status = e.Status,
            TotalNodes = e.TotalNodes,
            // A record counts computed and cached nodes apart; completed is both (nodes done).
            CompletedNodes = Math.Max(0, e.DoneNodes),
            ComputedNodes = elsewhere ? 0 : e.Record?.CompletedNodes ?? 0,
            CachedNodes = elsewhere ? 0 : e.Record?.CachedNodes ?? 0,
            FailedNodes = e.Record?.FailedNodes ?? 0,
            SkippedNodes = e.Record?.SkippedNodes ?? 0,
            ProgressPercentage = e.Percent,
            Elapsed = e.Duration,
        };
    }
}
