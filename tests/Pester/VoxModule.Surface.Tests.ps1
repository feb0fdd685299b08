#requires -Version 7.6
# The module as users first meet it: loading in a fresh pwsh, native SQLite, exports, help,
# formats, completers.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'VoxModule.Helpers.ps1')
    Initialize-VoxTestSession
}

Describe 'Loading in a fresh pwsh' {
    It 'imports and opens a sqlite store through the VoxStore provider (native e_sqlite3 resolved from the module folder)' {
        $store = Join-Path $TestDrive 'fresh-sqlite'
        $out = Invoke-VoxFreshPwsh @"
`$ErrorActionPreference = 'Stop'
Import-Module '$script:VoxModulePath'
`$null = New-PSDrive -Name fresh -PSProvider VoxStore -Root '$store' -Backend sqlite -Create
(Get-ChildItem fresh: | Select-Object -First 1).Name
"@
        $LASTEXITCODE | Should -Be 0
        $out | Should -Contain 'executions'
        Test-Path (Join-Path $store '*') | Should -BeTrue
    }

    It 'survives Import-Module -Force and Remove-Module + Import-Module (the native resolver is registered once)' {
        $store = Join-Path $TestDrive 'reimport'
        $out = Invoke-VoxFreshPwsh @"
`$ErrorActionPreference = 'Stop'
Import-Module '$script:VoxModulePath'
Import-Module '$script:VoxModulePath' -Force
Remove-Module VoxScheduler
Import-Module '$script:VoxModulePath'
(Submit-VoxDag -Program 'print "x" 6 * 7' -Store '$store' -Wait).Value
"@
        $LASTEXITCODE | Should -Be 0
        $out | Should -Contain '42'
    }

    It 'creates the Vox: drive on the default store named by VOXSCHEDULER_STORE' {
        $default = Join-Path $TestDrive 'env-default'
        $out = Invoke-VoxFreshPwsh @"
`$env:VOXSCHEDULER_STORE = '$default'
Import-Module '$script:VoxModulePath' -ErrorAction Stop
(Get-PSDrive Vox).StorePath
"@
        $out | Should -Be ([IO.Path]::GetFullPath($default))
    }

    It 'resolves relative store roots against the PowerShell location, not the process directory' {
        $base = Join-Path $TestDrive 'location'
        $null = New-Item -ItemType Directory $base
        $out = Invoke-VoxFreshPwsh @"
Import-Module '$script:VoxModulePath' -ErrorAction Stop
Set-Location '$base'
(New-PSDrive -Name rel -PSProvider VoxStore -Root ./rel-store -Create).StorePath
"@
        $out | Should -Be (Join-Path ([IO.Path]::GetFullPath($base)) 'rel-store')
    }
}

Describe 'Exports' {
    It 'exports exactly the documented cmdlets and nothing else' {
        $expected = 'Clear-VoxStore', 'ConvertTo-VoxDag', 'Get-VoxExecution', 'Get-VoxOperation', 'Get-VoxProgress', 'Get-VoxResult',
            'Measure-VoxDag', 'New-VoxNode', 'Register-VoxOperation', 'Stop-VoxExecution', 'Submit-VoxDag', 'Wait-VoxExecution',
            'Show-VoxDag', 'Unregister-VoxOperation', 'Save-VoxResult', 'Remove-VoxExecution', 'Connect-VoxCluster', 'Disconnect-VoxCluster', 'Get-VoxCluster'
        $actual = (Get-Command -Module VoxScheduler -CommandType Cmdlet).Name | Sort-Object
        $actual | Should -Be ($expected | Sort-Object)
        # Besides the cmdlets: Copy-VoxItem, the proxy that copies results to files, and Copy-Item as its alias.
        @((Get-Module VoxScheduler).ExportedFunctions.Keys) | Should -Be @('Copy-VoxItem')
        @((Get-Module VoxScheduler).ExportedAliases.Keys) | Should -Be @('Copy-Item')
    }

    It 'registers the VoxStore provider' {
        Get-PSProvider VoxStore | Should -Not -BeNullOrEmpty
    }
}

