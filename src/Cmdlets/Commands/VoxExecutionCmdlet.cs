using System.Management.Automation;
using VoxScheduler.Cmdlets.Completion;
using VoxScheduler.Cmdlets.Hosting;
using VoxScheduler.Cmdlets.Output;

namespace VoxScheduler.Cmdlets.Commands;

/// <summary>Base of the cmdlets that act on executions given by id, name or object (from the pipeline).</summary>
public abstract class VoxExecutionCmdlet : VoxAsyncCmdlet
{
    /// <summary>Executions by id or name.</summary>
    protected const string IdSet = "Id";

    /// <summary>Execution objects (Submit-VoxDag, Get-VoxExecution output).</summary>
    protected const string InputObjectSet = "InputObject";

    /// <summary>Execution ids or names (alias -Id); jobs, results and progress objects from the pipeline bind through their ExecutionId.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [ExecutionIdTransformation]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ExecutionCompleter))]
    public string[] ExecutionId { get; set; } = [];

    /// <summary>Execution objects.</summary>
    [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public VoxExecution[] InputObject { get; set; } = [];

    /// <summary>The store whose history is searched for executions not of this process (default: the default store).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(StoreDriveCompleter))]
    public string? Store { get; set; }

    /// <summary>The executions named by the current input; writes VoxExecutionNotFound for each unknown one.</summary>
    internal IEnumerable<VoxExecution> SelectedExecutions()
    {
        if (ParameterSetName == InputObjectSet)
        {
            foreach (var e in InputObject) yield return Refresh(e);
            yield break;
        }

        StoreLocation? location = null;
        foreach (var id in ExecutionId)
        {
            location ??= ResolveStoreOrTerminate();
            var found = FindExecution(id, location);
            if (found is null)
            {
                WriteError(VoxErrors.NotFound(id, id));
                continue;
            }

            yield return found;
        }
    }

    /// <summary>The store named by -Store (terminating VoxStoreUnavailable when it cannot be used).</summary>
    internal StoreLocation ResolveStoreOrTerminate()
    {
        try
        {
            return ResolveStore(Store);
        }
        catch (Exception e) when (e is ArgumentException or ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException)
        {
            Terminate(VoxErrors.StoreUnavailable, ErrorCategory.InvalidArgument, Store, $"Cannot use '{Store}' as a store: {e.Message}", e);
            throw; // unreachable
        }
    }

    // A past execution object may have become live in this process meanwhile (or the reverse never happens).
    private static VoxExecution Refresh(VoxExecution execution) =>
        execution.IsLive ? execution : FindLive(execution.ExecutionId) is { } live ? new VoxExecution(live, execution.Store, execution.Source ?? VoxEngineHost.Sources.GetValueOrDefault(live.ExecutionId)) : execution;
}
