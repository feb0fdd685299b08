@{
    RootModule           = 'VoxScheduler.dll'
    # Imported before the root module: the loader sets up the module's own AssemblyLoadContext,
    # where the engine and its dependencies (Dependencies/) load in isolation from other modules;
    # the script module makes Copy-Item an alias of Copy-VoxItem, which also copies results of
    # VoxStore drives to files (see about_VoxScheduler).
    NestedModules        = @('VoxScheduler.Loader.dll', 'VoxScheduler.CopyItem.psm1')
    ModuleVersion        = '{{ModuleVersion}}'
    GUID                 = '5b0f3c4e-8d7a-4c1e-9f52-6a1d2e7b9c31'
    Author               = 'VoxScheduler developers'
    CompanyName          = 'VoxScheduler'
    Copyright            = '(c) VoxScheduler developers. MIT License.'
    Description          = 'A dynamic, persistent, content-addressed scheduler for VoxLogicA programs and any DAG: nodes run as soon as their inputs are ready, every result is stored under its content id, reruns compute only what changed.'
    CompatiblePSEditions = @('Core')
    PowerShellVersion    = '7.6'
    FormatsToProcess     = @('VoxScheduler.format.ps1xml')
    TypesToProcess       = @()
    CmdletsToExport      = @(
        'Submit-VoxDag'
        'Get-VoxProgress'
        'Stop-VoxExecution'
        'Get-VoxResult'
        'Wait-VoxExecution'
        'Get-VoxExecution'
        'New-VoxNode'
        'Get-VoxOperation'
        'Register-VoxOperation'
        'ConvertTo-VoxDag'
        'Measure-VoxDag'
        'Clear-VoxStore'
        'Save-VoxResult'
        'Show-VoxDag'
        'Unregister-VoxOperation'
        'Remove-VoxExecution'
        'Connect-VoxCluster'
        'Disconnect-VoxCluster'
        'Get-VoxCluster'
    )
    FunctionsToExport    = @('Copy-VoxItem')
    AliasesToExport      = @('Copy-Item')
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('VoxLogicA', 'DAG', 'Scheduler', 'ImageAnalysis', 'SQLite', 'Cluster', 'Orleans', 'PostgreSQL')
            ProjectUri   = 'https://github.com/voxlogica-project/voxscheduler'
            # The LICENSE file at the repository root (also shipped in the module folder).
            LicenseUri   = 'https://github.com/voxlogica-project/voxscheduler/blob/main/LICENSE'
            # build.ps1 fills in this version's CHANGELOG.md section.
            ReleaseNotes = '{{ReleaseNotes}}'
            # No HelpInfoURI (top-level key) and no HelpUri on the cmdlets: the help ships in the
            # module (en-US/), and there is no updatable-help or online page to point at yet.
        }
    }
}
