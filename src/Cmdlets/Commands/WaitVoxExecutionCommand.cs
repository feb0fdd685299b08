using System.Management.Automation;
using VoxScheduler.Cmdlets.Output;

namespace VoxScheduler.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Waits until executions end (Wait-Job semantics) and writes them; -Timeout bounds the wait.</para>
/// Ctrl+C ends the wait and leaves the executions running.
/// </summary>
[Cmdlet(VerbsLifecycle.Wait, "VoxExecution", DefaultParameterSetName = IdSet)]
[OutputType(typeof(VoxExecution))]
public sealed class WaitVoxExecutionCommand : VoxExecutionCmdlet
{
    private readonly List<VoxExecution> _executions = [];

    /// <summary>
    /// How long to wait: seconds (30), a unit (30s, 5m, 2h) or a TimeSpan (00:05:00); without it the
    /// wait has no end. When it expires, only the executions that ended are written.
    /// </summary>
    [Parameter]
    [Alias("TimeoutSec")]
    [VoxTimeSpan]
    public TimeSpan Timeout { get; set; }

    /// <summary>Returns as soon as any one of the executions ends.</summary>
    [Parameter]
    public SwitchParameter Any { get; set; }

    private bool HasTimeout => MyInvocation.BoundParameters.ContainsKey(nameof(Timeout));

    /// <inheritdoc />
    protected override void ProcessRecord() => _executions.AddRange(SelectedExecutions());

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (_executions.Count == 0) return;
        var pending = _executions.Where(e => e.Execution is { } x && !x.Completion.IsCompleted).Select(e => (Task)e.Execution!.Completion).ToArray();
        var anyEnded = pending.Length < _executions.Count;
        if (pending.Length > 0 && !(Any && anyEnded))
        {
            // Completion, timeout and stop race; only the wait ends, never the executions.
            var all = Any ? Task.WhenAny(pending) : Task.WhenAll(pending);
            var limit = HasTimeout ? Timeout : System.Threading.Timeout.InfiniteTimeSpan;
            SetStopNotice(_executions.Where(e => e.Execution is { } x && !x.Completion.IsCompleted).Select(e => e.ExecutionId));
            try
            {
                all.Wait(limit, StopToken);
            }
            catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            finally
            {
                ClearStopNotice();
            }
        }

        var finished = _executions.Where(e => e.IsFinished).DistinctBy(e => e.ExecutionId).ToList();
        if (HasTimeout && finished.Count < _executions.DistinctBy(e => e.ExecutionId).Count() && !(Any && finished.Count > 0))
        {
            WriteVerbose($"Timed out after {Timeout} with {finished.Count} of {_executions.Count} executions finished.");
        }

        WriteObject(finished, enumerateCollection: true);
    }
}
