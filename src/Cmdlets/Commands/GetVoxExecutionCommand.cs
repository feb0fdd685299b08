using System.Management.Automation;
using VoxScheduler.Cmdlets.Completion;
using VoxScheduler.Cmdlets.Hosting;
using VoxScheduler.Cmdlets.Output;

namespace VoxScheduler.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Lists executions: those of this process (running and finished) and past ones from a store's history.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "VoxExecution", DefaultParameterSetName = AllSet)]
[OutputType(typeof(VoxExecution))]
public sealed class GetVoxExecutionCommand : VoxAsyncCmdlet
{
    private const string AllSet = "All";

    /// <summary>Execution ids or names (alias -Id); wildcards allowed.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ExecutionCompleter))]
    public string[]? ExecutionId { get; set; }

    /// <summary>The store whose executions are listed: this process's executions on it and its history (default: every execution of this process, and the default store's history).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(StoreDriveCompleter))]
    public string? Store { get; set; }

    /// <summary>Only executions of this process.</summary>
    [Parameter]
    public SwitchParameter Live { get; set; }

    /// <summary>Only executions in this state.</summary>
    [Parameter]
    public Scheduling.ExecutionStatus[]? Status { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var patterns = ExecutionId?.Select(p => WildcardPattern.Get(p, WildcardOptions.IgnoreCase)).ToList();
        bool Matches(VoxExecution e) =>
            (patterns is null || patterns.Any(p => p.IsMatch(e.ExecutionId) || (e.Name is not null && p.IsMatch(e.Name))))
            && (Status is null || Status.Contains(e.Status));

        StoreLocation? location = null;
        try
        {
            if (Store is not null || !Live) location = ResolveStore(Store);
        }
        catch (Exception e) when (e is ArgumentException or ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException)
        {
            Terminate(VoxErrors.StoreUnavailable, ErrorCategory.InvalidArgument, Store, $"Cannot use '{Store}' as a store: {e.Message}", e);
            return;
        }

        // -Store names one store: this process's executions of other stores are not its executions.
        var onlyStore = Store is not null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        // This process's executions: its scheduler's, then those it follows on clusters.
        foreach (var live in Scheduler.ListExecutions().Concat(ClusterConnections.Executions))
        {
            var e = new VoxExecution(live, live.Store is { } s ? new StoreLocation(s.Backend, s.Location) : null, VoxEngineHost.Sources.GetValueOrDefault(live.ExecutionId));
            seen.Add(e.ExecutionId);
            if (onlyStore && e.Store != location) continue;
            if (Matches(e)) WriteObject(e);
        }

        if (Live || location is null) return;

        if (!StoreExists(location))
        {
            WriteVerbose($"There is no store at {location} yet, so no history; nothing was created.");
            return;
        }

        var store = OpenStore(location);
        RunAndDrain(async (sink, token) =>
        {
            await foreach (var record in store.ListExecutionsAsync(token).ConfigureAwait(false))
            {
                if (seen.Contains(record.ExecutionId)) continue;
                var past = new VoxExecution(record, location);
                if (Matches(past)) await sink.OutputAsync(past, token).ConfigureAwait(false);
            }
        });
    }
}