Describe 'Help' {
    BeforeDiscovery {
        $commands = 'Clear-VoxStore', 'ConvertTo-VoxDag', 'Get-VoxExecution', 'Get-VoxOperation', 'Get-VoxProgress', 'Get-VoxResult',
            'Measure-VoxDag', 'New-VoxNode', 'Register-VoxOperation', 'Stop-VoxExecution', 'Submit-VoxDag', 'Wait-VoxExecution',
            'Show-VoxDag', 'Unregister-VoxOperation', 'Save-VoxResult', 'Remove-VoxExecution', 'Connect-VoxCluster', 'Disconnect-VoxCluster', 'Get-VoxCluster' |
            ForEach-Object { @{ Name = $_ } }
    }

    It '<Name> has a synopsis, a description, an example and a description for every parameter' -ForEach $commands {
        $help = Get-Help $Name -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match ([regex]::Escape($Name) + '\s+\[')  # the text PowerShell shows when there is no help
        ($help.description | Out-String).Trim() | Should -Not -BeNullOrEmpty
        @($help.examples.example).Count | Should -BeGreaterThan 0
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        $declared = (Get-Command $Name).Parameters.Keys | Where-Object { $_ -notin $common }
        foreach ($p in $declared) {
            $entry = $help.parameters.parameter | Where-Object name -eq $p
            $entry | Should -Not -BeNullOrEmpty -Because "-$p of $Name must be documented"
            ($entry.description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$p of $Name needs a description"
        }
    }

    It 'has about_VoxScheduler' {
        $about = Get-Help about_VoxScheduler
        ($about | Out-String) | Should -Match 'VOXSCHEDULER_STORE'
    }
}

Describe 'Formatting' {
    It 'has a default view for <_>' -ForEach @(
        'VoxScheduler.Cmdlets.Output.VoxResult', 'VoxScheduler.Cmdlets.Output.VoxExecution', 'VoxScheduler.Cmdlets.Output.VoxProgress',
        'VoxScheduler.Cmdlets.Output.VoxOperationInfo', 'VoxScheduler.Cmdlets.Output.VoxDag', 'VoxScheduler.Cmdlets.Output.VoxDagMeasurement',
        'VoxScheduler.Cmdlets.Output.VoxNode', 'VoxScheduler.Cmdlets.Output.VoxStoreItem', 'VoxScheduler.Cmdlets.Output.VoxStoreFolder',
        'VoxScheduler.Cmdlets.Output.VoxExecutionNode', 'VoxScheduler.Storage.EvictionReport', 'VoxScheduler.Cmdlets.Provider.VoxDriveInfo',
        'VoxScheduler.Cmdlets.Output.VoxClusterConnection', 'VoxScheduler.Cmdlets.Output.VoxClusterSilo'
    ) {
        Get-FormatData -TypeName $_ | Should -Not -BeNullOrEmpty
    }

    It 'renders results as a table with the value as text' {
        $text = Submit-VoxDag -Program 'print "seq" [1, 2, 3]' -Store (Join-Path $TestDrive 'fmt') -Wait | Out-String
        $text | Should -Match 'Goal\s+Status\s+Value'
        $text | Should -Match 'seq\s+Completed\s+\[1, 2, 3\]'
    }
}

Describe 'Argument completion' {
    It 'completes operation names' {
        $r = TabExpansion2 -inputScript 'Get-VoxOperation -Name default.ad' -cursorColumn 'Get-VoxOperation -Name default.ad'.Length
        $r.CompletionMatches.CompletionText | Should -Contain 'default.add'
    }

    It 'completes VoxStore drive names for -Store' {
        $null = New-PSDrive -Name complab -PSProvider VoxStore -Root (Join-Path $TestDrive 'complab') -Create
        $line = 'Submit-VoxDag -Program x -Store compl'
        $r = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $r.CompletionMatches.CompletionText | Should -Contain 'complab:'
        $null = New-Item -ItemType Directory (Join-Path $TestDrive 'completion-folder')
        $line = "Submit-VoxDag -Program x -Store $(Join-Path $TestDrive 'completion-f')"
        $r = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        ($r.CompletionMatches.CompletionText -join ' ') | Should -Match 'completion-folder'
    }

    It 'completes execution names and ids' {
        $e = Submit-VoxDag -Program 'print "c" 1 + 1' -Store (Join-Path $TestDrive 'compexec') -Name completion-target
        $null = Wait-VoxExecution -Id $e.ExecutionId -Timeout 30
        $line = 'Get-VoxResult -Id completion-t'
        $r = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $r.CompletionMatches.CompletionText | Should -Contain 'completion-target'
        $line = "Get-VoxResult -Id $($e.ExecutionId.Substring(0, 6))"
        $r = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $r.CompletionMatches.CompletionText | Should -Contain $e.ExecutionId
    }
}
