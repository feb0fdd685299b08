using System.Management.Automation;

namespace VoxScheduler.Loader;

/// <summary>
/// Runs when the loader (the manifest's first nested module) is imported, before PowerShell
/// loads the cmdlet assembly: sets up <see cref="VoxLoadContext"/>. The cmdlet assembly cannot
/// do this itself, because PowerShell resolves the engine types its cmdlets use while reading
/// it, before any of its own initialisers run.
/// </summary>
public sealed class LoaderInitializer : IModuleAssemblyInitializer
{
    /// <inheritdoc />
    public void OnImport() => VoxLoadContext.Register();
}
