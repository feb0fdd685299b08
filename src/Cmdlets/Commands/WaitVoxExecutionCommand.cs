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

    /// <summary>Seconds to wait; -1 (default) waits for ever. When it expires, only the executions that ended are written.</summary>
    [Parameter]
    [Alias("TimeoutSec")]
    [ValidateRange(-1, int.MaxValue)]
    public int Timeout { get; set; } = -1;

    /// <summary>Returns as soon as any one of the executions ends.</summary>
    [Parameter]
    public SwitchParameter Any { get; set; }

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
            var limit = Timeout < 0 ? System.Threading.Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(Timeout);
            try
            {
                all.Wait(limit, StopToken);
            }
            catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        var finished = _executions.Where(e => e.IsFinished).DistinctBy(e => e.ExecutionId).ToList();
        if (Timeout >= 0 && finished.Count < _executions.DistinctBy(e => e.ExecutionId).Count() && !(Any && finished.Count > 0))
        {
            WriteVerbose($"Timed out after {Timeout} s with {finished.Count} of {_executions.Count} executions finished.");
        }

        WriteObject(finished, enumerateCollection: true);
    }
}
