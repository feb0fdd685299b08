#requires -Version 7.6
# The VoxStore provider on every backend: drives, navigation, items, content, metadata, removal.
BeforeDiscovery {
    $backends = 'sqlite', 'filesystem', 'hybrid' | ForEach-Object { @{ Backend = $_ } }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'VoxModule.Helpers.ps1')
    Initialize-VoxTestSession
}

Describe 'VoxStore drive on <Backend>' -ForEach $backends {
    BeforeAll {
        $script:Drive = "vs$Backend"
        $script:Root = Join-Path $TestDrive "store-$Backend"
        $drive = New-PSDrive -Name $script:Drive -PSProvider VoxStore -Root $script:Root -Backend $Backend -Create
        $drive.Backend | Should -Be $Backend
        $drive.StorePath | Should -Be ([IO.Path]::GetFullPath($script:Root))
        $script:Results = @(Submit-VoxDag -Program 'print "sum" 1 + 2
print "seq" [1, 2] * 3
print "text" "a" + "b"' -Store "$($script:Drive):" -Name "prov-$Backend" -Wait)
        $script:ExecutionId = $script:Results[0].ExecutionId
        $script:Sum = $script:Results | Where-Object Goal -eq 'sum'
        $script:Seq = $script:Results | Where-Object Goal -eq 'seq'
        $script:Text = $script:Results | Where-Object Goal -eq 'text'
        $script:D = "$($script:Drive):"
    }

    AfterAll {
        Remove-PSDrive -Name $script:Drive -ErrorAction SilentlyContinue
    }

    It 'lists the executions folder and then every stored result at the root' {
        $children = @(Get-ChildItem $script:D)
        $children[0].Name | Should -Be 'executions'
        $children[0].PSIsContainer | Should -BeTrue
        $ids = $children | Select-Object -Skip 1 | ForEach-Object NodeId
        $ids | Should -Contain $script:Sum.NodeId
        $ids | Should -Contain $script:Seq.NodeId
        (Get-ChildItem $script:D -Name) | Should -Contain 'executions'
    }

    It 'lists executions and each execution''s named nodes' {
        $executions = Get-ChildItem "$($script:D)\executions"
        $executions.ExecutionId | Should -Contain $script:ExecutionId
        ($executions | Where-Object ExecutionId -eq $script:ExecutionId).Name | Should -Be "prov-$Backend"
        $nodes = Get-ChildItem "$($script:D)/executions/$($script:ExecutionId)"
        ($nodes.Name | Sort-Object) | Should -Be @('seq', 'sum', 'text')
        ($nodes | Where-Object Name -eq 'sum').NodeId | Should -Be $script:Sum.NodeId
        ($nodes | Where-Object Name -eq 'sum').IsGoal | Should -BeTrue
    }

    It 'gets items and tests paths with either separator' {
        $item = Get-Item "$($script:D)\$($script:Sum.NodeId)"
        $item.NodeId | Should -Be $script:Sum.NodeId
        $item.DataType | Should -Be 'Primitive'
        $item.Operator | Should -Be 'default.add'
        $item.ExecutionId | Should -Be $script:ExecutionId
        Test-Path "$($script:D)/$($script:Sum.NodeId)" | Should -BeTrue
        Test-Path "$($script:D)\executions\$($script:ExecutionId)\sum" | Should -BeTrue
        Test-Path "$($script:D)\$('0' * 64)" | Should -BeFalse
        Test-Path "$($script:D)\not-a-node" | Should -BeFalse
        Test-Path "$($script:D)\executions" -PathType Container | Should -BeTrue
        Get-Item "$($script:D)\$('1' * 64)" -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'navigates with Set-Location and relative paths' {
        Push-Location "$($script:D)\executions"
        try {
            (Get-ChildItem -Name) | Should -Contain $script:ExecutionId
            (Get-ChildItem ".\$($script:ExecutionId)").Count | Should -Be 3
            Set-Location $script:ExecutionId
            (Get-Item .\seq).NodeId | Should -Be $script:Seq.NodeId
        }
        finally { Pop-Location }
    }

    It 'reads values with Get-Content: scalars whole, sequences item by item, through execution names too' {
        Get-Content "$($script:D)\$($script:Sum.NodeId)" | Should -Be 3
        Get-Content "$($script:D)\$($script:Seq.NodeId)" | Should -Be @(3, 6)
        Get-Content "$($script:D)\executions\$($script:ExecutionId)\sum" | Should -Be 3
        $whole = Get-Content "$($script:D)\$($script:Seq.NodeId)" -ReadCount 0
        $whole.Count | Should -Be 2
    }

    It 'reads metadata with Get-ItemProperty and writes user metadata with Set-ItemProperty' {
        $path = "$($script:D)\$($script:Sum.NodeId)"
        $p = Get-ItemProperty $path
        $p.NodeId | Should -Be $script:Sum.NodeId
        $p.Size | Should -BeGreaterThan 0
        $p.DataType | Should -Be 'Primitive'
        (Get-ItemProperty $path -Name Size).Size | Should -Be $p.Size
        Set-ItemProperty $path -Name reviewer -Value 'ada'
        (Get-ItemProperty $path).reviewer | Should -Be 'ada'
        (Get-Item $path).Metadata['reviewer'] | Should -Be 'ada'
        Clear-ItemProperty $path -Name reviewer
        (Get-ItemProperty $path).PSObject.Properties['reviewer'] | Should -BeNullOrEmpty
        Set-ItemProperty $path -Name Size -Value 1 -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'VoxNotSupported*'
    }

    It 'removes results with Remove-Item (honouring -WhatIf) and refuses to write content' {
        $path = "$($script:D)\$($script:Seq.NodeId)"
        Remove-Item $path -WhatIf
        Test-Path $path | Should -BeTrue
        Remove-Item $path
        Test-Path $path | Should -BeFalse
        { Set-Content "$($script:D)\$($script:Sum.NodeId)" -Value 1 -ErrorAction Stop } | Should -Throw
        Remove-Item "$($script:D)\executions\$($script:ExecutionId)" -Recurse -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'VoxNotSupported*'
        Test-Path "$($script:D)\executions\$($script:ExecutionId)" | Should -BeTrue
    }
}

Describe 'VoxStore drives' {
    It 'streams bytes results in chunks with Get-Content' {
        $null = New-PSDrive -Name vsbytes -PSProvider VoxStore -Root (Join-Path $TestDrive 'bytes-store') -Create
        $r = Submit-VoxDag -Program 'import "test"
print "b" test.blob(7, 0.25)' -Store vsbytes: -Wait
        $r.Status | Should -Be 'Completed'
        $chunks = @(Get-Content "vsbytes:\$($r.NodeId)" -ReadCount 1)
        $chunks.Count | Should -BeGreaterThan 1
        ($chunks | ForEach-Object { $_.Length } | Measure-Object -Sum).Sum | Should -Be (256 * 1024)
        , $chunks[0] | Should -BeOfType [byte[]]
        [System.Linq.Enumerable]::SequenceEqual([byte[]] ($chunks | ForEach-Object { $_ }), [byte[]] $r.Value) | Should -BeTrue
    }

    It 'rejects an unknown backend and a missing root' {
        { New-PSDrive -Name vsbad -PSProvider VoxStore -Root (Join-Path $TestDrive 'x') -Backend nosuch -ErrorAction Stop } | Should -Throw
        { New-PSDrive -Name vsbad -PSProvider VoxStore -Root '' -ErrorAction Stop } | Should -Throw
    }

    It 'accepts a drive as -Store of the cmdlets' {
        $null = New-PSDrive -Name vsstore -PSProvider VoxStore -Root (Join-Path $TestDrive 'drive-as-store') -Backend filesystem -Create
        $r = Submit-VoxDag -Program 'print "d" 9 - 2' -Store vsstore -Wait
        $r.Value | Should -Be 7
        Test-Path "vsstore:\$($r.NodeId)" | Should -BeTrue
        (Get-VoxExecution -Store vsstore: -Id $r.ExecutionId).ExecutionId | Should -Be $r.ExecutionId
    }
}
