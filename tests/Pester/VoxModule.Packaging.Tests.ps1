#requires -Version 7.6
# build.ps1 pack: the .nupkg installs from a local PSResourceGet repository into a temporary
# module path and imports by name in a fresh pwsh.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:root = [IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../..'))
    $script:moduleDir = Split-Path $script:VoxModulePath
    $script:feed = Join-Path $TestDrive 'feed'
    $script:package = & (Join-Path $root 'tools/New-ModulePackage.ps1') -ModulePath $moduleDir -OutputDirectory $feed 6>$null
    $script:manifest = Import-PowerShellDataFile $script:VoxModulePath
}

Describe 'Module package' {
    It 'has the license, changelog and Gallery metadata in the repository and the manifest' {
        Get-Content -Raw (Join-Path $root 'LICENSE') | Should -Match '^MIT License'
        $manifest.Copyright | Should -Match 'MIT'
        $psData = $manifest.PrivateData.PSData
        $psData.ProjectUri | Should -Match '^https://'
        $psData.LicenseUri | Should -Be ($psData.ProjectUri + '/blob/main/LICENSE')
        $changelog = Get-Content -Raw (Join-Path $root 'CHANGELOG.md')
        $changelog | Should -Match "(?m)^## \[$([regex]::Escape($manifest.ModuleVersion))\]"
        # The release notes are this version's CHANGELOG section, filled in at build.
        $psData.ReleaseNotes | Should -Not -Match '\{\{'
        $psData.ReleaseNotes | Should -Match 'Show-VoxDag'
        Test-Path (Join-Path $moduleDir 'LICENSE') | Should -BeTrue
    }

    It 'is a NuGet package whose nuspec carries the Gallery conventions' {
        $package | Should -Exist
        (Split-Path $package -Leaf) | Should -Be "VoxScheduler.$($manifest.ModuleVersion).nupkg"
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [IO.Compression.ZipFile]::OpenRead($package)
        try {
            $names = $zip.Entries.FullName
            $names | Should -Contain 'VoxScheduler.nuspec'
            $names | Should -Contain '[Content_Types].xml'
            $names | Should -Contain '_rels/.rels'
            $names | Should -Contain 'VoxScheduler.psd1'
            $names | Should -Contain 'VoxScheduler.dll'
            $names | Should -Contain 'VoxScheduler.Loader.dll'
            $names | Should -Contain 'VoxScheduler.CopyItem.psm1'
            $names | Should -Contain 'Dependencies/VoxScheduler.Engine.dll'
            $names | Should -Contain 'en-US/VoxScheduler.dll-Help.xml'
            $names | Should -Contain 'LICENSE'
            ($names | Where-Object { $_ -like 'Dependencies/runtimes/*/native/*' }) | Should -Not -BeNullOrEmpty
            $reader = [IO.StreamReader]::new($zip.GetEntry('VoxScheduler.nuspec').Open())
            [xml] $nuspec = $reader.ReadToEnd(); $reader.Dispose()
        }
        finally { $zip.Dispose() }
        $meta = $nuspec.package.metadata
        $meta.id | Should -Be 'VoxScheduler'
        $meta.version | Should -Be $manifest.ModuleVersion
        $meta.licenseUrl | Should -Be $manifest.PrivateData.PSData.LicenseUri
        $meta.projectUrl | Should -Be $manifest.PrivateData.PSData.ProjectUri
        $meta.releaseNotes | Should -Be $manifest.PrivateData.PSData.ReleaseNotes
        $tags = $meta.tags -split ' '
        foreach ($t in 'PSModule', 'PSEdition_Core', 'PSIncludes_Cmdlet', 'VoxLogicA', 'PSCmdlet_Submit-VoxDag', 'PSCommand_Show-VoxDag') { $tags | Should -Contain $t }
        foreach ($cmdlet in $manifest.CmdletsToExport) { $tags | Should -Contain "PSCmdlet_$cmdlet" }
    }

    It 'installs from a local repository into a temporary module path and imports by name in a fresh pwsh' {
        $modules = Join-Path $TestDrive 'modules'
        $store = Join-Path $TestDrive 'installed-store'
        $null = New-Item -ItemType Directory -Path $modules
        $repo = "VoxPackTest$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $out = Invoke-VoxFreshPwsh @"
`$ErrorActionPreference = 'Stop'
`$ProgressPreference = 'SilentlyContinue'
Import-Module Microsoft.PowerShell.PSResourceGet
Register-PSResourceRepository -Name '$repo' -Uri '$feed' -Trusted
try {
    `$found = Find-PSResource -Name VoxScheduler -Repository '$repo'
    "found: `$(`$found.Name) `$(`$found.Version)"
    Save-PSResource -Name VoxScheduler -Repository '$repo' -Path '$modules' -TrustRepository -SkipDependencyCheck
} finally {
    Unregister-PSResourceRepository -Name '$repo'
}
"@
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        $out | Should -Contain "found: VoxScheduler $($manifest.ModuleVersion)"
        $installed = Join-Path $modules "VoxScheduler/$($manifest.ModuleVersion)/VoxScheduler.psd1"
        $installed | Should -Exist

        $sep = [IO.Path]::PathSeparator
        $result = Invoke-VoxFreshPwsh @"
`$ErrorActionPreference = 'Stop'
`$env:PSModulePath = '$modules' + '$sep' + `$env:PSModulePath
`$env:VOXSCHEDULER_STORE = '$store'
`$m = Test-ModuleManifest (Join-Path '$modules' 'VoxScheduler/$($manifest.ModuleVersion)/VoxScheduler.psd1')
Import-Module VoxScheduler
"base: `$((Get-Module VoxScheduler).ModuleBase)"
"commands: `$((Get-Command -Module VoxScheduler -CommandType Cmdlet).Count)"
"copy: `$((Get-Command Copy-Item).ResolvedCommand.Name)"
"value: `$((Submit-VoxDag -Program 'print "x" 6 * 7' -Wait).Value)"
"help: `$((Get-Help Show-VoxDag).Synopsis)"
"@
        $LASTEXITCODE | Should -Be 0 -Because ($result -join "`n")
        $result | Should -Contain "base: $([IO.Path]::GetFullPath((Join-Path $modules "VoxScheduler/$($manifest.ModuleVersion)")))"
        $result | Should -Contain "commands: $($manifest.CmdletsToExport.Count)"
        $result | Should -Contain 'copy: Copy-VoxItem'  # the nested script module ships and loads
        $result | Should -Contain 'value: 42'
        ($result | Where-Object { $_ -like 'help: *' }) | Should -Match 'Mermaid'
        # The test left no repository registered behind.
        Get-Content -Raw (Join-Path ([Environment]::GetFolderPath('LocalApplicationData')) 'PSResourceGet/PSResourceRepository.xml') -ErrorAction SilentlyContinue |
            Should -Not -Match $repo
    }
}
