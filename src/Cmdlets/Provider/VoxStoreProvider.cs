using System.Collections;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Provider;
using VoxScheduler.Cmdlets.Commands;
using VoxScheduler.Cmdlets.Hosting;
using VoxScheduler.Cmdlets.Output;
using VoxScheduler.Dag;
using VoxScheduler.Storage;

namespace VoxScheduler.Cmdlets.Provider;

/// <summary>
/// The VoxStore provider: a store as a drive. The root lists the <c>executions</c> folder and then
/// every stored result (streamed, never loaded whole); <c>executions\&lt;id&gt;</c> lists an
/// execution's named nodes. Get-Content reads values (bytes in chunks), Remove-Item deletes
/// results, Get/Set-ItemProperty read and write metadata. Drive state lives on
/// <see cref="VoxDriveInfo"/>, since the engine creates a new provider object per operation.
/// </summary>
[CmdletProvider(ProviderName, ProviderCapabilities.ShouldProcess | ProviderCapabilities.Filter | ProviderCapabilities.Include | ProviderCapabilities.Exclude
    | ProviderCapabilities.ExpandWildcards
    | ProviderCapabilities.Credentials)]
[OutputType(typeof(VoxStoreItem), typeof(VoxExecution), typeof(VoxExecutionNode), typeof(VoxStoreFolder), ProviderCmdlet = ProviderCmdlet.GetChildItem)]
[OutputType(typeof(VoxStoreItem), typeof(VoxExecution), typeof(VoxExecutionNode), typeof(VoxStoreFolder), ProviderCmdlet = ProviderCmdlet.GetItem)]
public sealed partial class VoxStoreProvider : NavigationCmdletProvider, IContentCmdletProvider, IPropertyCmdletProvider
{
    /// <summary>The provider's name.</summary>
    public const string ProviderName = "VoxStore";

    /// <summary>The default drive's name.</summary>
    public const string DefaultDriveName = "Vox";

    /// <inheritdoc />
    protected override Collection<PSDriveInfo> InitializeDefaultDrives()
    {
        var location = VoxEngineHost.DefaultStore;
        // The root is the store's folder, so every PSPath names its store (see VoxDriveInfo.ForPath).
        var drive = new PSDriveInfo(DefaultDriveName, ProviderInfo, location.Path, $"VoxScheduler default store ({location})", null);
        return [new VoxDriveInfo(drive, location)];
    }

    /// <inheritdoc />
    protected override object NewDriveDynamicParameters() => new VoxDriveParameters();

