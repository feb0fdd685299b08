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

    /// <summary>Milliseconds between snapshots with -Watch.</summary>
    [Parameter]
    [ValidateRange(50, 3_600_000)]
    public int IntervalMilliseconds { get; set; } = 1000;

    private TimeSpan Interval => TimeSpan.FromMilliseconds(IntervalMilliseconds);

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
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

    private static ExecutionProgress FromHistory(VoxExecution e)
    {
        var finished = e.IsFinished;
        return new ExecutionProgress
        {
            ExecutionId = e.ExecutionId,
            DagId = e.DagId ?? string.Empty,
            Status = e.Status,
            TotalNodes = e.TotalNodes,
            CompletedNodes = e.Record?.CompletedNodes ?? 0,
            CachedNodes = e.Record?.CachedNodes ?? 0,
            FailedNodes = e.Record?.FailedNodes ?? 0,
            SkippedNodes = e.Record?.SkippedNodes ?? 0,
            ProgressPercentage = finished ? 100 : 0,
            Elapsed = e.Duration,
        };
    }
}
