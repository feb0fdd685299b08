#requires -Version 7.6
# Submit-VoxDag -Parameter: named constants bound into a program (docs/language.md §2).
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'VoxModule.Helpers.ps1')
    Initialize-VoxTestSession
    $script:program = New-VoxTestProgram -Name 'threshold.imgql' -Text @'
threshold = 0.25
label = "low"
scaled = threshold * 10
print "scaled" scaled
print "label" label
'@
}

Describe 'Submit-VoxDag -Parameter' {
    It 'replaces the declarations with the given values' {
        $r = Submit-VoxDag -Path $program -Parameter @{ threshold = 0.5; label = 'high' } -Store (Join-Path $TestDrive 'p1') -Wait
        ($r | Where-Object Goal -eq 'scaled').Value | Should -Be 5
        ($r | Where-Object Goal -eq 'label').Value | Should -Be 'high'
        (Submit-VoxDag -Path $program -Store (Join-Path $TestDrive 'p1') -Wait | Where-Object Goal -eq 'scaled').Value | Should -Be 2.5
    }

    It 'makes the value part of the node ids: another value, other ids; the same value, the same ids' {
        $plain = ConvertTo-VoxDag -Path $program
        $same = ConvertTo-VoxDag -Path $program -Parameter @{ threshold = 0.25 }
        $other = ConvertTo-VoxDag -Path $program -Parameter @{ threshold = 0.75 }
        $same.DagId | Should -Be $plain.DagId
        $other.DagId | Should -Not -Be $plain.DagId
        $first = Submit-VoxDag -Path $program -Parameter @{ threshold = 0.75 } -Store (Join-Path $TestDrive 'p2') -Wait | Where-Object Goal -eq 'scaled'
        $again = Submit-VoxDag -Path $program -Parameter @{ threshold = 0.75 } -Store (Join-Path $TestDrive 'p2') -Wait | Where-Object Goal -eq 'scaled'
        $different = Submit-VoxDag -Path $program -Parameter @{ threshold = 1 } -Store (Join-Path $TestDrive 'p2') -Wait | Where-Object Goal -eq 'scaled'
        $again.NodeId | Should -Be $first.NodeId
        $again.Status | Should -Be 'Cached'
        $different.NodeId | Should -Not -Be $first.NodeId
        $different.Value | Should -Be 10
    }

    It 'binds arrays and works with program text and the other DAG cmdlets' {
        $r = Submit-VoxDag -Program "items = [1]`nprint `"n`" length(items)" -Parameter @{ items = 1, 2, 3 } -Store (Join-Path $TestDrive 'p3') -Wait
        $r.Value | Should -Be 3
        (Measure-VoxDag -Path $program -Parameter @{ threshold = 2 }).Nodes | Should -Be (Measure-VoxDag -Path $program).Nodes
        Show-VoxDag -Path $program -Parameter @{ threshold = 0.5 } | Should -Match 'threshold<br>0\.5'
    }

    It 'reports a name the program does not declare as VoxProgramInvalid naming it and the declared values' {
        $r = Submit-VoxDag -Path $program -Parameter @{ treshold = 0.5 } -Store (Join-Path $TestDrive 'p4') -ErrorVariable err -ErrorAction SilentlyContinue
        $r | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'VoxProgramInvalid,*'
        $err[0].Exception.Message | Should -Match "'treshold'"
        $err[0].Exception.Message | Should -Match 'label, scaled, threshold'
    }

    It 'refuses a function declaration, a bad name, a value that is not a constant, and a DAG input' {
        Submit-VoxDag -Program "f(x) = x + 1`nprint `"r`" f(1)" -Parameter @{ f = 2 } -Store (Join-Path $TestDrive 'p5') -ErrorVariable e1 -ErrorAction SilentlyContinue
        $e1[0].FullyQualifiedErrorId | Should -BeLike 'VoxProgramInvalid,*'
        $e1[0].Exception.Message | Should -Match 'function'
        { Submit-VoxDag -Path $program -Parameter @{ 'not-a-name' = 1 } -ErrorAction Stop } |
            Should -Throw -ErrorId 'VoxProgramParameterInvalid,VoxScheduler.Cmdlets.Commands.SubmitVoxDagCommand'
        { Submit-VoxDag -Path $program -Parameter @{ threshold = { 'script' } } -ErrorAction Stop } |
            Should -Throw -ErrorId 'VoxProgramParameterInvalid,VoxScheduler.Cmdlets.Commands.SubmitVoxDagCommand'
        New-VoxNode a -Value 1 | Submit-VoxDag -Parameter @{ a = 2 } -Store (Join-Path $TestDrive 'p5') -ErrorVariable e2 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e2[0].FullyQualifiedErrorId | Should -BeLike 'VoxParameterConflict,*'
    }
}
