#requires -Version 7.6
# Input and error polish (#13 defect 12): literals are values and names are explicit, every
# cause has one documented error id, and messages say what to do.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'VoxModule.Helpers.ps1')
    Initialize-VoxTestSession
    $script:Store = Join-Path $TestDrive 'errors-store'
}

Describe 'New-VoxNode arguments' {
    It 'takes a literal argument as a value, and names only as names' {
        $nodes = @(
            New-VoxNode a -Value 4
            New-VoxNode c default.mul a, 5
        )
        $nodes.Count | Should -Be 3
        ($nodes | Where-Object Name -eq 'c.arg2').Value | Should -Be 5
        ($nodes | Where-Object Name -eq 'c').Arguments | Should -Be @('a', 'c.arg2')
        ($nodes | Submit-VoxDag -Store $script:Store -Wait -ErrorAction Stop).Value | Should -Be 20
    }

    It 'refuses a bytes constant at the node, saying why and what to do instead' {
        $err = { New-VoxNode s -Value ([byte[]](1, 2, 3)) } | Should -Throw -ErrorId 'VoxDagInvalid,*' -PassThru
        $err.Exception.Message | Should -Match "Node 's'"
        $err.Exception.Message | Should -Match 'ToBase64String'
        { New-VoxNode t default.add a, ([byte[]](1, 2)) } | Should -Throw -ErrorId 'VoxDagInvalid,*'
    }
}

Describe 'One error id per cause, with what to do' {
    It 'refuses an operation name without a namespace with its own message, not a regex' {
        $err = { Register-VoxOperation -Name square -ScriptBlock { param($x) $x * $x } -ErrorAction Stop } | Should -Throw -ErrorId 'VoxOperationInvalid,*' -PassThru
        $err.Exception.Message | Should -Match 'my\.square'
        $err.Exception.Message | Should -Not -Match '\^\['
    }

    It 'names -AllowWritesOutsideLocation when a save goal leaves the location' {
        $work = Join-Path $TestDrive 'inside'
        $null = New-Item -ItemType Directory $work
        Push-Location $work
        try {
            $null = Submit-VoxDag -Program 'save "../outside.txt" "x"' -Store $script:Store -Wait -ErrorVariable goalErrors -ErrorAction SilentlyContinue
        }
        finally { Pop-Location }
        $goalErrors[0].FullyQualifiedErrorId | Should -BeLike 'VoxProgramInvalid,*'
        $goalErrors[0].Exception.Message | Should -Match '-AllowWritesOutsideLocation'
        Join-Path $TestDrive 'outside.txt' | Should -Not -Exist
    }

    It 'reports a name already running as VoxExecutionNameTaken, not VoxDagInvalid' {
        $running = Submit-VoxDag -Program "import ""test""`nprint ""slow"" test.sleep($(Get-Random -Maximum 1000000), 60000)" -Store $script:Store -Name taken-name
        try {
            Submit-VoxDag -Program 'print "x" 1' -Store $script:Store -Name taken-name -ErrorVariable nameErrors -ErrorAction SilentlyContinue
            $nameErrors[0].FullyQualifiedErrorId | Should -BeLike 'VoxExecutionNameTaken,*'
            $nameErrors[0].Exception.Message | Should -Match 'taken-name'
        }
        finally { Stop-VoxExecution $running.ExecutionId -Wait }
    }

    It 'reports a store that cannot be read as VoxStoreUnavailable, from the provider too' {
        $broken = Join-Path $TestDrive 'broken-store'
        $null = New-Item -ItemType Directory $broken
        [IO.File]::WriteAllText((Join-Path $broken 'voxstore.db'), 'this is not a database, just text long enough to be read as a header' * 20)
        { New-PSDrive -Name broken -PSProvider VoxStore -Root $broken -ErrorAction Stop } | Should -Throw -ErrorId 'VoxStoreUnavailable,*'
        { Get-VoxExecution -Store $broken -ErrorAction Stop } | Should -Throw -ErrorId 'VoxStoreUnavailable,*'
    }

    It 'documents every error id the module uses in about_VoxScheduler' {
        $about = Get-Content -Raw (Join-Path (Split-Path $script:VoxModulePath) 'en-US/about_VoxScheduler.help.txt')
        $assembly = (Get-Command Submit-VoxDag).ImplementingType.Assembly
        $ids = $assembly.GetType('VoxScheduler.Cmdlets.Commands.VoxErrors', $true).GetFields('Public, Static') |
            Where-Object { $_.IsLiteral -and $_.FieldType -eq [string] } | ForEach-Object { $_.GetRawConstantValue() }
        $ids.Count | Should -BeGreaterThan 20
        $missing = $ids | Where-Object { $about -notmatch "\b$_\b" }
        $missing | Should -BeNullOrEmpty
    }
}
