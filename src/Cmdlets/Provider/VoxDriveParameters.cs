using System.Management.Automation;

namespace VoxScheduler.Cmdlets.Provider;

/// <summary>The dynamic parameters New-PSDrive gains for the VoxStore provider.</summary>
public sealed class VoxDriveParameters
{
    /// <summary>The storage backend of the store: hybrid, sqlite or filesystem (default: the backend of the store in the folder; for a new store $env:VOXSCHEDULER_BACKEND, else hybrid).</summary>
    [Parameter]
    [ValidateSet("sqlite", "filesystem", "hybrid", IgnoreCase = true)]
    public string? Backend { get; set; }

    /// <summary>Creates the store when the folder holds none (reading never creates a store).</summary>
    [Parameter]
    public SwitchParameter Create { get; set; }
}
