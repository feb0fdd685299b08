using System.Management.Automation;
using VoxScheduler.Cmdlets.Completion;
using VoxScheduler.Scheduling;
using VoxScheduler.Storage;

namespace VoxScheduler.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Evicts stored results by age (-OlderThan) and/or total size (-MaxSize, least recently used first); safe while executions run.</para>
/// </summary>
[Cmdlet(VerbsCommon.Clear, "VoxStore", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(EvictionReport))]
public sealed class ClearVoxStoreCommand : VoxCmdletBase
{
    /// <summary>The store: a VoxStore drive (lab:) or a folder; default: the default store.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(StoreDriveCompleter))]
    public string? Store { get; set; }

    /// <summary>Removes results not accessed for longer than this: seconds (30), a unit (30s, 5m, 2h, 7d) or a TimeSpan (7.00:00:00).</summary>
    [Parameter]
    [VoxTimeSpan]
    public TimeSpan OlderThan { get; set; }

    /// <summary>Removes least recently used results until the store holds at most this many bytes (512MB, 2GB).</summary>
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long MaxSize { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        TimeSpan? olderThan = MyInvocation.BoundParameters.ContainsKey(nameof(OlderThan)) ? OlderThan : null;
        long? maxBytes = MyInvocation.BoundParameters.ContainsKey(nameof(MaxSize)) ? MaxSize : null;
        if (olderThan is null && maxBytes is null)
        {
            Terminate(VoxErrors.ParameterConflict, ErrorCategory.InvalidArgument, null, "Give -OlderThan, -MaxSize, or both.");
        }

        Hosting.StoreLocation location;
        try
        {
            location = ResolveStore(Store);
        }
        catch (Exception e) when (e is ArgumentException or ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException)
        {
            Terminate(VoxErrors.StoreUnavailable, ErrorCategory.InvalidArgument, Store, $"Cannot use '{Store}' as a store: {e.Message}", e);
            return;
        }

        var what = string.Join(" and ", new[]
        {
            olderThan is { } t ? $"results unused for {t}" : null,
            maxBytes is { } b ? $"least recently used results beyond {b:N0} bytes" : null,
        }.Where(s => s is not null));
        if (string.IsNullOrWhiteSpace(Store) && !StoreExists(location))
        {
            // The default store before its first result: nothing to trim, and nothing is created.
            // A -Store that names no store is an error instead (a typo must not pass silently).
            WriteVerbose($"The default store {location} does not exist yet; there is nothing to evict.");
            return;
        }

        var store = OpenExistingStore(location);
        if (!ShouldProcess(location.ToString(), $"Evict {what}")) return;
        try
        {
            WriteObject(Block(store.EvictAsync(new EvictionPolicy(olderThan, maxBytes), StopToken).AsTask()));
        }
        catch (Exception e) when (e is DynamicSchedulerException or IOException)
        {
            WriteError(VoxErrors.FromException(e, location.Path, VoxErrors.StoreUnavailable));
        }
    }
}
