using System.Management.Automation;

namespace VoxScheduler.Cmdlets.Provider;

/// <summary>The dynamic parameters New-PSDrive gains for the VoxStore provider.</summary>
public sealed class VoxDriveParameters
{
    /// <summary>The storage backend of the store: sqlite (default), filesystem or hybrid.</summary>
    [Parameter]
    [ValidateSet("sqlite", "filesystem", "hybrid", IgnoreCase = true)]
    public string Backend { get; set; } = "sqlite";

    /// <summary>Creates the store when the folder holds none (reading never creates a store).</summary>
    [Parameter]
    public SwitchParameter Create { get; set; }
}
