#requires -Version 7.6
# A failed goal is an error (#13 defect 3): a non-terminating VoxGoalFailed record per failed or
# skipped goal, so -ErrorAction, $?, try/catch and exit codes work; the result is still written.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'VoxModule.Helpers.ps1')
    Initialize-VoxTestSession
}

Describe 'Failed goals' {
    It 'write a VoxGoalFailed error naming the goal, the operator and its message, and still emit the result' {
        $results = Submit-VoxDag -Program 'print "y" 1 / 0
print "ok" 2 + 2' -Wait -ErrorVariable errs -ErrorAction SilentlyContinue
        $succeeded = $?
        $succeeded | Should -BeFalse
        ($results | Where-Object Goal -eq 'y').Status | Should -Be 'Failed'
        ($results | Where-Object Goal -eq 'ok').Value | Should -Be 4
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'VoxGoalFailed,*'
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidResult'
        $errs[0].Exception.Message | Should -Match "Goal 'y'"
        $errs[0].Exception.Message | Should -Match 'default\.div'
        $errs[0].Exception.Message | Should -Match 'division by zero'
        $errs[0].TargetObject.Goal | Should -Be 'y'
    }

    It 'report goals skipped after a failure by the failed node''s name' {
        $null = Submit-VoxDag -Program 'let a = 3 / 0
print "z" a + 1' -Wait -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 1
        $errs[0].Exception.Message | Should -Match "Goal 'z'.*skipped.*'a'"
    }

    It 'stop a script under -ErrorAction Stop' {
        { Submit-VoxDag -Program 'print "y" 5 / 0' -Wait -ErrorAction Stop } | Should -Throw -ErrorId 'VoxGoalFailed,*'
        $caught = $null
        try { Submit-VoxDag -Program 'print "y" 6 / 0' -Wait -ErrorAction Stop | Out-Null } catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -BeLike 'VoxGoalFailed,*'
    }

    It 'make pwsh -c exit non-zero, and zero when every goal succeeds' {
        $null = Invoke-VoxFreshPwsh "Import-Module '$script:VoxModulePath'; Submit-VoxDag -Program 'print ""y"" 7 / 0' -Wait | Out-Null"
        $LASTEXITCODE | Should -Be 1
        $null = Invoke-VoxFreshPwsh "Import-Module '$script:VoxModulePath'; Submit-VoxDag -Program 'print ""y"" 7 / 1' -Wait | Out-Null"
        $LASTEXITCODE | Should -Be 0
    }

    It 'are said by the execution''s Error while it is live, and the same from the history' {
        $e = Submit-VoxDag -Program 'print "ok" 2 + 3'
        $null = Wait-VoxExecution -InputObject $e
        $e.Error | Should -BeNullOrEmpty
        $e = Submit-VoxDag -Program 'print "y" 11 / 0'
        $null = Wait-VoxExecution -InputObject $e
        $e.IsLive | Should -BeTrue
        $e.Status | Should -Be 'Failed'
        $e.Error | Should -Match 'division by zero \(11 / 0\)'
        $past = Invoke-VoxFreshPwsh "Import-Module '$script:VoxModulePath'; (Get-VoxExecution -Id $($e.ExecutionId)).Error"
        $past | Should -Be $e.Error
    }

    It 'are errors of Get-VoxResult and of jobs too' {
        $e = Submit-VoxDag -Program 'print "y" 8 / 0'
        $null = Wait-VoxExecution -InputObject $e
        $r = Get-VoxResult -InputObject $e -ErrorVariable errs -ErrorAction SilentlyContinue
        $r.Status | Should -Be 'Failed'
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'VoxGoalFailed,*'
        $job = Submit-VoxDag -Program 'print "y" 9 / 0' -AsJob
        $null = Wait-Job $job -Timeout 60
        $null = Receive-Job $job -ErrorVariable jobErrs -ErrorAction SilentlyContinue
        @($jobErrs | Where-Object { $_.FullyQualifiedErrorId -like 'VoxGoalFailed*' }).Count | Should -Be 1
        Remove-Job $job -Force
    }
}
