#requires -Version 7.6
# Images through the published module in a fresh pwsh: a NIfTI file loaded, a PNG saved, which
# needs Skia's native library to load from the module folder as SQLite's does.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:ModulePath = $script:VoxModulePath
    $script:Fixture = [IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../fixtures/images/slice-2d.nii.gz'))
}

Describe 'Images in the module' {
    It 'ships the native Skia library for this platform' {
        $dir = Split-Path $script:ModulePath
        $rid = [System.Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier
        $native = Get-ChildItem (Join-Path $dir 'runtimes') -Recurse -File | Where-Object { $_.Name -match 'SkiaSharp' }
        ($native.FullName -join ';') | Should -Match ([regex]::Escape($rid.Split('-')[0]))
    }

    It 'loads a NIfTI file and saves it as PNG and NIfTI in a fresh pwsh' {
        $work = Join-Path $TestDrive 'images'
        New-Item -ItemType Directory -Path $work | Out-Null
        Copy-Item $script:Fixture (Join-Path $work 'slice.nii.gz')
        Set-Content -Path (Join-Path $work 'convert.imgql') -Value @'
s = load("slice.nii.gz")
save "out/slice.png" s
save "out/slice.nii" s
print "summary" s
'@
        $command = @"
Import-Module '$script:ModulePath' -ErrorAction Stop
Set-Location '$work'
`$r = Submit-VoxDag -Path convert.imgql -Store '$(Join-Path $TestDrive 'store')' -Wait -ErrorAction Stop
(`$r | Where-Object Goal -eq summary).Value.ToString()
"@
        $out = Invoke-VoxFreshPwsh $command
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        ($out -join "`n") | Should -Match 'Image 33×41 float32, min -?\d+ max \d+'

        $png = [IO.File]::ReadAllBytes((Join-Path $work 'out/slice.png'))
        $png[1..3] | Should -Be ([byte[]][char[]]'PNG')
        # width and height in the PNG header (big endian)
        ([int]$png[18] * 256 + $png[19]) | Should -Be 33
        ([int]$png[22] * 256 + $png[23]) | Should -Be 41
        $nii = [IO.File]::ReadAllBytes((Join-Path $work 'out/slice.nii'))
        [BitConverter]::ToInt32($nii, 0) | Should -Be 348
        [BitConverter]::ToInt16($nii, 70) | Should -Be 16 # float32
        $nii.Length | Should -Be (352 + 33 * 41 * 4)
    }
}
