using System.Management.Automation;

namespace VoxScheduler.Cmdlets.Hosting;

/// <summary>Runs when the module is removed (Remove-Module): closes the session's cluster connections.</summary>
public sealed class VoxModuleCleanup : IModuleAssemblyCleanup
{
    /// <inheritdoc />
    public void OnRemove(PSModuleInfo psModuleInfo) => ClusterConnections.CloseAll(TimeSpan.FromSeconds(15));
}
