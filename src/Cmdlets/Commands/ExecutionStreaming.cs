using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using VoxScheduler.Cmdlets.Output;
using VoxScheduler.Scheduling;
using VoxScheduler.Storage;

namespace VoxScheduler.Cmdlets.Commands;

/// <summary>
/// Follows an execution's event stream and turns it into pipeline records: one result per goal
/// as it finishes, and progress records meanwhile. Runs on the thread pool; writes only to a sink.
/// </summary>
internal static class ExecutionStreaming
{
    /// <summary>Activity id of the module's progress bars (constant, so hosts update one bar).</summary>
    public const int ActivityId = 0x70C5;

    private static readonly TimeSpan ProgressThreshold = TimeSpan.FromMilliseconds(500);

    /// <summary>Writes each goal result of <paramref name="execution"/> as it finishes (earlier ones first), until it ends.</summary>
    public static async Task StreamResultsAsync(IExecution execution, IPipelineSink sink, Func<GoalResult, bool> include, bool showProgress,
        int parentActivityId, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var progressShown = false;
        var activityId = parentActivityId < 0 ? ActivityId : ActivityId + 1;
        try
        {
            await foreach (var e in execution.WatchAsync(replay: true, cancellationToken).ConfigureAwait(false))
            {
                switch (e.Kind)
                {
                    case ExecutionEventKind.GoalFinished when e.Goal is { } goal:
                        if (include(goal))
                        {
                            var result = ToResult(goal, execution.ExecutionId, execution.Store);
                            await sink.OutputAsync(result, cancellationToken).ConfigureAwait(false);
                            if (VoxErrors.IsGoalFailure(result))
                            {
                                await sink.ErrorAsync(VoxErrors.GoalFailure(result), cancellationToken).ConfigureAwait(false);
                            }
                        }

                        break;
                    case ExecutionEventKind.Progress when showProgress && e.Progress is { } progress && clock.Elapsed >= ProgressThreshold:
                        await sink.ProgressAsync(ToProgressRecord(execution, progress, activityId, parentActivityId), cancellationToken).ConfigureAwait(false);
                        progressShown = true;
                        break;
                    case ExecutionEventKind.ExecutionFinished:
                        return;
                }
            }
        }
        finally
        {
            if (progressShown && !cancellationToken.IsCancellationRequested)
            {
                var done = new ProgressRecord(activityId, Activity(execution), "Done") { RecordType = ProgressRecordType.Completed, ParentActivityId = parentActivityId };
                await sink.ProgressAsync(done, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The progress bar for a snapshot.</summary>
    public static ProgressRecord ToProgressRecord(IExecution execution, ExecutionProgress p, int activityId, int parentActivityId)
    {
        var finished = p.CompletedNodes + p.FailedNodes + p.SkippedNodes;
        var status = string.Create(CultureInfo.InvariantCulture,
            $"{finished} of {p.TotalNodes} nodes ({p.CachedNodes} cached, {p.FailedNodes} failed, {p.RunningNodes} running), {p.NodesPerSecond:0} nodes/s");
        return new ProgressRecord(activityId, Activity(execution), status)
        {
            PercentComplete = (int)Math.Clamp(p.ProgressPercentage, 0, 100),
            SecondsRemaining = p.EstimatedRemaining is { } r ? (int)Math.Ceiling(r.TotalSeconds) : -1,
            ParentActivityId = parentActivityId,
        };
    }

    // The program file when there is one (what the user recognises), else the name or id.
    private static string Activity(IExecution execution)
    {
        var source = Hosting.VoxEngineHost.Sources.GetValueOrDefault(execution.ExecutionId);
        var what = source is not null && (source.Contains('/', StringComparison.Ordinal) || source.Contains('\\', StringComparison.Ordinal))
            ? System.IO.Path.GetFileName(source)
            : execution.Name ?? execution.ExecutionId;
        return $"VoxScheduler: {what}";
    }

    /// <summary>A goal's outcome as a <see cref="VoxResult"/>; large objects become a stream read from the store on demand.</summary>
    public static VoxResult ToResult(GoalResult goal, string executionId, IResultStore? store)
    {
        // The engine leaves bytes at or above the streaming threshold in the store (Value null).
        Func<object>? large = null;
        if (goal.Value is null && goal.Succeeded && goal.DataType is Values.DataType.LargeObject or Values.DataType.Binary && store is not null)
        {
            large = VoxStoredImage.Opener(store, goal.NodeId, goal.Size);
        }

        return new VoxResult
        {
            LargeValue = large,
            Source = Hosting.VoxEngineHost.Sources.GetValueOrDefault(executionId),
            Goal = goal.Name,
            NodeId = goal.NodeId.ToString(),
            Value = goal.Value,
            DataType = goal.DataType,
            Size = goal.Size,
            Status = goal.Status,
            Error = goal.Error ?? string.Empty,
            Duration = goal.Duration,
            AllocatedBytes = goal.AllocatedBytes,
            ExecutionId = executionId,
            Kind = goal.Kind,
            Path = goal.Path,
        };
    }
}
