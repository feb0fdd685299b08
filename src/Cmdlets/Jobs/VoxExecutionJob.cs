using System.Management.Automation;
using VoxScheduler.Cmdlets.Commands;
using VoxScheduler.Cmdlets.Output;
using VoxScheduler.Execution;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Cmdlets.Jobs;

/// <summary>
/// An execution as a PowerShell job (<c>Submit-VoxDag -AsJob</c>): results go to the job's
/// Output, progress to its Progress stream, so Get-Job, Wait-Job, Receive-Job, Stop-Job and
/// Remove-Job work unchanged. The collections are thread-safe; the engine fills them from any thread.
/// </summary>
public sealed class VoxExecutionJob : Job
{
    private readonly VoxExecution _execution;
    private readonly IExecution _handle;
    private int _started;
    private volatile bool _stopRequested;

    internal VoxExecutionJob(VoxExecution execution, string? command)
        : base(string.IsNullOrWhiteSpace(command) ? "Submit-VoxDag" : command.Trim(), execution.Name ?? $"Vox-{execution.ExecutionId}")
    {
        _execution = execution;
        _handle = execution.Execution ?? throw new ArgumentException("Only live executions can be jobs.", nameof(execution));
        PSJobTypeName = "VoxExecutionJob";
    }

    /// <summary>The execution's id (lets Get-VoxResult and friends take the job from the pipeline).</summary>
    public string ExecutionId => _execution.ExecutionId;

    /// <summary>The execution behind the job.</summary>
    public VoxExecution Execution => _execution;

    /// <inheritdoc />
    public override string StatusMessage
    {
        get
        {
            var p = _handle.GetProgress();
            return $"{p.Status}: {p.ProgressPercentage:0}% ({p.CompletedNodes} of {p.TotalNodes} nodes)";
        }
    }

    /// <inheritdoc />
    public override bool HasMoreData => Output.Count > 0 || Error.Count > 0;

    /// <inheritdoc />
    public override string Location => _execution.Store?.Path ?? "memory";

    /// <summary>Follows the execution in the background until it ends.</summary>
    internal void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0) return;
        SetJobState(JobState.Running);
        _ = Task.Run(FollowAsync);
    }

    /// <inheritdoc />
    public override void StopJob()
    {
        _stopRequested = true;
        _handle.Cancel();

        // Stop-Job expects the job to be finished when it returns; the cancel is cooperative, so wait a bounded time.
        _handle.Completion.Wait(TimeSpan.FromSeconds(30));
        FinishedWaiter();
    }

    private async Task FollowAsync()
    {
        var sink = new JobSink(this);
        try
        {
            await ExecutionStreaming.StreamResultsAsync(_handle, sink, static _ => true, showProgress: true, -1, CancellationToken.None).ConfigureAwait(false);
            await _handle.Completion.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Error.Add(VoxErrors.FromException(e, _execution.ExecutionId));
        }

        FinishedWaiter();
    }

    private void FinishedWaiter()
    {
        lock (Output)
        {
            if (IsFinishedState(JobStateInfo.State)) return;
            // A job stopped by Stop-Job is Stopped, whatever the execution reported for its cancelled goals.
            var state = _stopRequested && _handle.Completion.IsCompleted ? JobState.Stopped : _handle.Status switch
            {
                ExecutionStatus.Completed => JobState.Completed,
                ExecutionStatus.Cancelled => JobState.Stopped,
                ExecutionStatus.Failed => JobState.Failed,
                _ => (JobState?)null,
            };
            if (state is { } s) SetJobState(s);
        }
    }

    private static bool IsFinishedState(JobState state) => state is JobState.Completed or JobState.Failed or JobState.Stopped;

    private sealed class JobSink(VoxExecutionJob job) : IPipelineSink
    {
        public ValueTask OutputAsync(object? value, CancellationToken cancellationToken)
        {
            job.Output.Add(PSObject.AsPSObject(value!));
            return ValueTask.CompletedTask;
        }

        public ValueTask ErrorAsync(ErrorRecord error, CancellationToken cancellationToken)
        {
            job.Error.Add(error);
            return ValueTask.CompletedTask;
        }

        public ValueTask ProgressAsync(ProgressRecord progress, CancellationToken cancellationToken)
        {
            job.Progress.Add(progress);
            return ValueTask.CompletedTask;
        }

        public ValueTask VerboseAsync(string message, CancellationToken cancellationToken)
        {
            job.Verbose.Add(new VerboseRecord(message));
            return ValueTask.CompletedTask;
        }

        public ValueTask WarningAsync(string message, CancellationToken cancellationToken)
        {
            job.Warning.Add(new WarningRecord(message));
            return ValueTask.CompletedTask;
        }
    }
}
