#requires -Version 7.6
# Copy-Item of results to files (#13 defect 8, its last part). PowerShell refuses a copy between
# providers before any provider code runs, so while the module is loaded Copy-Item is an alias of
# Copy-VoxItem: a proxy that writes results out of a VoxStore drive as Save-VoxResult does and
# leaves every other copy to Microsoft.PowerShell.Management\Copy-Item.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'VoxModule.Helpers.ps1')
    Initialize-VoxTestSession
    $null = New-PSDrive -Name cpy -PSProvider VoxStore -Root (Join-Path $TestDrive 'copy-store') -Create -Scope Global
    $script:Results = @(Submit-VoxDag -Program 'import "test"
print "num" 6 * 7
print "text" "hello" + " world"
print "seq" [1, 2] * 3
print "big" test.blob(13, 0.25)' -Store cpy: -StreamingThreshold 64KB -Name copy-run -Wait)
    $script:Num = $script:Results | Where-Object Goal -eq 'num'
    $script:Text = $script:Results | Where-Object Goal -eq 'text'
    $script:Seq = $script:Results | Where-Object Goal -eq 'seq'
    $script:Big = $script:Results | Where-Object Goal -eq 'big'

    function New-CopyFolder {
        # A fresh, empty folder for one test's files.
        New-Item -ItemType Directory -Path (Join-Path $TestDrive "out-$([guid]::NewGuid().ToString('n'))")
    }

    function Test-SameBytes([string] $Left, [string] $Right) {
        [Linq.Enumerable]::SequenceEqual([IO.File]::ReadAllBytes($Left), [IO.File]::ReadAllBytes($Right))
    }
}

AfterAll { Remove-PSDrive -Name cpy -Scope Global -ErrorAction SilentlyContinue }

