using System.Management.Automation;
using VoxScheduler.Cmdlets.Output;

namespace VoxScheduler.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Cancels running executions; their completed results stay stored and a new submission resumes them.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "VoxExecution", DefaultParameterSetName = IdSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(VoxExecution))]
public sealed class StopVoxExecutionCommand : VoxExecutionCmdlet
{
    /// <summary>Writes the stopped executions once they have stopped (so their status is the final one).</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Waits until the executions have stopped before returning.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (var execution in SelectedExecutions())
        {
            if (execution.Execution is null && !execution.IsFinished)
            {
                // Recorded as running by another process (or by one that ended without finishing it).
                Error(VoxErrors.ExecutionNotLocal, ErrorCategory.InvalidOperation, execution.ExecutionId,
                    $"Execution {execution} is not running in this PowerShell process; stop it where it runs (its record says {execution.Status}).");
                continue;
            }

            if (execution.Execution is not { } live || execution.IsFinished)
            {
                WriteVerbose($"Execution {execution} has already ended ({execution.Status}).");
                if (PassThru) WriteObject(execution);
                continue;
            }

            if (!ShouldProcess($"execution {execution}", "Stop")) continue;
            live.Cancel();
            if (Wait || PassThru)
            {
                // -PassThru writes the execution as it ends (Cancelled), not as it was (Running).
                Block(live.Completion);
            }

            if (PassThru) WriteObject(execution);
        }
    }
}
