#requires -Version 7.6
# Proves the published module loads in a fresh pwsh with nothing else installed.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:ModulePath = $script:VoxModulePath
}

Describe 'The built module' {
    It 'has a manifest that Test-ModuleManifest accepts' {
        $manifest = Test-ModuleManifest -Path $script:ModulePath -ErrorAction Stop
        $manifest.Version | Should -Not -BeNullOrEmpty
        $manifest.Version.ToString() | Should -Not -Be '0.0'
    }

    It 'requires PowerShell 7.6 (its assemblies target .NET 10), in the manifest and every script' {
        (Import-PowerShellDataFile $script:ModulePath).PowerShellVersion | Should -Be '7.6'
        $root = [IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../..'))
        $scripts = Get-ChildItem -Path (Join-Path $root 'tests'), (Join-Path $root 'tools'), (Join-Path $root 'build.ps1') -Recurse -Include '*.ps1', '*.psm1' -File |
            Where-Object { $_.FullName -notmatch '[\\/](bin|obj)[\\/]' }
        $requires = $scripts | Select-String -Pattern '^#requires -Version (\S+)' | ForEach-Object { $_.Matches[0].Groups[1].Value }
        $requires | Should -Not -BeNullOrEmpty
        $requires | Where-Object { $_ -ne '7.6' } | Should -BeNullOrEmpty
    }

    It 'ships none of PowerShell''s own assemblies' {
        $dir = Split-Path $script:ModulePath
        Get-ChildItem $dir -Recurse -Filter 'System.Management.Automation.dll' | Should -BeNullOrEmpty
    }

    It 'ships the native SQLite library for this platform' {
        $dir = Split-Path $script:ModulePath
        $rid = [System.Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier
        $native = Get-ChildItem (Join-Path $dir 'Dependencies/runtimes') -Recurse -File | Where-Object { $_.Name -match 'e_sqlite3' }
        $native | Should -Not -BeNullOrEmpty
        ($native.FullName -join ';') | Should -Match ([regex]::Escape($rid.Split('-')[0]))
    }

    It 'imports in a fresh pwsh' {
        $out = Invoke-VoxFreshPwsh "Import-Module '$script:ModulePath' -ErrorAction Stop; (Get-Module VoxScheduler).Name"
        $LASTEXITCODE | Should -Be 0
        $out | Should -Contain 'VoxScheduler'
    }
}