Describe 'Copy-Item from a VoxStore drive to a file' {
    It 'copies a result by its id: text as text, numbers and sequences as JSON' {
        $out = New-CopyFolder
        Copy-Item "cpy:\$($script:Text.NodeId)" -Destination (Join-Path $out 'text.txt')
        Copy-Item "cpy:\$($script:Num.NodeId)" -Destination (Join-Path $out 'num.json')
        Copy-Item "cpy:\$($script:Seq.NodeId)" -Destination (Join-Path $out 'seq.json')
        Get-Content -Raw (Join-Path $out 'text.txt') | Should -BeExactly 'hello world'
        Get-Content -Raw (Join-Path $out 'num.json') | ConvertFrom-Json | Should -Be 42
        Get-Content -Raw (Join-Path $out 'seq.json') | ConvertFrom-Json | Should -Be @(3, 6)
    }

    It 'writes the very bytes Save-VoxResult writes (a streamed bytes result, text, JSON)' {
        $out = New-CopyFolder
        foreach ($case in @(@($script:Big, 'bin'), @($script:Text, 'txt'), @($script:Seq, 'json'))) {
            $result, $ext = $case
            $copied = Copy-Item "cpy:\$($result.NodeId)" -Destination (Join-Path $out "copied.$ext") -PassThru
            $saved = $result | Save-VoxResult -Path (Join-Path $out "saved.$ext") -PassThru
            $copied.Length | Should -BeGreaterThan 0
            $copied.Length | Should -Be $saved.Length
            Test-SameBytes $copied.FullName $saved.FullName | Should -BeTrue -Because "the copy of $($result.Goal) is what Save-VoxResult writes"
        }
        (Get-Item (Join-Path $out 'copied.bin')).Length | Should -Be (256 * 1024)
    }

    It 'writes an image by the extension given (PNG, NIfTI), the same bytes as Save-VoxResult' {
        $work = New-CopyFolder
        Copy-Item ([IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../fixtures/images/slice-2d.nii.gz'))) (Join-Path $work 'slice.nii.gz')
        Push-Location $work
        try { $image = Submit-VoxDag -Program 'print "slice" load("slice.nii.gz")' -Store cpy: -Name copy-image -Wait -ErrorAction Stop }
        finally { Pop-Location }
        $out = New-CopyFolder
        foreach ($ext in 'png', 'nii') {
            $copied = Copy-Item "cpy:\$($image.NodeId)" -Destination (Join-Path $out "copied.$ext") -PassThru
            $saved = $image | Save-VoxResult -Path (Join-Path $out "saved.$ext") -PassThru
            $copied.Length | Should -BeGreaterThan 0
            Test-SameBytes $copied.FullName $saved.FullName | Should -BeTrue -Because "an image copied to .$ext is what Save-VoxResult writes"
        }
        [IO.File]::ReadAllBytes((Join-Path $out 'copied.png'))[1..3] | Should -Be ([byte[]][char[]]'PNG')
        $folder = New-CopyFolder
        $gz = Copy-Item 'cpy:\executions\copy-image\slice' -Destination $folder -PassThru
        $gz.Name | Should -Be 'slice.nii.gz'
        [IO.File]::ReadAllBytes($gz.FullName)[0..1] | Should -Be @(0x1f, 0x8b)
        Copy-Item "cpy:\$($image.NodeId)" -Destination (Join-Path $out 'image.json') -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'VoxSaveFailed,*'
        $errs[0].Exception.Message | Should -Match '\.png'
    }

    It 'resolves a unique id prefix and an execution''s name path' {
        $out = New-CopyFolder
        Copy-Item "cpy:\$($script:Text.NodeId.Substring(0, 10))" -Destination (Join-Path $out 'prefix.txt')
        Get-Content -Raw (Join-Path $out 'prefix.txt') | Should -BeExactly 'hello world'
        $byName = Copy-Item 'cpy:\executions\copy-run\seq' -Destination $out -PassThru
        $byName.Name | Should -Be 'seq.json'
        Get-Content -Raw $byName.FullName | ConvertFrom-Json | Should -Be @(3, 6)
    }

    It 'copies items piped from Get-ChildItem of a drive other than Vox:, each named after its id in a folder' {
        $out = New-CopyFolder
        $items = @(Get-ChildItem cpy:\ | Where-Object { -not $_.PSIsContainer })
        $items.Count | Should -BeGreaterOrEqual 4
        $files = @($items | Copy-Item -Destination $out -PassThru)
        $files.Count | Should -Be $items.Count
        ($files.Name -replace '\..*$' | Sort-Object) | Should -Be ($items.NodeId | Sort-Object)
        Get-Content -Raw (Join-Path $out "$($script:Text.NodeId).txt") | Should -BeExactly 'hello world'
        Test-SameBytes (Join-Path $out "$($script:Big.NodeId).bin") ($script:Big | Save-VoxResult -Path (Join-Path (New-CopyFolder) 'b.bin') -PassThru).FullName |
            Should -BeTrue
        # A destination computed per item (a delay-bind script block), as for files.
        $named = New-CopyFolder
        Get-ChildItem cpy:\ | Where-Object NodeId -eq $script:Num.NodeId | Copy-Item -Destination { Join-Path $named "$($_.Operator).json" }
        Get-Content -Raw (Join-Path $named 'default.mul.json') | ConvertFrom-Json | Should -Be 42
    }

    It 'copies the results a wildcard matches into a folder, passing over folders' {
        $out = New-CopyFolder
        Copy-Item 'cpy:\*' -Destination $out
        $ids = @(Get-ChildItem cpy:\ | Where-Object { -not $_.PSIsContainer }).NodeId
        (Get-ChildItem $out).Name -replace '\..*$' | Sort-Object | Should -Be ($ids | Sort-Object)
        $named = New-CopyFolder
        Copy-Item 'cpy:\executions\copy-run\*' -Destination $named
        (Get-ChildItem $named).Name | Sort-Object | Should -Be @('big.bin', 'num.json', 'seq.json', 'text.txt')
    }

    It 'copies from a drive made in the caller''s own scope (a function, a Pester block)' {
        # Not -Scope Global: this drive lives in the It block's scope, which a module's own
        # session state cannot see; Copy-Item must see it as the real cmdlet would.
        $null = New-PSDrive -Name cpylocal -PSProvider VoxStore -Root (Join-Path $TestDrive 'copy-store')
        $out = New-CopyFolder
        Copy-Item "cpylocal:\$($script:Num.NodeId)" -Destination (Join-Path $out 'n.json')
        Get-Content -Raw (Join-Path $out 'n.json') | ConvertFrom-Json | Should -Be 42
        $null = New-PSDrive -Name fslocal -PSProvider FileSystem -Root $out
        Copy-Item fslocal:\n.json -Destination fslocal:\m.json
        Get-Content -Raw (Join-Path $out 'm.json') | ConvertFrom-Json | Should -Be 42
    }

    It 'keeps an existing file without -Force, overwrites it with -Force, writes the FileInfo with -PassThru' {
        $out = New-CopyFolder
        $target = Join-Path $out 'keep.txt'
        Set-Content -LiteralPath $target -Value 'mine' -NoNewline
        $written = Copy-Item "cpy:\$($script:Text.NodeId)" -Destination $target -ErrorVariable errs -ErrorAction SilentlyContinue
        $written | Should -BeNullOrEmpty
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'VoxSaveFailed,*'
        $errs[0].Exception.Message | Should -Match '-Force'
        Get-Content -Raw $target | Should -BeExactly 'mine'

        Copy-Item "cpy:\$($script:Text.NodeId)" -Destination $target -Force | Should -BeNullOrEmpty
        Get-Content -Raw $target | Should -BeExactly 'hello world'

        $info = Copy-Item "cpy:\$($script:Num.NodeId)" -Destination (Join-Path $out 'n.json') -PassThru
        $info | Should -BeOfType [IO.FileInfo]
        $info.FullName | Should -Be (Join-Path $out 'n.json')
    }

    It 'changes nothing with -WhatIf' {
        $out = New-CopyFolder
        $existing = Join-Path $out 'existing.txt'
        Set-Content -LiteralPath $existing -Value 'mine' -NoNewline
        Copy-Item "cpy:\$($script:Num.NodeId)" -Destination (Join-Path $out 'n.json') -WhatIf -ErrorVariable errs | Should -BeNullOrEmpty
        Copy-Item "cpy:\$($script:Text.NodeId)" -Destination $existing -Force -WhatIf -ErrorVariable +errs
        Copy-Item 'cpy:\*' -Destination $out -WhatIf -ErrorVariable +errs
        $errs | Should -BeNullOrEmpty -Because 'each copy is possible; -WhatIf only says what it would write'
        Test-Path (Join-Path $out 'n.json') | Should -BeFalse
        Get-Content -Raw $existing | Should -BeExactly 'mine'
        @(Get-ChildItem $out).Count | Should -Be 1
    }

    It 'reports an unknown id, a folder, several results for one file and a missing folder clearly, creating nothing' {
        $out = New-CopyFolder
        Copy-Item 'cpy:\ffffffffffffffff' -Destination (Join-Path $out 'x.json') -ErrorVariable errs -ErrorAction SilentlyContinue
        $? | Should -BeFalse
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'VoxItemNotFound,*'
        $errs[0].Exception.Message | Should -Match 'ffffffffffffffff'

        Copy-Item 'cpy:\executions' -Destination $out -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'VoxNotSupported,*'
        $errs[0].Exception.Message | Should -Match 'not a result'

        Copy-Item 'cpy:\*' -Destination (Join-Path $out 'one.json') -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'VoxSaveFailed,*'
        $errs[0].Exception.Message | Should -Match 'existing folder'

        $missing = Join-Path $out 'no-such-folder'
        Copy-Item "cpy:\$($script:Num.NodeId)" -Destination (Join-Path $missing 'n.json') -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'VoxSaveFailed,*'
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $errs[0].Exception.Message | Should -Match 'does not exist'
        Test-Path $missing | Should -BeFalse
        @(Get-ChildItem $out).Count | Should -Be 0
    }

    It 'reports an ambiguous id prefix' {
        # 800 results in their own store: ids are content addresses, so which two share their
        # first four digits is fixed (and with 800 ids among 65536 prefixes some pair does).
        $null = New-PSDrive -Name cpymany -PSProvider VoxStore -Root (Join-Path $TestDrive 'copy-many') -Create
        $program = (1..800 | ForEach-Object { "print ""n$_"" $_ + 0.5" }) -join "`n"
        $null = Submit-VoxDag -Program $program -Store cpymany: -Wait
        $shared = Get-ChildItem cpymany:\ | Where-Object { -not $_.PSIsContainer } |
            Group-Object { $_.NodeId.Substring(0, 4) } | Where-Object Count -gt 1 | Select-Object -First 1
        $shared | Should -Not -BeNullOrEmpty
        $out = New-CopyFolder
        Copy-Item "cpymany:\$($shared.Name)" -Destination (Join-Path $out 'x.json') -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'VoxPathAmbiguous,*'
        $errs[0].Exception.Message | Should -Match 'more characters'
        Test-Path (Join-Path $out 'x.json') | Should -BeFalse
    }

    It 'follows -ErrorAction: Stop throws the error, as from a cmdlet' {
        $out = New-CopyFolder
        $caught = $null
        try { Copy-Item 'cpy:\ffffffffffffffff' -Destination (Join-Path $out 'x.json') -ErrorAction Stop; 'not reached' }
        catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -BeLike 'VoxItemNotFound,*'
        # The caller's own preference counts too (a function of a module would see only the module's).
        $ErrorActionPreference = 'Stop'
        { Copy-Item "cpy:\$($script:Num.NodeId)" -Destination (Join-Path $out 'missing/n.json') } | Should -Throw -ErrorId 'VoxSaveFailed,*'
    }

    It 'still copies results between VoxStore drives with the provider (the result keeps its id)' {
        (Get-Command Copy-Item).ResolvedCommand.Name | Should -Be 'Copy-VoxItem' -Because 'these copies go through the proxy too'
        $null = New-PSDrive -Name cpyother -PSProvider VoxStore -Root (Join-Path $TestDrive "copy-other-$([guid]::NewGuid().ToString('n'))") -Create
        Copy-Item "cpy:\$($script:Num.NodeId)" -Destination cpyother:\
        Get-Content "cpyother:\$($script:Num.NodeId)" | Should -Be 42
        Get-ChildItem cpy:\ | Where-Object NodeId -eq $script:Text.NodeId | Copy-Item -Destination cpyother:\
        Get-Content "cpyother:\$($script:Text.NodeId)" | Should -Be 'hello world'
    }
}

Describe 'Every other copy is the real Copy-Item''s' {
    It 'resolves Copy-Item to the module''s proxy, with the cmdlet''s parameters, completion and help' {
        $proxy = Get-Command Copy-Item
        $proxy.CommandType | Should -Be 'Alias'
        $proxy.ResolvedCommand.Name | Should -Be 'Copy-VoxItem'
        $real = Get-Command Microsoft.PowerShell.Management\Copy-Item
        ((Get-Command Copy-VoxItem).Parameters.Keys | Sort-Object) | Should -Be ($real.Parameters.Keys | Sort-Object)
        ((Get-Command Copy-VoxItem).ParameterSets.Name | Sort-Object) | Should -Be ($real.ParameterSets.Name | Sort-Object)
        (Get-Command Copy-VoxItem -ArgumentList $TestDrive).Parameters.Keys | Should -Contain 'ToSession'
        (Get-Command Copy-VoxItem -ArgumentList $TestDrive).Parameters.Keys | Should -Contain 'FromSession'
        (TabExpansion2 'Copy-Item -ToSe').CompletionMatches.CompletionText | Should -Contain '-ToSession'
        (TabExpansion2 'Copy-Item -FromSe').CompletionMatches.CompletionText | Should -Contain '-FromSession'
        (TabExpansion2 'Copy-Item -Dest').CompletionMatches.CompletionText | Should -Contain '-Destination'
        $null = New-Item -ItemType File (Join-Path $TestDrive 'completion-target.txt') -Force
        (TabExpansion2 "Copy-Item $(Join-Path $TestDrive 'completion-tar')").CompletionMatches.CompletionText | Should -Match 'completion-target\.txt'
        $help = @(Get-Help Copy-Item)
        $help.Count | Should -Be 1 -Because 'Get-Help Copy-Item shows the cmdlet''s help, not a list of topics'
        $help[0].Category | Should -Be 'Cmdlet'
        $help[0].ModuleName | Should -Be 'Microsoft.PowerShell.Management'
    }

    It 'copies files exactly as the real cmdlet does (same files, output and errors with and without the module)' {
        $steps = {
            param($Root)
            $null = New-Item -ItemType Directory $Root
            Set-Location $Root
            $null = New-Item -ItemType Directory ./src/a/b -Force
            'one' | Set-Content ./src/1.txt; 'two' | Set-Content ./src/a/2.log; 'three' | Set-Content ./src/a/b/3.txt
            $null = New-Item -ItemType Directory ./d1, ./d2, ./d3, ./d6
            Get-ChildItem ./src -File | Copy-Item -Destination ./d1 -PassThru | ForEach-Object { "1 $($_.Name)" }
            Copy-Item ./src/* ./d2 -Include *.log -Recurse -PassThru | ForEach-Object { "2 $($_.Name)" }
            Copy-Item ./src -Destination ./d3 -Filter *.txt -Recurse -PassThru | ForEach-Object { "3 $($_.Name)" }
            Copy-Item ./src -Destination ./d4 -Recurse
            Copy-Item ./src -Destination ./d5 -Recurse -Container:$false
            Copy-Item -LiteralPath ./src/1.txt -Destination ./d6/renamed.txt
            Copy-Item ./src/*.txt ./d6 -Exclude 1* -PassThru | ForEach-Object { "6 $($_.Name)" }
            './src/1.txt' | Copy-Item -Destination ./d6/piped.txt
            [pscustomobject]@{ Path = './src/a/2.log'; Destination = './d6/byprop.log' } | Copy-Item
            Get-ChildItem ./src/*.txt | Copy-Item -Destination { "./d6/$($_.BaseName).bak" }
            Copy-Item ./src/1.txt ./d6/renamed.txt; "overwrite: $?"
            Copy-Item ./nope.txt ./x.txt -ErrorAction SilentlyContinue -ErrorVariable e; "missing: $? $($e[0].FullyQualifiedErrorId)"
            try { Copy-Item ./nope.txt ./x.txt -ErrorAction Stop } catch { "stop: $($_.FullyQualifiedErrorId)" }
            function Copy-InScope { $null = New-PSDrive -Name scoped -PSProvider FileSystem -Root ./src; Copy-Item scoped:\1.txt -Destination ./d6/scoped.txt }
            Copy-InScope
            Copy-Item ./src/1.txt ./d6/whatif.txt -WhatIf
            'tree:'
            Get-ChildItem -Recurse -Name | ForEach-Object { $_ -replace '\\', '/' } | Sort-Object
        }
        # Without the module: a runspace of this process that has not imported it. With it: here.
        $baseline = [powershell]::Create()
        try {
            $without = @($baseline.AddScript($steps).AddArgument((Join-Path $TestDrive 'fs-without')).Invoke())
            $baseline.Streams.Error | Should -BeNullOrEmpty
        }
        finally { $baseline.Dispose() }
        (Get-Command Copy-Item).ResolvedCommand.Name | Should -Be 'Copy-VoxItem'
        Push-Location
        try { $with = @(& $steps (Join-Path $TestDrive 'fs-with')) }
        finally { Pop-Location }
        $without | Should -Contain 'tree:'
        $without | Should -Contain 'd4/a/b/3.txt'
        $without | Should -Contain 'd6/scoped.txt'
        $without | Should -Contain 'd6/1.bak'
        $without | Should -Not -Contain 'd6/whatif.txt'
        $with | Should -Be $without
    }

    It 'leaves the real cmdlet in place once the module is removed' {
        $folder = Join-Path $TestDrive 'after-remove'
        $out = Invoke-VoxFreshPwsh @"
`$ErrorActionPreference = 'Stop'
Import-Module '$script:VoxModulePath'
"loaded: `$((Get-Command Copy-Item).CommandType) `$((Get-Command Copy-Item).ResolvedCommand.Name)"
Remove-Module VoxScheduler
"removed: `$((Get-Command Copy-Item).CommandType) `$((Get-Command Copy-Item).Source) `$(@(Get-Command Copy-VoxItem -ErrorAction SilentlyContinue).Count)"
`$null = New-Item -ItemType Directory '$folder'
'x' | Set-Content '$folder/a.txt'
Copy-Item '$folder/a.txt' '$folder/b.txt'
"copied: `$(Get-Content '$folder/b.txt')"
"@
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        $out | Should -Contain 'loaded: Alias Copy-VoxItem'
        $out | Should -Contain 'removed: Cmdlet Microsoft.PowerShell.Management 0'
        $out | Should -Contain 'copied: x'
    }
}
