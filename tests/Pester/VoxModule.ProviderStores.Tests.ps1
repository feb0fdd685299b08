#requires -Version 7.6
# Provider items always act on their own store (#13 defect 1): a PSPath names its store as a
# FileSystem path names its file, so piping items between drives, Copy-Item, Move-Item and
# Remove-Item never touch another store.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'VoxModule.Helpers.ps1')
    Initialize-VoxTestSession
}

Describe 'Items piped from a drive act on that drive''s store' {
    BeforeEach {
        # The same program in two stores, so both hold a result with the same id. (The old code
        # fell back to the provider's first drive, Vox:; home: stands for "any other store".)
        $script:LabRoot = Join-Path $TestDrive "lab-$([guid]::NewGuid().ToString('n'))"
        $null = New-PSDrive -Name lab -PSProvider VoxStore -Root $script:LabRoot -Create
        $null = New-PSDrive -Name home -PSProvider VoxStore -Root (Join-Path $TestDrive "home-$([guid]::NewGuid().ToString('n'))") -Create
        $program = 'print "m" 6 * 7'
        $script:Id = (Submit-VoxDag -Program $program -Store home: -Wait).NodeId
        (Submit-VoxDag -Program $program -Store lab: -Wait).NodeId | Should -Be $script:Id
    }

    AfterEach {
        Remove-PSDrive -Name lab -ErrorAction SilentlyContinue
        Remove-PSDrive -Name home -ErrorAction SilentlyContinue
    }

    It 'gives every item a PSPath that names its store' {
        $item = Get-Item "lab:\$($script:Id)"
        $item.PSPath | Should -BeLike "*$([IO.Path]::GetFileName($script:LabRoot))*$($script:Id)"
        $item.PSDrive.Name | Should -Be 'lab'
        (Get-Item "home:\$($script:Id)").PSPath | Should -Not -Be $item.PSPath
    }

    It 'removes a piped item from its own store only' {
        Get-ChildItem lab:\ | Where-Object Operator -eq default.mul | Remove-Item -Confirm:$false
        Test-Path "lab:\$($script:Id)" | Should -BeFalse
        Test-Path "home:\$($script:Id)" | Should -BeTrue
    }

    It 'reads content and properties of piped items of any drive' {
        Get-ChildItem lab:\ | Where-Object Operator -eq default.mul | Get-Content | Should -Be 42
        (Get-ChildItem lab:\ | Where-Object Operator -eq default.mul | Get-ItemProperty).NodeId | Should -Be $script:Id
    }

    It 'copies and moves results between stores' {
        $otherRoot = Join-Path $TestDrive "other-$([guid]::NewGuid().ToString('n'))"
        $null = New-PSDrive -Name other -PSProvider VoxStore -Root $otherRoot -Create
        try {
            Copy-Item "lab:\$($script:Id)" -Destination other:\
            Get-Content "other:\$($script:Id)" | Should -Be 42
            Test-Path "lab:\$($script:Id)" | Should -BeTrue
            (Get-Item "other:\$($script:Id)").Operator | Should -Be 'default.mul'

            Remove-Item "other:\$($script:Id)" -Confirm:$false
            Get-Item "lab:\$($script:Id)" | Move-Item -Destination other:\
            Test-Path "lab:\$($script:Id)" | Should -BeFalse
            Get-Content "other:\$($script:Id)" | Should -Be 42
            Test-Path "home:\$($script:Id)" | Should -BeTrue
        }
        finally { Remove-PSDrive -Name other -ErrorAction SilentlyContinue }
    }

    It 'refuses a path in no open store rather than using another one' {
        $path = "VoxScheduler\VoxStore::$(Join-Path $TestDrive 'nowhere')/$($script:Id)"
        { Remove-Item -LiteralPath $path -Confirm:$false -ErrorAction Stop } | Should -Throw
        Test-Path "home:\$($script:Id)" | Should -BeTrue
    }
}

Describe 'Store retention (New-PSDrive -MaxAge/-MaxSize/-MaxExecutions)' {
    It 'applies the drive''s retention as it opens the store: -MaxSize 0 evicts every result, -MaxExecutions 1 keeps one execution' {
        $root = Join-Path $TestDrive 'retained'
        foreach ($k in 1..3) { $null = Submit-VoxDag -Program "print ""r"" $k + 0.25" -Store $root -Wait }
        $null = New-PSDrive -Name keep0 -PSProvider VoxStore -Root $root
        @(Get-ChildItem keep0:\executions).Count | Should -Be 3
        @(Get-ChildItem keep0:\ | Where-Object { $_ -is [VoxScheduler.Cmdlets.Output.VoxStoreItem] }).Count | Should -BeGreaterThan 2
        Remove-PSDrive keep0

        New-PSDrive -Name keep1 -PSProvider VoxStore -Root $root -MaxSize 0 -MaxExecutions 1 -RetentionInterval 1h -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message | Where-Object { $_ -like 'Retention*' } | Should -BeLike '*3 result(s) evicted*2 execution(s) forgotten*'
        @(Get-ChildItem keep1:\ | Where-Object { $_ -is [VoxScheduler.Cmdlets.Output.VoxStoreItem] }).Count | Should -Be 0
        @(Get-ChildItem keep1:\executions).Count | Should -Be 1
        Remove-PSDrive keep1
    }

    It 'refuses a retention interval outside its bounds, naming it' {
        { New-PSDrive -Name keep2 -PSProvider VoxStore -Root (Join-Path $TestDrive 'retained2') -Create -MaxSize 1GB -RetentionInterval 0.01 -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*retention interval*'
    }
}
