#requires -Version 7.6
# Side effects and surprises (#13 defect 11): reading never creates a store, creating one is
# explicit (-Create), and work that exiting or Ctrl+C leaves behind is announced, not silent.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'VoxModule.Helpers.ps1')
    Initialize-VoxTestSession
}

Describe 'Creating a store is explicit' {
    It 'refuses a missing root without -Create, naming -Create, and creates nothing' {
        $root = Join-Path $TestDrive 'typo'
        New-PSDrive -Name typo -PSProvider VoxStore -Root $root -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'VoxStoreUnavailable,*'
        $err[0].Exception.Message | Should -Match '-Create'
        Test-Path $root | Should -BeFalse
        Get-PSDrive typo -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'refuses a folder that holds no store without -Create and leaves it untouched' {
        $root = Join-Path $TestDrive 'plain-folder'
        $null = New-Item -ItemType Directory $root
        Set-Content (Join-Path $root 'notes.txt') 'mine'
        { New-PSDrive -Name plain -PSProvider VoxStore -Root $root -ErrorAction Stop } | Should -Throw -ErrorId 'VoxStoreUnavailable,*'
        (Get-ChildItem $root -Force).Name | Should -Be 'notes.txt'
    }

    It 'creates the store with -Create, and opens it again without' {
        $root = Join-Path $TestDrive 'made'
        $null = New-PSDrive -Name made -PSProvider VoxStore -Root $root -Create
        Test-Path (Join-Path $root 'voxstore.db') | Should -BeTrue
        Remove-PSDrive made
        (New-PSDrive -Name made2 -PSProvider VoxStore -Root $root).StorePath | Should -Be ([IO.Path]::GetFullPath($root))
    }

    It 'never opens a folder as a store of another backend' {
        $root = Join-Path $TestDrive 'fs-store'
        $null = New-PSDrive -Name fsmade -PSProvider VoxStore -Root $root -Backend filesystem -Create
        { New-PSDrive -Name fsassqlite -PSProvider VoxStore -Root $root -Backend sqlite -ErrorAction Stop } | Should -Throw -ErrorId 'VoxStoreUnavailable,*'
        Test-Path (Join-Path $root 'voxstore.db') | Should -BeFalse
    }

    It 'reads nothing and creates nothing with Get-VoxExecution, Clear-VoxStore and the default drive' {
        $missing = Join-Path $TestDrive 'never-made'
        $out = Invoke-VoxFreshPwsh @"
`$env:VOXSCHEDULER_STORE = '$missing'
Import-Module '$script:VoxModulePath' -ErrorAction Stop
"history: `$(@(Get-VoxExecution).Count)"
"listing: `$((Get-ChildItem Vox:\).Name -join ',')"
"exists: `$(Test-Path 'Vox:\executions\nothing')"
"clear default: `$(@(Clear-VoxStore -OlderThan 1d -Confirm:`$false -ErrorAction Stop).Count)"
try { Clear-VoxStore -Store '$missing-typo' -OlderThan 1d -Confirm:`$false -ErrorAction Stop } catch { "clear: `$(`$_.FullyQualifiedErrorId)" }
try { Get-VoxResult -Id nothing -ErrorAction Stop } catch { "get: `$(`$_.FullyQualifiedErrorId)" }
"@
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        $out | Should -Contain 'history: 0'
        $out | Should -Contain 'listing: executions'
        $out | Should -Contain 'exists: False'
        ($out | Where-Object { $_ -like 'clear: *' }) | Should -BeLike 'clear: VoxStoreUnavailable,*'
        ($out | Where-Object { $_ -like 'get: *' }) | Should -BeLike 'get: VoxExecutionNotFound,*'
        $out | Should -Contain 'clear default: 0'
        Test-Path $missing | Should -BeFalse
        Test-Path "$missing-typo" | Should -BeFalse
        # The first submission creates the default store, as before.
        $made = Invoke-VoxFreshPwsh @"
`$env:VOXSCHEDULER_STORE = '$missing'
Import-Module '$script:VoxModulePath' -ErrorAction Stop
(Submit-VoxDag -Program 'print "x" 2 + 3' -Wait -ErrorAction Stop).Value
"@
        $made | Should -Be 5
        Test-Path (Join-Path $missing 'voxstore.db') | Should -BeTrue
    }
}

Describe 'Work left running is announced' {
    It 'warns on exit naming the executions that exiting stops' {
        $store = Join-Path $TestDrive 'exit-store'
        $out = Invoke-VoxFreshPwsh @"
Import-Module '$script:VoxModulePath' -ErrorAction Stop
`$e = Submit-VoxDag -Program 'import "test"
print "slow" test.sleep($(Get-Random -Maximum 1000000), 60000)' -Store '$store' -Name left-behind
"id: `$(`$e.ExecutionId)"
"@ 2>&1 | ForEach-Object { "$_" }
        $id = ($out | Where-Object { $_ -like 'id: *' }).Substring(4)
        $warning = $out | Where-Object { $_ -like '*WARNING: VoxScheduler: PowerShell is exiting*' }
        $warning | Should -Not -BeNullOrEmpty -Because ($out -join "`n")
        $warning | Should -Match ([regex]::Escape($id))
        $warning | Should -Match 'left-behind'
    }

    It 'says once, on Ctrl+C of a -Wait, that the execution keeps running and how to stop it' {
        $store = Join-Path $TestDrive 'stop-store'
        $out = Invoke-VoxFreshPwsh @"
Import-Module '$script:VoxModulePath' -ErrorAction Stop
# A second runspace on this console host runs the waiting command; stopping its pipeline is what Ctrl+C does.
`$rs = [runspacefactory]::CreateRunspace(`$Host); `$rs.Open()
`$ps = [powershell]::Create(); `$ps.Runspace = `$rs
`$null = `$ps.AddScript("Import-Module '$script:VoxModulePath'; Submit-VoxDag -Program 'import ""test""
print ""slow"" test.sleep($(Get-Random -Maximum 1000000), 60000)' -Store '$store' -Name waited -Wait")
`$handle = `$ps.BeginInvoke()
`$deadline = [DateTime]::UtcNow.AddSeconds(60)
while (-not (Get-VoxExecution -Live | Where-Object Name -eq waited) -and [DateTime]::UtcNow -lt `$deadline) { Start-Sleep -Milliseconds 50 }
`$ps.Stop()
`$e = Get-VoxExecution -Live | Where-Object Name -eq waited
"status: `$(`$e.Status)"
"id: `$(`$e.ExecutionId)"
Stop-VoxExecution `$e.ExecutionId
"@
        $id = ($out | Where-Object { $_ -like 'id: *' }).Substring(4)
        $out | Should -Contain 'status: Running'
        $notices = @($out | Where-Object { $_ -like '*Stopped waiting*' })
        $notices.Count | Should -Be 1 -Because ($out -join "`n")
        $notices[0] | Should -Match "execution $id keeps running"
        $notices[0] | Should -Match "Stop-VoxExecution $id"
    }
}
