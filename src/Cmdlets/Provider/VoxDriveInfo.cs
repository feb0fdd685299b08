using System.Management.Automation;
using VoxScheduler.Cmdlets.Hosting;
using VoxScheduler.Storage;

namespace VoxScheduler.Cmdlets.Provider;

/// <summary>
/// A VoxStore drive: where the drive's state lives (providers are re-created for every
/// operation, so they keep none). The store itself is the process-wide one for this location,
/// opened on first use.
/// </summary>
public sealed class VoxDriveInfo : PSDriveInfo
{
    internal VoxDriveInfo(PSDriveInfo drive, StoreLocation location) : base(drive)
    {
        Location = location;
    }

    /// <summary>The store's backend and folder.</summary>
    public StoreLocation Location { get; }

    /// <summary>The store's backend.</summary>
    public string Backend => Location.Backend;

    /// <summary>The store's folder.</summary>
    public string StorePath => Location.Path;

    /// <summary>
    /// True when the drive's folder holds a store of its backend. Looks only: reading a drive
    /// whose store does not exist yet (the default drive before the first Submit-VoxDag) creates nothing.
    /// </summary>
    internal bool StoreExists() => StoreFactory.Exists(Location.Backend, Location.Path);

    /// <summary>The drive's store, opened (once per process) on first use; created when missing, so only writers call it on a store that may not exist.</summary>
    internal IResultStore GetStore() =>
        Task.Run(() => VoxEngineHost.GetStoreAsync(Location, CancellationToken.None).AsTask()).GetAwaiter().GetResult();

    /// <summary>
    /// The drive whose store holds a provider path: every drive's root is its store's folder, so
    /// a PSPath (<c>VoxScheduler\VoxStore::&lt;store folder&gt;/&lt;id&gt;</c>) names its store as a
    /// FileSystem path names its file. The longest matching root wins; null when none matches.
    /// </summary>
    internal static VoxDriveInfo? ForPath(SessionState session, string providerPath) =>
        // Every scope's drives (a drive made inside a function or a Pester block is in a child
        // scope that ProviderInfo.Drives does not list).
        session.Drive.GetAllForProvider(VoxStoreProvider.ProviderName).OfType<VoxDriveInfo>()
            .Where(d => VoxStorePath.IsUnder(providerPath, d.Root))
            .MaxBy(d => d.Root.Length);
}
