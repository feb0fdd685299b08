using System.Management.Automation;
using VoxScheduler.Cmdlets.Hosting;
using VoxScheduler.Cmdlets.Output;
using VoxScheduler.Cmdlets.Provider;
using VoxScheduler.Operations;
using VoxScheduler.Scheduling;
using VoxScheduler.Storage;

namespace VoxScheduler.Cmdlets.Commands;

/// <summary>
/// Shared plumbing of the module's cmdlets: the engine, stores named by drive or path,
/// executions by id, name or object, the caller's location, and the error helpers.
/// </summary>
public abstract class VoxCmdletBase : PSCmdlet
{
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Cancelled when the pipeline is stopped (Ctrl+C, Select-Object -First, PowerShell.Stop()).</summary>
    protected CancellationToken StopToken => _stopping.Token;

    /// <summary>The process-wide scheduler.</summary>
    internal static DynamicScheduler Scheduler => VoxEngineHost.Scheduler;

    // What stopping this command leaves behind, said once when it is stopped (null: nothing to say).
    private string? _stopNotice;

    /// <summary>
    /// Set while the command waits on executions that a stop (Ctrl+C) does not end: stopping then
    /// says so once, with how to stop them, instead of leaving work running silently.
    /// </summary>
    internal void SetStopNotice(IEnumerable<string> executionIds)
    {
        var ids = executionIds.Distinct(StringComparer.Ordinal).ToList();
        Volatile.Write(ref _stopNotice, ids.Count == 0 ? null
            : $"Stopped waiting; {(ids.Count == 1 ? "execution " + ids[0] + " keeps" : ids.Count + " executions keep")} running in this session. " +
              $"To stop {(ids.Count == 1 ? "it" : "them")}: Stop-VoxExecution {string.Join(", ", ids.Take(5))}{(ids.Count > 5 ? ", …" : string.Empty)}");
    }

    /// <summary>Clears the notice once the wait is over.</summary>
    internal void ClearStopNotice() => Volatile.Write(ref _stopNotice, null);

    /// <inheritdoc />
    protected override void StopProcessing()
    {
        // Called on another thread: only signal. Waits see the token; the executions keep running.
        _stopping.Cancel();
        if (Interlocked.Exchange(ref _stopNotice, null) is { } notice)
        {
            try
            {
                // The pipeline is stopping, so its warning stream is closed: the host says it.
                Host?.UI?.WriteWarningLine(notice);
            }
            catch (Exception e) when (e is InvalidOperationException or NotImplementedException or PSInvalidOperationException or IOException)
            {
                // A host without a UI cannot be told; the executions still run, as documented.
            }
        }
    }

    /// <summary>
    /// The store named by <paramref name="store"/>: a VoxStore drive (<c>lab:</c> or <c>lab</c>),
    /// a filesystem folder (resolved against the PowerShell location, sqlite backend), or the
    /// default store when null or empty.
    /// </summary>
    internal StoreLocation ResolveStore(string? store)
    {
        if (string.IsNullOrWhiteSpace(store))
        {
            return VoxEngineHost.DefaultStore;
        }

        var trimmed = store.Trim();
        var bareName = trimmed.TrimEnd(':', '/', '\\');
        if (bareName.Length > 0 && bareName.IndexOfAny(['/', '\\', ':', '.']) < 0 || trimmed.EndsWith(':'))
        {
            var named = SessionState.Drive.GetAll().FirstOrDefault(d => d.Name.Equals(bareName, StringComparison.OrdinalIgnoreCase));
            if (named is VoxDriveInfo voxDrive)
            {
                return voxDrive.Location;
            }
        }

        var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(trimmed, out var provider, out var drive);
        if (drive is VoxDriveInfo vox)
        {
            return vox.Location;
        }

        if (provider.ImplementingType == typeof(VoxStoreProvider))
        {
            return VoxDriveInfo.ForPath(SessionState, path)?.Location
                ?? throw new ArgumentException($"'{store}' is not inside a VoxStore drive.");
        }

        if (!provider.Name.Equals("FileSystem", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"'{store}' is neither a VoxStore drive nor a filesystem folder (provider {provider.Name}).");
        }

        // A plain folder: the backend of the store in it, else VOXSCHEDULER_BACKEND, else hybrid.
        var full = Path.GetFullPath(path);
        return new StoreLocation(VoxEngineHost.BackendFor(full), full);
    }

    /// <summary>
    /// True when a store exists at the location. Looks only: the commands that read (history,
    /// results, eviction) never create a store, so a typo leaves nothing behind.
    /// </summary>
    internal static bool StoreExists(StoreLocation location) => StoreFactory.Exists(location.Backend, location.Path);

