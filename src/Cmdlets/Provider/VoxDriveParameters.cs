using System.Management.Automation;

namespace VoxScheduler.Cmdlets.Provider;

/// <summary>The dynamic parameters New-PSDrive gains for the VoxStore provider.</summary>
public sealed class VoxDriveParameters
{
    /// <summary>
    /// The storage backend of the store: hybrid, sqlite or filesystem (default: the backend of the
    /// store in the folder; for a new store $env:VOXSCHEDULER_BACKEND, else hybrid), or postgres: a
    /// store in a shared PostgreSQL database, -Root naming its namespace there.
    /// </summary>
    [Parameter]
    [ValidateSet("sqlite", "filesystem", "hybrid", "postgres", IgnoreCase = true)]
    public string? Backend { get; set; }

    /// <summary>
    /// -Backend postgres: a file holding the PostgreSQL connection string (else
    /// $env:VOXSCHEDULER_POSTGRES); New-PSDrive's -Credential supplies the user name and password.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConnectionFile { get; set; }

    /// <summary>Creates the store when the folder holds none (reading never creates a store).</summary>
    [Parameter]
    public SwitchParameter Create { get; set; }

    /// <summary>
    /// Retention: results not used for this long are evicted, when the drive opens the store and
    /// then every -RetentionInterval while this process has it open (seconds, 30s, 5m, 2h, 7d or a
    /// TimeSpan). Results a running execution still needs are never evicted.
    /// </summary>
    [Parameter]
    [VoxScheduler.Cmdlets.Commands.VoxTimeSpan]
    public TimeSpan? MaxAge { get; set; }

    /// <summary>Retention: least recently used results are evicted until the store holds at most this many bytes (e.g. 10GB).</summary>
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long? MaxSize { get; set; }

    /// <summary>Retention: the execution history keeps at most this many finished executions, the newest (their results stay).</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int? MaxExecutions { get; set; }

    /// <summary>Retention: finished executions that ended longer ago than this are forgotten (their results stay).</summary>
    [Parameter]
    [VoxScheduler.Cmdlets.Commands.VoxTimeSpan]
    public TimeSpan? MaxExecutionAge { get; set; }

    /// <summary>How often the retention is applied while the store is open (default 10 minutes; 1 second to 1 day).</summary>
    [Parameter]
    [VoxScheduler.Cmdlets.Commands.VoxTimeSpan]
    public TimeSpan? RetentionInterval { get; set; }

    /// <summary>The retention these parameters describe, or null when none was given.</summary>
    internal Scheduling.StoreRetention? ToRetention()
    {
        if (MaxAge is null && MaxSize is null && MaxExecutions is null && MaxExecutionAge is null) return null;
        var retention = new Scheduling.StoreRetention
        {
            MaxAge = MaxAge,
            MaxTotalBytes = MaxSize,
            History = MaxExecutions is null && MaxExecutionAge is null ? null : new Storage.HistoryRetention(MaxExecutionAge, MaxExecutions),
        };
        return RetentionInterval is { } every ? retention with { Interval = every } : retention;
    }
}
