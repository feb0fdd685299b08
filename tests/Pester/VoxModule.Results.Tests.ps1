#requires -Version 7.6
# Results that travel (#13 defects 8 and 13): Save-VoxResult, Get-Content -Raw/-AsByteStream, a
# large value readable more than once, and a flat ValueText and Source on every result.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'VoxModule.Helpers.ps1')
    Initialize-VoxTestSession
    Initialize-VoxTestStore $env:VOXSCHEDULER_STORE
    $script:Out = Join-Path $TestDrive 'saved'
    $null = New-Item -ItemType Directory $script:Out
    $null = New-PSDrive -Name rs -PSProvider VoxStore -Root (Join-Path $TestDrive 'results-store') -Create -Scope Global
    $script:Large = Submit-VoxDag -Program 'import "test"
print "big" test.blob(13, 0.25)' -Store rs: -StreamingThreshold 64KB -Wait
    $script:Mixed = @(Submit-VoxDag -Program 'print "seq" [1, 2] * 3
print "text" "a" + "b"
print "num" 1 + 0.5' -Store rs: -Wait)
}

AfterAll { Remove-PSDrive -Name rs -Scope Global -ErrorAction SilentlyContinue }

Describe 'Large results (defect 8)' {
    It 'reads a streamed value more than once' {
        $script:Large.Value | Should -BeOfType [System.IO.Stream]
        $first = [IO.MemoryStream]::new(); $script:Large.Value.CopyTo($first)
        $second = [IO.MemoryStream]::new(); $script:Large.Value.CopyTo($second)
        $first.Length | Should -Be (256 * 1024)
        $second.Length | Should -Be $first.Length
        [Linq.Enumerable]::SequenceEqual($first.ToArray(), $second.ToArray()) | Should -BeTrue
    }

    It 'saves bytes as bytes, text as text and anything else as JSON' {
        $big = $script:Large | Save-VoxResult -Path (Join-Path $script:Out 'big.bin') -PassThru
        $big.Length | Should -Be (256 * 1024)
        $copy = [IO.MemoryStream]::new(); $script:Large.Value.CopyTo($copy)
        [Linq.Enumerable]::SequenceEqual([IO.File]::ReadAllBytes($big.FullName), $copy.ToArray()) | Should -BeTrue
        $files = $script:Mixed | Save-VoxResult -Path $script:Out -PassThru
        ($files.Name | Sort-Object) | Should -Be @('num.json', 'seq.json', 'text.txt')
        Get-Content -Raw (Join-Path $script:Out 'text.txt') | Should -BeExactly 'ab'
        (Get-Content -Raw (Join-Path $script:Out 'seq.json') | ConvertFrom-Json) | Should -Be @(3, 6)
    }

    It 'keeps an existing file without -Force and refuses a result without a value' {
        $path = Join-Path $script:Out 'keep.txt'
        Set-Content -LiteralPath $path -Value 'mine' -NoNewline
        $script:Mixed | Where-Object Goal -eq 'text' | Save-VoxResult -LiteralPath $path -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'VoxSaveFailed,*'
        Get-Content -Raw $path | Should -BeExactly 'mine'
        $script:Mixed | Where-Object Goal -eq 'text' | Save-VoxResult -LiteralPath $path -Force
        Get-Content -Raw $path | Should -BeExactly 'ab'
        $failed = Submit-VoxDag -Program 'print "bad" 1 / 0' -Wait -ErrorAction SilentlyContinue
        $failed | Save-VoxResult -Path (Join-Path $script:Out 'bad.json') -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'VoxResultNotFound,*'
        Test-Path (Join-Path $script:Out 'bad.json') | Should -BeFalse
    }

    It 'reads a result whole with Get-Content -Raw and byte by byte with -AsByteStream' {
        $raw = Get-Content "rs:\$($script:Large.NodeId)" -Raw
        , $raw | Should -BeOfType [byte[]]
        $raw.Length | Should -Be (256 * 1024)
        $seq = $script:Mixed | Where-Object Goal -eq 'seq'
        $whole = Get-Content "rs:\$($seq.NodeId)" -Raw
        $whole.Count | Should -Be 2
        $text = $script:Mixed | Where-Object Goal -eq 'text'
        $bytes = Get-Content "rs:\$($text.NodeId)" -AsByteStream
        $bytes | Should -Be @(97, 98)
        $all = Get-Content "rs:\$($script:Large.NodeId)" -AsByteStream -ReadCount 0
        $all.Count | Should -Be (256 * 1024)
    }
}

Describe 'Output that travels (defect 13)' {
    It 'gives every result a flat ValueText and its Source' {
        $seq = $script:Mixed | Where-Object Goal -eq 'seq'
        $seq.ValueText | Should -Be '[3, 6]'
        $seq.Source | Should -Be 'program text'
        $script:Mixed | Export-Csv -LiteralPath (Join-Path $TestDrive 'r.csv')
        $rows = Import-Csv -LiteralPath (Join-Path $TestDrive 'r.csv')
        ($rows | Where-Object Goal -eq 'seq').ValueText | Should -Be '[3, 6]'
        ($rows | Where-Object Goal -eq 'seq').Value | Should -Be '[3, 6]'   # not System.Object[]
        , $seq.Value | Should -BeOfType [object[]]   # still an array to PowerShell
        $seq.Value[1] | Should -Be 6
        ($seq | ConvertTo-Json -Depth 3 | ConvertFrom-Json).Value | Should -Be @(3, 6)
        ($rows | Where-Object Goal -eq 'seq').Source | Should -Be 'program text'
        ($script:Mixed | ConvertTo-Json -Depth 3 | ConvertFrom-Json | Where-Object Goal -eq 'seq').ValueText | Should -Be '[3, 6]'
    }

    It 'shows no literal null for a failed value and names the program file of piped programs' {
        $folder = Join-Path $TestDrive 'sources'
        $null = New-Item -ItemType Directory $folder
        Set-Content (Join-Path $folder 'a.imgql') 'print "a" 1 / 0'
        Set-Content (Join-Path $folder 'b.imgql') 'print "b" 2'
        $results = Get-ChildItem $folder -Filter *.imgql | Submit-VoxDag -Wait -ErrorAction SilentlyContinue
        ($results | Where-Object Goal -eq 'a').ValueText | Should -BeExactly ''
        "$($results | Where-Object Goal -eq 'a')" | Should -Not -Match 'null'
        ($results | Where-Object Goal -eq 'b').Source | Should -Be (Join-Path $folder 'b.imgql')
        ($results | Group-Object { Split-Path $_.Source -Leaf }).Name | Sort-Object | Should -Be @('a.imgql', 'b.imgql')
    }
}