    /// <summary>Opens an existing store for reading or trimming; a terminating VoxStoreUnavailable when there is none (nothing is created).</summary>
    internal IResultStore OpenExistingStore(StoreLocation location)
    {
        if (!StoreExists(location))
        {
            var why = StoreFactory.IsRegistered(location.Backend) ? "the database has no store of that namespace"
                : Directory.Exists(location.Path) ? "the folder holds no store of that backend" : "the folder does not exist";
            ThrowTerminatingError(VoxErrors.Create(VoxErrors.StoreUnavailable, ErrorCategory.ObjectNotFound, location.Path,
                $"There is no {location.Backend} store at '{location.Path}' ({why}). Submit-VoxDag -Store creates one when it stores results; New-PSDrive -PSProvider VoxStore -Create creates an empty one."));
        }

        return OpenStore(location);
    }

    /// <summary>Opens (or reuses) a store, creating it when missing (writers only), turning failures into a terminating VoxStoreUnavailable.</summary>
    internal IResultStore OpenStore(StoreLocation location)
    {
        try
        {
            return Block(VoxEngineHost.GetStoreAsync(location, StopToken).AsTask());
        }
        catch (Exception e) when (e is not PipelineStoppedException and not OperationCanceledException)
        {
            ThrowTerminatingError(VoxErrors.Create(VoxErrors.StoreUnavailable, ErrorCategory.ResourceUnavailable, location.Path,
                $"The {location.Backend} store at '{location.Path}' cannot be opened: {e.Message}", e));
            throw; // unreachable
        }
    }

    /// <summary>The folder relative paths resolve against: PowerShell's current filesystem location.</summary>
    internal string CallerDirectory => SessionState.Path.CurrentFileSystemLocation.ProviderPath;

    /// <summary>The environment operations see (working directory and output root = the PowerShell location).</summary>
    internal OperationEnvironment CallerEnvironment() => new()
    {
        WorkingDirectory = CallerDirectory,
        OutputRoot = CallerDirectory,
    };

    /// <summary>A live execution of this process (its scheduler's, or one it follows on a cluster), or null.</summary>
    internal static IExecution? FindLive(string idOrName) => Scheduler.Find(idOrName) ?? ClusterConnections.FindExecution(idOrName);

    /// <summary>
    /// An execution by id or name: a live one of this process first, else a past one from the
    /// store's history (by id, then by name, newest first); null when neither knows it.
    /// </summary>
    internal VoxExecution? FindExecution(string idOrName, StoreLocation? storeLocation)
    {
        var live = FindLive(idOrName);
        if (live is not null)
        {
            return new VoxExecution(live, live.Store is { } s ? new StoreLocation(s.Backend, s.Location) : null, VoxEngineHost.Sources.GetValueOrDefault(live.ExecutionId));
        }

        var location = storeLocation ?? VoxEngineHost.DefaultStore;
        if (!StoreExists(location)) return null; // no store, no history: and reading creates none
        var store = OpenStore(location);
        var record = Block(store.GetExecutionAsync(idOrName, StopToken).AsTask());
        if (record is null)
        {
            record = Block(FirstByName(store, idOrName, StopToken));
        }

        return record is null ? null : new VoxExecution(record, location);
    }

    private static async Task<ExecutionRecord?> FirstByName(IResultStore store, string name, CancellationToken cancellationToken)
    {
        await foreach (var r in store.ListExecutionsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return r;
            }
        }

        return null;
    }

    /// <summary>
    /// Waits for engine work on the pipeline thread, giving up when the pipeline is stopped.
    /// The work runs on the thread pool so no synchronisation context can deadlock it.
    /// </summary>
    internal T Block<T>(Task<T> task)
    {
        try
        {
            task.Wait(StopToken);
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (AggregateException)
        {
            // Rethrown unwrapped below.
        }

        return task.GetAwaiter().GetResult();
    }

    /// <summary>Waits for engine work without a result.</summary>
    internal void Block(Task task) => Block(task.ContinueWith(static t => { t.GetAwaiter().GetResult(); return true; }, TaskScheduler.Default));

    /// <summary>Throws a terminating error with a stable id.</summary>
    internal void Terminate(string id, ErrorCategory category, object? target, string message, Exception? inner = null) =>
        ThrowTerminatingError(VoxErrors.Create(id, category, target, message, inner));

    /// <summary>Writes a non-terminating error with a stable id.</summary>
    internal void Error(string id, ErrorCategory category, object? target, string message, Exception? inner = null) =>
        WriteError(VoxErrors.Create(id, category, target, message, inner));
}
