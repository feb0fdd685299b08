#requires -Version 7.6
# Script operations and the caller's variables (#13 defect 7): $using: captures a value at
# registration (part of the result ids), and the pool runs under strict mode, so a variable the
# script never received fails the node by name instead of reading $null (which returned 0).
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'VoxModule.Helpers.ps1')
    Initialize-VoxTestSession
    $script:Store = Join-Path $TestDrive 'script-ops'
}

Describe 'Script operations and the caller''s variables' {
    It 'captures $using: values at registration, and another value gives another result id' {
        $factor = 10
        Register-VoxOperation -Name capt.scale -ScriptBlock { param($x) $x * $using:factor } -Force
        $first = Submit-VoxDag -Program 'print "r" capt.scale(4)' -Store $script:Store -Wait -ErrorAction Stop
        $first.Value | Should -Be 40
        $factor = 1000   # later changes of the variable do not reach the registered operation
        (Submit-VoxDag -Program 'print "r" capt.scale(5)' -Store $script:Store -Wait -ErrorAction Stop).Value | Should -Be 50

        $factor = 20
        Register-VoxOperation -Name capt.scale -ScriptBlock { param($x) $x * $using:factor } -Force
        $second = Submit-VoxDag -Program 'print "r" capt.scale(4)' -Store $script:Store -Wait -ErrorAction Stop
        $second.Value | Should -Be 80
        $second.NodeId | Should -Not -Be $first.NodeId
    }

    It 'reads $using: values inside strings and nested script blocks, arrays and hashtables included' {
        $names = @('a', 'b'); $settings = @{ sep = '+' }
        Register-VoxOperation -Name capt.join -ScriptBlock { param($x) "${x}:$($using:names -join $using:settings.sep)"} -Force
        (Submit-VoxDag -Program 'print "j" capt.join("n")' -Store $script:Store -Wait -ErrorAction Stop).Value | Should -Be 'n:a+b'
        $prefix = 'p'
        Register-VoxOperation -Name capt.nested -ScriptBlock { param($x) @(1, 2) | ForEach-Object { "$using:prefix$_" } } -Force
        (Submit-VoxDag -Program 'print "n" capt.nested(0)' -Store $script:Store -Wait -ErrorAction Stop).Value | Should -Be @('p1', 'p2')
    }

    It 'fails the node naming a caller variable the script reads without $using:' {
        $factor = 10
        Register-VoxOperation -Name capt.unbound -ScriptBlock { param($x) $x * $factor } -Force
        $r = Submit-VoxDag -Program 'print "u" capt.unbound(4)' -Store $script:Store -Wait -ErrorVariable goalErrors -ErrorAction SilentlyContinue
        $r.Status | Should -Be 'Failed'
        $r.Value | Should -BeNullOrEmpty
        $goalErrors[0].FullyQualifiedErrorId | Should -BeLike 'VoxGoalFailed,*'
        $goalErrors[0].Exception.Message | Should -Match 'factor'
        $goalErrors[0].Exception.Message | Should -Match 'has not been set'
    }

    It 'refuses $using: of a variable that is not set when registering' {
        Remove-Variable -Name neverSet -ErrorAction SilentlyContinue
        { Register-VoxOperation -Name capt.missing -ScriptBlock { param($x) $x * $using:neverSet } -ErrorAction Stop } |
            Should -Throw -ErrorId 'VoxOperationInvalid,*'
        Get-VoxOperation capt.missing -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}
