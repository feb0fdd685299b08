#requires -Version 7.6
# Statuses that tell the truth (#13 defect 9): constants have their value, stopped work is
# Cancelled (not Failed, not Running), percent is of nodes actually done, goal counts come
# from the history.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'VoxModule.Helpers.ps1')
    Initialize-VoxTestSession
    # Goals are reported in program order, so the quick one comes first.
    $script:Slow = 'import "test"
print "quick" 2 + 2
let a = test.sleep(1, 30000)
let b = test.sleep(2, 30000)
print "first" a
print "second" b + 1'
}

Describe 'Executions of this process' {
    It 'reports a constant named node with its value, not as Failed' {
        $e = Submit-VoxDag -Program 'let a = 5
print "x" a + 1'
        $null = Wait-VoxExecution $e
        $a = Get-VoxResult $e -All | Where-Object Goal -eq 'a'
        $a.Status | Should -Be 'Completed'
        $a.Value | Should -Be 5
    }

    It 'returns a stopped execution from Stop-VoxExecution -PassThru as Cancelled, with the percent actually done' {
        $e = Submit-VoxDag -Program $script:Slow -MaxConcurrency 2
        $null = Get-VoxResult $e -Wait -Goal quick | Select-Object -First 1
        $stopped = Stop-VoxExecution $e -PassThru -Confirm:$false
        $stopped.Status | Should -Be 'Cancelled'
        $stopped.Percent | Should -BeLessThan 100
        (Get-VoxProgress $e).Percent | Should -BeLessThan 100
    }
}

Describe 'Executions from the history of another process' {
    BeforeAll {
        $script:Store = Join-Path $TestDrive 'history-store'
        $slow = $script:Slow.Replace('"', '""')
        $null = Invoke-VoxFreshPwsh @"
Import-Module '$script:VoxModulePath'
`$e = Submit-VoxDag -Program 'let c = 7
print "g1" c * 2
print "g2" c + 1' -Store '$script:Store' -Name done-run
`$null = Wait-VoxExecution `$e
`$s = Submit-VoxDag -Program "$slow" -Store '$script:Store' -Name stopped-run -MaxConcurrency 2
`$null = Get-VoxResult `$s -Wait -Goal quick | Select-Object -First 1
Stop-VoxExecution `$s -Wait -Confirm:`$false
"@
    }

    It 'counts the goals of a past execution and shows 100% only for a completed one' {
        $done = Get-VoxExecution done-run -Store $script:Store
        $done.IsLive | Should -BeFalse
        $done.Goals | Should -Be 2
        $done.Percent | Should -Be 100
        $stopped = Get-VoxExecution stopped-run -Store $script:Store
        $stopped.Status | Should -Be 'Cancelled'
        $stopped.Goals | Should -Be 3
        $stopped.Percent | Should -BeLessThan 100
        (Get-VoxProgress stopped-run -Store $script:Store).Percent | Should -BeLessThan 100
    }

    It 'reports goals a stopped execution never ran as Cancelled, not Failed' {
        $results = Get-VoxResult stopped-run -Store $script:Store
        ($results | Where-Object Goal -eq 'quick').Status | Should -BeIn 'Completed', 'Cached'
        ($results | Where-Object Goal -eq 'first').Status | Should -Be 'Cancelled'
        ($results | Where-Object Goal -eq 'first').Error | Should -Match 'stopped before'
    }
}
