#requires -Version 7.6
# An execution's own compression, codec and streaming threshold (#14 item 13): Submit-VoxDag
# -NoCompression, -Codec and -StreamingThreshold decide how that execution's results are
# stored, even on a store another execution opened first. Checked on the stored bytes.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'VoxModule.Helpers.ps1')
    Initialize-VoxTestSession
    # A computed, compressible text of 3002 characters, different per seed.
    function Get-TextProgram([string] $Seed) { "print ""s"" ""$Seed"" + ""$('v' * 3000)""" }
    $null = New-PSDrive -Name vcomp -PSProvider VoxStore -Root (Join-Path $TestDrive 'compression') -Create
}

Describe 'Submit-VoxDag compression settings' {
    It 'stores each execution''s results with its own codec on one store: <Name>' -ForEach @(
        @{ Name = 'default'; Seed = 'a'; Arguments = @{}; Codec = 'lz4' }
        @{ Name = '-NoCompression'; Seed = 'b'; Arguments = @{ NoCompression = $true }; Codec = $null }
        @{ Name = '-Codec brotli'; Seed = 'c'; Arguments = @{ Codec = 'brotli' }; Codec = 'brotli' }
        @{ Name = '-Codec none'; Seed = 'd'; Arguments = @{ Codec = 'none' }; Codec = $null }
    ) {
        # The default case runs first and opens the store; the others reuse it.
        $r = Submit-VoxDag -Program (Get-TextProgram $Seed) -Store vcomp: -Wait @Arguments
        $r.Status | Should -Be 'Completed'
        $item = Get-Item "vcomp:\$($r.NodeId)"
        $item.Compression | Should -Be $Codec
        if ($Codec) { $item.StoredSize | Should -BeLessThan ($item.Size / 4) }
        else { $item.StoredSize | Should -Be $item.Size }
        $r.Value | Should -Be ($Seed + ('v' * 3000))
    }

    It 'keeps a result at or above -StreamingThreshold as a raw file of the hybrid store' {
        $r = Submit-VoxDag -Program (Get-TextProgram 'e') -Store vcomp: -StreamingThreshold 1KB -Wait
        $item = Get-Item "vcomp:\$($r.NodeId)"
        $item.Compression | Should -BeNullOrEmpty
        $item.StoredSize | Should -Be $item.Size
        $large = Join-Path $TestDrive 'compression/large'
        # Data files only (its tmp folder holds writes in progress).
        @(Get-ChildItem $large -Recurse -File | Where-Object { [IO.Path]::GetRelativePath($large, $_.FullName) -notlike 'tmp*' }).Count | Should -Be 1
    }

    It 'refuses -NoCompression with another codec, and an unknown codec' {
        { Submit-VoxDag -Program 'print "x" 1' -NoCompression -Codec brotli -ErrorAction Stop } | Should -Throw -ErrorId 'VoxParameterConflict,*'
        { Submit-VoxDag -Program 'print "x" 1' -Codec zip } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
    }
}
