#requires -Version 7.6
# Provider names and listings (#13 defects 2 and 10): the names the tables show resolve as paths
# (unique id prefixes, execution names), and Get-ChildItem supports -Filter, -Include, -Exclude
# and -Depth.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'VoxModule.Helpers.ps1')
    Initialize-VoxTestSession
    $null = New-PSDrive -Name names -PSProvider VoxStore -Root (Join-Path $TestDrive 'names-store') -Create -Scope Global
    $script:Results = @(Submit-VoxDag -Program 'print "sum" 1 + 2
print "prod" 3 * 4
print "quot" 8 / 2' -Store names: -Name run-sqlite -Wait)
    $script:ExecutionId = $script:Results[0].ExecutionId
    $script:Sum = $script:Results | Where-Object Goal -eq 'sum'
    $script:Prod = $script:Results | Where-Object Goal -eq 'prod'
}

AfterAll { Remove-PSDrive -Name names -Scope Global -ErrorAction SilentlyContinue }

Describe 'Names as paths (defect 2)' {
    It 'resolves the 16 characters the table shows, and any unique prefix, everywhere a path is taken' {
        $short = $script:Sum.NodeId.Substring(0, 16)
        (Get-Item "names:\$short").NodeId | Should -Be $script:Sum.NodeId
        Get-Content "names:\$short" | Should -Be 3
        (Get-ItemProperty "names:\$($script:Sum.NodeId.Substring(0, 8))").NodeId | Should -Be $script:Sum.NodeId
        Test-Path "names:\$short" | Should -BeTrue
    }

    It 'reports an ambiguous prefix clearly' {
        # 800 results in their own store: ids are content addresses, so which two share their
        # first four digits is fixed (and with 800 ids among 65536 prefixes some pair does).
        $null = New-PSDrive -Name many -PSProvider VoxStore -Root (Join-Path $TestDrive 'many-store') -Create
        $program = (1..800 | ForEach-Object { "print ""n$_"" $_ + 0.5" }) -join "`n"
        $null = Submit-VoxDag -Program $program -Store many: -Wait
        $shared = Get-ChildItem many:\ | Where-Object { $_ -is [VoxScheduler.Cmdlets.Output.VoxStoreItem] } |
            Group-Object { $_.NodeId.Substring(0, 4) } | Where-Object Count -gt 1 | Select-Object -First 1
        $shared | Should -Not -BeNullOrEmpty
        Get-Item "many:\$($shared.Name)" -ErrorVariable errs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'VoxPathAmbiguous*'
        $errs[0].Exception.Message | Should -Match 'more characters'
        (Get-Item "many:\$($shared.Group[0].NodeId.Substring(0, 20))").NodeId | Should -Be $shared.Group[0].NodeId
    }

    It 'resolves an execution by its name and by a prefix of its id' {
        (Get-Item names:\executions\run-sqlite).ExecutionId | Should -Be $script:ExecutionId
        (Get-ChildItem names:\executions\run-sqlite).Name | Sort-Object | Should -Be @('prod', 'quot', 'sum')
        Get-Content names:\executions\run-sqlite\sum | Should -Be 3
        (Get-Item "names:\executions\$($script:ExecutionId.Substring(0, 8))").ExecutionId | Should -Be $script:ExecutionId
    }
}

Describe 'Listings (defect 10)' {
    It 'filters by name or operator with -Filter' {
        $mul = @(Get-ChildItem names:\ -Filter 'default.mul')
        $mul.Count | Should -Be 1
        $mul[0].NodeId | Should -Be $script:Prod.NodeId
        @(Get-ChildItem names:\ -Filter "$($script:Sum.NodeId.Substring(0, 10))*").NodeId | Should -Be $script:Sum.NodeId
    }

    It 'includes and excludes by wildcard' {
        # As with FileSystem, -Include applies to the contents of a container path (\* or -Recurse).
        $execution = "names:\executions\$($script:ExecutionId)"
        @(Get-ChildItem "$execution\*" -Include 's*').Name | Should -Be 'sum'
        @(Get-ChildItem $execution -Include 's*' -Recurse).Name | Should -Be 'sum'
        @(Get-ChildItem $execution -Exclude 's*').Name | Sort-Object | Should -Be @('prod', 'quot')
        @(Get-ChildItem names:\* -Exclude $script:Prod.NodeId, 'executions').NodeId | Should -Not -Contain $script:Prod.NodeId
        @(Get-ChildItem names:\* -Exclude $script:Prod.NodeId, 'executions').NodeId | Should -Contain $script:Sum.NodeId
        @(Get-ChildItem names:\executions -Exclude 'run-*') | Should -BeNullOrEmpty
    }

    It 'applies -Exclude to the children of a bare drive root as of any other path' {
        # The engine resolves a path given with -Exclude as a child of its parent; a drive root
        # has none, so this listed nothing before the provider expanded wildcards itself.
        $all = @(Get-ChildItem names:\)
        $kept = @(Get-ChildItem names:\ -Exclude $script:Prod.NodeId)
        $kept.Count | Should -Be ($all.Count - 1)
        $kept.NodeId | Should -Not -Contain $script:Prod.NodeId
        $kept.NodeId | Should -Contain $script:Sum.NodeId
        @(Get-ChildItem names: -Exclude 'executions').Name | Should -Not -Contain 'executions'
        @(Get-ChildItem names:\ -Exclude 'default.mul').Operator | Should -Not -Contain 'default.mul'
        @(Get-ChildItem names:\ -Exclude 'nothing-matches').Count | Should -Be $all.Count
        @(Get-ChildItem names:\executions -Filter 'run-sql*').ExecutionId | Should -Be $script:ExecutionId
    }

    It 'lists one level deeper per -Depth' {
        $depth0 = @(Get-ChildItem names:\executions -Recurse -Depth 0)
        $depth0 | ForEach-Object { $_ | Should -BeOfType [VoxScheduler.Cmdlets.Output.VoxExecution] }
        $depth1 = @(Get-ChildItem names:\executions -Recurse -Depth 1)
        @($depth1 | Where-Object { $_ -is [VoxScheduler.Cmdlets.Output.VoxExecutionNode] }).Name | Should -Contain 'sum'
    }

    It 'marks every listed node that has a result' {
        $nodes = Get-ChildItem names:\executions\run-sqlite
        $nodes.HasResult | Should -Not -Contain $false
        Remove-Item "names:\$($script:Prod.NodeId)" -Confirm:$false
        (Get-ChildItem names:\executions\run-sqlite | Where-Object Name -eq 'prod').HasResult | Should -BeFalse
    }
}
