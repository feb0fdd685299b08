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

    /// <summary>The drive's store, opened (once per process) on first use.</summary>
    internal IResultStore GetStore() =>
        Task.Run(() => VoxEngineHost.GetStoreAsync(Location, CancellationToken.None).AsTask()).GetAwaiter().GetResult();

    /// <summary>The drive used for provider-qualified paths (no drive given): the provider's first VoxStore drive.</summary>
    internal static VoxDriveInfo? FirstDrive(ProviderInfo provider) =>
        provider.Drives.OfType<VoxDriveInfo>().FirstOrDefault();
}
