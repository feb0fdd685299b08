using System.Management.Automation;
using VoxScheduler.Cmdlets.Hosting;
using VoxScheduler.Cmdlets.Output;

namespace VoxScheduler.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Removes finished executions from a store's history (and from this process's list).</para>
/// The results stay in the store: they are content-addressed and may serve other executions
/// (Clear-VoxStore evicts results). A running execution cannot be removed; stop it first.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "VoxExecution", DefaultParameterSetName = InputObjectSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(void))]
// Execution objects are the default set, so a past execution piped from Get-VoxExecution -Store
// binds as itself (with its store) rather than by its ExecutionId, which would be looked up in the default store.
public sealed class RemoveVoxExecutionCommand : VoxExecutionCmdlet
{
    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (var execution in SelectedExecutions())
        {
            Remove(execution);
        }
    }

    private void Remove(VoxExecution execution)
    {
        if (!execution.IsFinished)
        {
            var where = execution.IsLive ? "in this process" : "in another process";
            Error(VoxErrors.ExecutionRunning, ErrorCategory.ResourceBusy, execution,
                $"Execution {execution} is {execution.Status} {where}; stop it first (Stop-VoxExecution), then remove it.");
            return;
        }

        if (!ShouldProcess(execution.ToString(), "Remove execution from history")) return;
        if (execution.Store is { } location)
        {
            var store = OpenExistingStore(location);
            try
            {
                Block(store.DeleteExecutionAsync(execution.ExecutionId, StopToken).AsTask());
            }
            catch (Exception e) when (e is DynamicSchedulerException or IOException or UnauthorizedAccessException)
            {
                WriteError(VoxErrors.FromException(e, execution, VoxErrors.StoreUnavailable));
                return;
            }
        }

        if (execution.IsLive)
        {
            Scheduler.Forget(execution.ExecutionId);
            VoxEngineHost.Sources.TryRemove(execution.ExecutionId, out _);
        }

        WriteVerbose($"Removed execution {execution} from the history of {execution.Store?.ToString() ?? "this process"}.");
    }
}