    /// <inheritdoc />
    protected override PSDriveInfo? NewDrive(PSDriveInfo drive)
    {
        if (drive is VoxDriveInfo) return drive;
        if (string.IsNullOrWhiteSpace(drive.Root))
        {
            WriteError(VoxErrors.Create(VoxErrors.StoreUnavailable, ErrorCategory.InvalidArgument, drive.Name, "-Root must name the store's folder."));
            return null;
        }

        var parameters = DynamicParameters as VoxDriveParameters;
        var chosenBackend = parameters?.Backend?.ToLowerInvariant();
        if (chosenBackend == PostgresBackendName) return NewPostgresDrive(drive, parameters!);
        if (drive.Credential is { } credential && credential != PSCredential.Empty || parameters?.ConnectionFile is not null)
        {
            WriteError(VoxErrors.Create(VoxErrors.StoreUnavailable, ErrorCategory.InvalidArgument, drive.Name,
                "-Credential and -ConnectionFile are for -Backend postgres (a store in a PostgreSQL database); a folder store needs neither."));
            return null;
        }

        string path;
        try
        {
            // -Root is passed verbatim: resolve it against the PowerShell location, not the process's.
            path = Path.GetFullPath(SessionState.Path.GetUnresolvedProviderPathFromPSPath(drive.Root));
        }
        catch (Exception e) when (e is ArgumentException or ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException or NotSupportedException)
        {
            WriteError(VoxErrors.Create(VoxErrors.StoreUnavailable, ErrorCategory.InvalidArgument, drive.Root, $"'{drive.Root}' is not a usable folder: {e.Message}", e));
            return null;
        }

        string backend;
        string? held;
        try
        {
            backend = chosenBackend ?? VoxEngineHost.BackendFor(path);
            held = StoreFactory.DetectBackend(path);
        }
        catch (DynamicSchedulerException e)
        {
            WriteError(VoxErrors.FromException(e, path, VoxErrors.StoreUnavailable));
            return null;
        }

        if (held is not null && held != backend)
        {
            WriteError(VoxErrors.Create(VoxErrors.StoreUnavailable, ErrorCategory.InvalidArgument, drive.Root,
                $"'{path}' holds a {held} store, not a {backend} one (a folder never mixes backends): leave out -Backend, or give -Backend {held}."));
            return null;
        }

        var location = new StoreLocation(backend, path);
        // A drive opens a store; it creates one only when asked (-Create), as a FileSystem drive
        // refuses a missing root: a typo in -Root must not leave an empty store behind.
        var create = (DynamicParameters as VoxDriveParameters)?.Create.IsPresent == true;
        if (!create && !StoreFactory.Exists(backend, path))
        {
            var why = Directory.Exists(path) ? $"'{path}' holds no {backend} store" : $"the folder '{path}' does not exist";
            WriteError(VoxErrors.Create(VoxErrors.StoreUnavailable, ErrorCategory.ObjectNotFound, drive.Root,
                $"There is no {backend} store to open: {why}. To create one there, add -Create: New-PSDrive -Name {drive.Name} -PSProvider VoxStore -Root '{drive.Root}' -Backend {backend} -Create."));
            return null;
        }

        var result = new VoxDriveInfo(new PSDriveInfo(drive.Name, drive.Provider, path,
            string.IsNullOrEmpty(drive.Description) ? $"VoxScheduler {location}" : drive.Description, drive.Credential), location);
        try
        {
            // A retention given to the drive is the store's in this process: applied as the store
            // opens (or at once when it is open already), then in the background.
            if ((DynamicParameters as VoxDriveParameters)?.ToRetention() is { } retention)
            {
                var report = Task.Run(() => VoxEngineHost.Scheduler.SetRetentionAsync(backend, path, retention).AsTask()).GetAwaiter().GetResult();
                result.GetStore();
                WriteVerbose($"Retention of {location}: {Describe(report)}");
            }
            else
            {
                result.GetStore();
            }
        }
        catch (ValidationException e)
        {
            WriteError(VoxErrors.Create(VoxErrors.StoreUnavailable, ErrorCategory.InvalidArgument, drive.Root, e.Message, e));
            return null;
        }
        catch (Exception e) when (e is DynamicSchedulerException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            WriteError(VoxErrors.FromException(e, path, VoxErrors.StoreUnavailable));
            return null;
        }

        return result;
    }

    private static string Describe(Scheduling.RetentionReport? report) => report is null ? "applied when the store opened."
        : $"{report.Eviction?.RemovedResults ?? 0} result(s) evicted ({report.Eviction?.RemovedBytes ?? 0} bytes), " +
          $"{report.History?.RemovedExecutions ?? 0} execution(s) forgotten, {report.Kept} kept for running executions.";

    /// <inheritdoc />
    protected override PSDriveInfo RemoveDrive(PSDriveInfo drive) => drive; // the store stays open for the other users of the process

    /// <inheritdoc />
    protected override bool IsValidPath(string path) => VoxStorePath.Parse(path, TryDriveOf(path)?.Root ?? string.Empty).Kind != VoxStorePathKind.Invalid;

    /// <inheritdoc />
    protected override bool ItemExists(string path)
    {
        var p = Parse(path);
        if (!DriveOf(path).StoreExists()) return p.Kind is VoxStorePathKind.Root or VoxStorePathKind.Executions;
        return p.Kind switch
        {
            // An ambiguous prefix "exists" so that the command reaches GetItem, which says why it cannot choose.
            VoxStorePathKind.Root or VoxStorePathKind.Executions or VoxStorePathKind.Ambiguous => true,
            VoxStorePathKind.Result => Run(path, s => s.ExistsAsync(p.NodeId).AsTask()),
            VoxStorePathKind.Execution => Run(path, s => s.GetExecutionAsync(p.ExecutionId!).AsTask()) is not null,
            VoxStorePathKind.ExecutionNode => FindNode(path, p) is not null,
            _ => false,
        };
    }

