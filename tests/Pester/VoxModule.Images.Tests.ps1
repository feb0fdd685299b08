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
        $native = Get-ChildItem (Join-Path $dir 'Dependencies/runtimes') -Recurse -File | Where-Object { $_.Name -match 'SkiaSharp' }
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
# Where Skia came from: its assembly in the module's own load context, its native library from the module folder.
`$skia = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'SkiaSharp' }
"skia context: `$([System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$skia).Name)"
[System.Diagnostics.Process]::GetCurrentProcess().Modules | Where-Object ModuleName -like '*SkiaSharp*' | ForEach-Object { "skia native: `$(`$_.FileName)" }
"@
        $out = Invoke-VoxFreshPwsh $command
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        ($out -join "`n") | Should -Match 'Image 33×41 float32, min -?\d+ max \d+'
        $out | Should -Contain 'skia context: VoxScheduler'
        $native = @($out | Where-Object { $_ -like 'skia native: *' })
        $native.Count | Should -Be 1 -Because ($out -join "`n")
        $native[0].Substring('skia native: '.Length) | Should -BeLike ((Join-Path (Split-Path $script:ModulePath) 'Dependencies') + '*')

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

Describe 'Image results in PowerShell' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'VoxModule.Helpers.ps1')
        Initialize-VoxTestSession
        $script:Work = Join-Path $TestDrive 'image-results'
        New-Item -ItemType Directory -Path $script:Work | Out-Null
        Copy-Item $script:Fixture (Join-Path $script:Work 'slice.nii.gz')
        $script:Store = Join-Path $TestDrive 'image-store'
        New-PSDrive -Name voximg -PSProvider VoxStore -Root $script:Store -Backend sqlite -Create | Out-Null
        Push-Location $script:Work
        try {
            $script:Result = Submit-VoxDag -Program "print `"slice`" load(`"slice.nii.gz`")" -Store 'voximg:' -Wait -ErrorAction Stop
        }
        finally { Pop-Location }
    }

    AfterAll {
        Remove-PSDrive -Name voximg -ErrorAction SilentlyContinue
    }

    It 'shows an image by its one-line summary, never its voxels' {
        # The engine loads in the module's own load context, so its types are checked by name (a type literal cannot see them).
        $script:Result.Value.GetType().FullName | Should -Be 'VoxScheduler.Images.Image'
        $script:Result.ValueText | Should -Match '^Image 33×41 float32, min \S+ max \S+, 5\.4 KB$'
        $table = $script:Result | Format-Table | Out-String
        $table | Should -Match 'Image 33×41 float32'
        $table.Length | Should -BeLessThan 1000
    }

    It 'saves an image as .nii.gz in a folder, and as .nii or .png by the extension given' {
        $folder = Join-Path $TestDrive 'saved'
        New-Item -ItemType Directory -Path $folder | Out-Null
        $gz = $script:Result | Save-VoxResult -Path $folder -PassThru
        $gz.Name | Should -Be 'slice.nii.gz'
        $bytes = [IO.File]::ReadAllBytes($gz.FullName)
        $bytes[0..1] | Should -Be @(0x1f, 0x8b)

        $nii = $script:Result | Save-VoxResult -Path (Join-Path $folder 'plain.nii') -PassThru
        $plain = [IO.File]::ReadAllBytes($nii.FullName)
        [BitConverter]::ToInt32($plain, 0) | Should -Be 348
        [BitConverter]::ToInt16($plain, 70) | Should -Be 16
        $plain.Length | Should -Be (352 + 33 * 41 * 4)

        $png = $script:Result | Save-VoxResult -Path (Join-Path $folder 'slice.png') -PassThru
        $head = [IO.File]::ReadAllBytes($png.FullName)
        $head[1..3] | Should -Be ([byte[]][char[]]'PNG')
        ([int]$head[18] * 256 + $head[19]) | Should -Be 33

        # Read back through the module: the same image.
        Push-Location $folder
        try {
            $back = Submit-VoxDag -Program 'print "gz" load("slice.nii.gz")
print "nii" load("plain.nii")' -Store (Join-Path $TestDrive 'back-store') -Wait -ErrorAction Stop
        }
        finally { Pop-Location }
        foreach ($r in $back) { $r.ValueText | Should -Be $script:Result.ValueText }
    }

    It 'refuses to save an image in a file that cannot hold one' {
        $target = Join-Path $TestDrive 'slice.json'
        $script:Result | Save-VoxResult -Path $target -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].Exception.Message | Should -Match "is an image: save it as .nii, .nii.gz, .png, .jpg or .jpeg"
        Test-Path $target | Should -BeFalse
    }

    It 'gives the NIfTI bytes with Get-Content -AsByteStream, the same as Save-VoxResult to .nii' {
        $bytes = [byte[]](Get-Content "voximg:\$($script:Result.NodeId)" -AsByteStream -ReadCount 0)
        $folder = Join-Path $TestDrive 'saved-for-compare'
        New-Item -ItemType Directory -Path $folder | Out-Null
        $nii = $script:Result | Save-VoxResult -Path (Join-Path $folder 'c.nii') -PassThru
        $bytes.Length | Should -Be (352 + 33 * 41 * 4)
        [BitConverter]::ToInt32($bytes, 0) | Should -Be 348
        [Convert]::ToHexString($bytes) | Should -BeExactly ([Convert]::ToHexString([IO.File]::ReadAllBytes($nii.FullName)))
        # and plain Get-Content gives the image itself, as one object
        (Get-Content "voximg:\$($script:Result.NodeId)").ToString() | Should -Be $script:Result.ValueText
    }
}

