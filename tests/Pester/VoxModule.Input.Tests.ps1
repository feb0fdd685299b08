#requires -Version 7.6
# Submit-VoxDag input (#13 defects 4 and 5): paths bind by property name and as PathInfo or
# FileInfo, pipeline text that is not a file is a program, a wildcard matching nothing is an
# error; DAG files (.json or starting with '{') are DAGs; a flood of syntax errors is capped.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'VoxModule.Helpers.ps1')
    Initialize-VoxTestSession
    Initialize-VoxTestStore $env:VOXSCHEDULER_STORE
    $script:Dir = Join-Path $TestDrive 'input'
    $null = New-Item -ItemType Directory $script:Dir
    Set-Content -LiteralPath (Join-Path $script:Dir 'x.imgql') -Value 'print "x" 20 + 1'
    Push-Location $script:Dir
}

AfterAll { Pop-Location }

Describe 'Pipeline binding of paths (defect 4)' {
    It 'binds PathInfo from Resolve-Path' {
        (Resolve-Path ./x.imgql | Submit-VoxDag -Wait).Value | Should -Be 21
    }

    It 'binds FullName from Select-Object and Path from a custom object' {
        (Get-ChildItem ./x.imgql | Select-Object FullName | Submit-VoxDag -Wait).Value | Should -Be 21
        ([pscustomobject]@{ Path = './x.*' } | Submit-VoxDag -Wait).Value | Should -Be 21
        ([pscustomobject]@{ LiteralPath = (Join-Path $script:Dir 'x.imgql') } | Submit-VoxDag -Wait).Value | Should -Be 21
    }

    It 'reads pipeline text that is not a file as a program, wildcard characters included' {
        $r = 'print "z" 5 * 5' | Submit-VoxDag -Wait
        $r.Value | Should -Be 25
        ('x.imgql' | Submit-VoxDag -Wait).Value | Should -Be 21
    }

    It 'reports a missing file name from the pipeline instead of reading it as a program' {
        'missing.imgql' | Submit-VoxDag -Wait -ErrorVariable errs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'VoxProgramNotFound,*'
    }

    It 'reports a -Path wildcard that matches nothing' {
        Submit-VoxDag -Path './nothing-*.imgql' -ErrorVariable errs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'VoxProgramNotFound,*'
        $errs[0].Exception.Message | Should -Match 'nothing-\*'
    }
}

Describe 'DAG files and error floods (defect 5)' {
    BeforeAll {
        ConvertTo-VoxDag -Program 'print "d" 40 + 2' -AsJson | Set-Content -LiteralPath (Join-Path $script:Dir 'dag.json')
        ConvertTo-VoxDag -Program 'print "e" 40 + 3' -AsJson | Set-Content -LiteralPath (Join-Path $script:Dir 'dag.txt')
    }

    It 'runs a .json file as a DAG, by -Path and from the pipeline' {
        (Submit-VoxDag ./dag.json -Wait).Value | Should -Be 42
        (Get-Item ./dag.json | Submit-VoxDag -Wait).Value | Should -Be 42
        (Measure-VoxDag -Path ./dag.json).Nodes | Should -BeGreaterThan 0
    }

    It 'runs a file whose content starts with { as a DAG' {
        (Submit-VoxDag -LiteralPath ./dag.txt -Wait).Value | Should -Be 43
    }

    It 'writes the first problems of a flood and one record with the count' {
        Set-Content -LiteralPath ./flood.imgql -Value ((1..60 | ForEach-Object { '} ) ]' }) -join "`n")
        Submit-VoxDag ./flood.imgql -ErrorVariable errs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errs.Count | Should -Be 21
        $errs | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'VoxProgramInvalid,*' }
        $errs[-1].Exception.Message | Should -Match 'more problem'
    }
}