    /// <inheritdoc />
    protected override bool IsItemContainer(string path) => Parse(path).IsContainer;

    /// <inheritdoc />
    protected override bool HasChildItems(string path)
    {
        var p = Parse(path);
        if (!DriveOf(path).StoreExists()) return p.Kind == VoxStorePathKind.Root;
        return p.Kind switch
        {
            VoxStorePathKind.Root => true,
            VoxStorePathKind.Executions => Run(path, s => AnyAsync(s.ListExecutionsAsync())),
            VoxStorePathKind.Execution => Run(path, s => AnyAsync(s.ListExecutionNodesAsync(p.ExecutionId!))),
            _ => false,
        };
    }

    /// <inheritdoc />
    protected override void GetItem(string path)
    {
        var p = Parse(path);
        var store = Store(path);
        switch (p.Kind)
        {
            case VoxStorePathKind.Root:
                WriteItemObject(new VoxStoreFolder(string.Empty, $"{DriveOf(path).Location}"), path, true);
                break;
            case VoxStorePathKind.Executions:
                WriteItemObject(new VoxStoreFolder(VoxStorePath.ExecutionsFolder, "Executions recorded in the store"), path, true);
                break;
            case VoxStorePathKind.Result:
                var metadata = Await(store.GetMetadataAsync(p.NodeId).AsTask());
                if (metadata is null) NotFound(path);
                else WriteItemObject(new VoxStoreItem(metadata), path, false);
                break;
            case VoxStorePathKind.Execution:
                var record = Await(store.GetExecutionAsync(p.ExecutionId!).AsTask());
                if (record is null) NotFound(path);
                else WriteItemObject(new VoxExecution(record, DriveOf(path).Location), path, true);
                break;
            case VoxStorePathKind.ExecutionNode:
                var node = FindNode(path, p);
                if (node is null) NotFound(path);
                else WriteItemObject(new VoxExecutionNode(node, Await(store.ExistsAsync(node.NodeId).AsTask())), path, false);
                break;
            case VoxStorePathKind.Ambiguous:
                Ambiguous(path, p);
                break;
            default:
                NotFound(path);
                break;
        }
    }

    /// <inheritdoc />
    protected override void RemoveItem(string path, bool recurse)
    {
        var p = Parse(path);
        NodeId id;
        switch (p.Kind)
        {
            case VoxStorePathKind.Result:
                id = p.NodeId;
                break;
            case VoxStorePathKind.ExecutionNode when FindNode(path, p) is { } node:
                id = node.NodeId;
                break;
            case VoxStorePathKind.ExecutionNode or VoxStorePathKind.ResultPrefix:
                NotFound(path);
                return;
            case VoxStorePathKind.Ambiguous:
                Ambiguous(path, p);
                return;
            default:
                WriteError(VoxErrors.Create(VoxErrors.NotSupported, ErrorCategory.NotImplemented, path,
                    "Only results can be removed (an execution's history is kept; use Clear-VoxStore to trim the store)."));
                return;
        }

        if (!ShouldProcess(path, $"Remove result {id}")) return;
        if (!Run(path, s => s.DeleteAsync(id).AsTask())) NotFound(path);
    }

    /// <inheritdoc />
    protected override string GetChildName(string path)
    {
        var trimmed = path.TrimEnd('/', '\\');
        var i = trimmed.LastIndexOfAny(['/', '\\']);
        return i < 0 ? trimmed : trimmed[(i + 1)..];
    }

    // ---- helpers ----