Describe 'Images at or above the streaming threshold' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'VoxModule.Helpers.ps1')
        Initialize-VoxTestSession
        # The streaming threshold lowered to 1 KB makes the 5.4 KB fixture a large image: left in the
        # store, as a 240×240×155 scan is at the default 100 MB.
        $script:Work = Join-Path $TestDrive 'large-images'
        New-Item -ItemType Directory -Path $script:Work | Out-Null
        Copy-Item $script:Fixture (Join-Path $script:Work 'slice.nii.gz')
        Push-Location $script:Work
        try {
            $program = 'print "slice" intensity(load("slice.nii.gz")) .+ 0.5'
            $script:Large = Submit-VoxDag -Program "import `"vox1`"`n$program" -Store (Join-Path $TestDrive 'large-store') -StreamingThreshold 1KB -Wait -ErrorAction Stop
            $script:Small = Submit-VoxDag -Program "import `"vox1`"`n$program" -Store (Join-Path $TestDrive 'small-store') -Wait -ErrorAction Stop
        }
        finally { Pop-Location }
    }

    It 'shows the stored image by its summary (kind, size, spacing, min, max) without handing out its voxels' {
        $script:Small.Value.GetType().Name | Should -Be 'Image'
        $large = $script:Large.Value
        $large.GetType().Name | Should -Be 'VoxStoredImage'
        $large.Kind | Should -Be 'float32'
        $large.Size | Should -Be @(33, 41)
        $large.Spacing.Count | Should -Be 2
        $large.Bytes | Should -Be (33 * 41 * 4)
        $script:Large.ValueText | Should -Be $script:Small.ValueText
        $large.Min | Should -BeLessThan $large.Max
    }

    It 'saves it as .nii (the same bytes as the image in memory gives), .nii.gz and .png' {
        $folder = Join-Path $TestDrive 'large-saved'
        New-Item -ItemType Directory -Path $folder | Out-Null
        $fromStore = $script:Large | Save-VoxResult -Path (Join-Path $folder 'stored.nii') -PassThru
        $fromMemory = $script:Small | Save-VoxResult -Path (Join-Path $folder 'memory.nii') -PassThru
        [Convert]::ToHexString([IO.File]::ReadAllBytes($fromStore.FullName)) | Should -BeExactly ([Convert]::ToHexString([IO.File]::ReadAllBytes($fromMemory.FullName)))

        $gz = $script:Large | Save-VoxResult -Path $folder -PassThru
        $gz.Name | Should -Be 'slice.nii.gz'
        $png = $script:Large | Save-VoxResult -Path (Join-Path $folder 'slice.png') -PassThru
        $head = [IO.File]::ReadAllBytes($png.FullName)
        $head[1..3] | Should -Be ([byte[]][char[]]'PNG')
        ([int]$head[22] * 256 + $head[23]) | Should -Be 41

        Push-Location $folder
        try { $back = Submit-VoxDag -Program 'print "gz" load("slice.nii.gz")' -Store (Join-Path $TestDrive 'large-back') -Wait -ErrorAction Stop }
        finally { Pop-Location }
        $back.ValueText | Should -Be $script:Small.ValueText
        Test-Path (Join-Path $folder 'slice.bin') | Should -BeFalse
    }
}