    /// <summary>
    /// The drive a provider path belongs to: the one whose store folder (its root) the path is
    /// under, whatever drive the command was given or none (provider-qualified PSPaths of piped
    /// items); a path under no VoxStore drive is an error, never another store.
    /// </summary>
    private VoxDriveInfo DriveOf(string path) => TryDriveOf(path) ?? throw new PSArgumentException(
        $"'{path}' is in no VoxStore drive's store. Open the store first: New-PSDrive -Name <name> -PSProvider VoxStore -Root <store folder>.");

    private VoxDriveInfo? TryDriveOf(string path)
    {
        if (PSDriveInfo is VoxDriveInfo current && VoxStorePath.IsUnder(path, current.Root)) return current;
        if (VoxDriveInfo.ForPath(SessionState, path) is { } owner) return owner;
        return PSDriveInfo is VoxDriveInfo relative && !System.IO.Path.IsPathRooted(path) ? relative : null;
    }

    private (VoxDriveInfo Drive, VoxStorePath Path) Resolve(string path)
    {
        var drive = DriveOf(path);
        return (drive, VoxStorePath.Parse(path, drive.Root));
    }

    private IResultStore Store(string path) => StoreOf(DriveOf(path));

    // Reading and changing what is stored need a store that exists; only a copy into a drive creates one (CreatingStoreOf).
    private IResultStore StoreOf(VoxDriveInfo drive)
    {
        if (!drive.StoreExists())
        {
            ThrowTerminatingError(VoxErrors.Create(VoxErrors.StoreUnavailable, ErrorCategory.ObjectNotFound, drive.StorePath,
                $"There is no {drive.Backend} store at '{drive.StorePath}' yet: Submit-VoxDag creates one when it stores a result there, or copy a result into the drive."));
        }

        return CreatingStoreOf(drive);
    }

    private IResultStore CreatingStoreOf(VoxDriveInfo drive)
    {
        try
        {
            return drive.GetStore();
        }
        catch (Exception e) when (e is DynamicSchedulerException or IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(VoxErrors.FromException(e, drive.StorePath, VoxErrors.StoreUnavailable));
            throw; // unreachable
        }
    }

    private NodeId? ResultId(string path)
    {
        var p = Parse(path);
        if (p.Kind == VoxStorePathKind.Ambiguous)
        {
            Ambiguous(path, p);
            return null;
        }

        return p.Kind switch
        {
            VoxStorePathKind.Result => p.NodeId,
            VoxStorePathKind.ExecutionNode => FindNode(path, p)?.NodeId,
            _ => null,
        };
    }

    private ExecutionNodeName? FindNode(string path, VoxStorePath p) =>
        Run(path, s => FirstAsync(s.ListExecutionNodesAsync(p.ExecutionId!), n => n.Name == p.Name));

    private T Run<T>(string path, Func<IResultStore, Task<T>> action)
    {
        var store = Store(path);
        try
        {
            return Await(Task.Run(() => action(store)));
        }
        catch (Exception e) when (e is DynamicSchedulerException or IOException or UnauthorizedAccessException)
        {
            // The store's failure under its own id (VoxStoreUnavailable/VoxStoreCorrupt), not a bare StorageException of the provider cmdlet.
            ThrowTerminatingError(VoxErrors.FromException(e, path, VoxErrors.StoreUnavailable));
            throw; // unreachable
        }
    }

    // Provider calls are synchronous; engine calls run on the pool so no context can deadlock them.
    private static T Await<T>(Task<T> task) => task.GetAwaiter().GetResult();

    private static async Task<bool> AnyAsync<T>(IAsyncEnumerable<T> source)
    {
        await foreach (var _ in source.ConfigureAwait(false)) return true;
        return false;
    }

    private static async Task<T?> FirstAsync<T>(IAsyncEnumerable<T> source, Func<T, bool> predicate) where T : class
    {
        await foreach (var item in source.ConfigureAwait(false))
        {
            if (predicate(item)) return item;
        }

        return null;
    }

    private void NotFound(string path) =>
        WriteError(new ErrorRecord(new ItemNotFoundException($"Cannot find '{path}' in the store."), VoxErrors.ItemNotFound, ErrorCategory.ObjectNotFound, path));
}
