#requires -Version 7.6
# Dependency isolation: the engine, Microsoft.Data.Sqlite and SQLitePCLRaw load in the module's
# own AssemblyLoadContext, so another module carrying a different SQLitePCLRaw works beside it in
# one session, whichever is imported first.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    # Another module that ships its own SQLitePCLRaw.core (version 2.0.0.0, not ours), built here.
    $script:otherModule = Join-Path $TestDrive 'OtherSqlite'
    $null = New-Item -ItemType Directory -Path $otherModule
    $dll = Join-Path $otherModule 'SQLitePCLRaw.core.dll'
    # The assembly is emitted with the identity SQLitePCLRaw.core 2.0.0.0 and one method,
    # SQLitePCL.raw.Owner(). Emitted in a child pwsh: this process must not load it.
    $null = Invoke-VoxFreshPwsh @"
`$name = [Reflection.AssemblyName]::new('SQLitePCLRaw.core'); `$name.Version = [version]'2.0.0.0'
`$assembly = [System.Reflection.Emit.PersistedAssemblyBuilder]::new(`$name, [object].Assembly)
`$type = `$assembly.DefineDynamicModule('SQLitePCLRaw.core').DefineType('SQLitePCL.raw', [Reflection.TypeAttributes]'Public, Abstract, Sealed, Class')
`$il = `$type.DefineMethod('Owner', [Reflection.MethodAttributes]'Public, Static', [string], [type[]]@()).GetILGenerator()
`$il.Emit([System.Reflection.Emit.OpCodes]::Ldstr, 'OtherSqlite 2.0.0.0')
`$il.Emit([System.Reflection.Emit.OpCodes]::Ret)
`$null = `$type.CreateType()
`$assembly.Save('$dll')
"@
    Set-Content -LiteralPath (Join-Path $otherModule 'OtherSqlite.psm1') -Value 'function Get-OtherSqlite { [SQLitePCL.raw]::Owner() }'
    New-ModuleManifest -Path (Join-Path $otherModule 'OtherSqlite.psd1') -RootModule 'OtherSqlite.psm1' -RequiredAssemblies 'SQLitePCLRaw.core.dll' -FunctionsToExport 'Get-OtherSqlite' -ModuleVersion '1.0.0'
    $script:otherManifest = Join-Path $otherModule 'OtherSqlite.psd1'
    $script:moduleDir = Split-Path $script:VoxModulePath
}

Describe 'Dependency isolation' {
    It 'builds the other module with its own SQLitePCLRaw.core' {
        Join-Path $otherModule 'SQLitePCLRaw.core.dll' | Should -Exist
    }

    It 'ships only the loader and the cmdlet assembly beside the manifest; the rest is in Dependencies' {
        (Get-ChildItem $moduleDir -Filter '*.dll').Name | Sort-Object | Should -Be @('VoxScheduler.dll', 'VoxScheduler.Loader.dll')
        foreach ($name in 'VoxScheduler.Engine.dll', 'Microsoft.Data.Sqlite.dll', 'SQLitePCLRaw.core.dll', 'SQLitePCLRaw.provider.e_sqlite3.dll') {
            Join-Path $moduleDir "Dependencies/$name" | Should -Exist
        }
    }

    It 'works beside a module with another SQLitePCLRaw imported <Order>' -ForEach @(
        @{ Order = 'before it'; First = 'other' }
        @{ Order = 'after it'; First = 'vox' }
    ) {
        $store = Join-Path $TestDrive "isolation-$First"
        $importOther = "Import-Module '$otherManifest'"
        $importVox = "Import-Module '$script:VoxModulePath'"
        $imports = if ($First -eq 'other') { "$importOther`n$importVox" } else { "$importVox`n$importOther" }
        $out = Invoke-VoxFreshPwsh @"
`$ErrorActionPreference = 'Stop'
$imports
# Both modules work in one session: ours runs a program on a sqlite store, the other answers from its own assembly.
"vox: `$((Submit-VoxDag -Program 'print "x" 6 * 7' -Store '$store' -Wait).Value)"
"other: `$(Get-OtherSqlite)"
foreach (`$a in [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'SQLitePCLRaw.core' }) {
    "core: `$(`$a.GetName().Version) in `$([System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$a).Name)"
}
"@
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        $out | Should -Contain 'vox: 42'
        $out | Should -Contain 'other: OtherSqlite 2.0.0.0'
        $out | Should -Contain 'core: 2.0.0.0 in Default'
        ($out | Where-Object { $_ -like 'core: 2.1.*' }) | Should -Match ' in VoxScheduler$'
        Test-Path (Join-Path $store '*') | Should -BeTrue
    }

    It 'loads the engine and its dependencies in the VoxScheduler context, and nothing of ours in the default one' {
        $out = Invoke-VoxFreshPwsh @"
`$ErrorActionPreference = 'Stop'
Import-Module '$script:VoxModulePath'
`$null = Submit-VoxDag -Program 'print "y" 1 + 1' -Store '$(Join-Path $TestDrive 'isolation-contexts')' -Wait
foreach (`$a in [AppDomain]::CurrentDomain.GetAssemblies()) {
    `$n = `$a.GetName().Name
    if (`$n -like 'VoxScheduler*' -or `$n -like '*Sqlite*' -or `$n -like 'SQLitePCLRaw*' -or `$n -like 'K4os*') {
        "`$n in `$([System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$a).Name)"
    }
}
"@
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        $out | Should -Contain 'VoxScheduler in Default'
        $out | Should -Contain 'VoxScheduler.Loader in Default'
        $out | Should -Contain 'VoxScheduler.Engine in VoxScheduler'
        $out | Should -Contain 'Microsoft.Data.Sqlite in VoxScheduler'
        $out | Should -Contain 'SQLitePCLRaw.provider.e_sqlite3 in VoxScheduler'
        @($out | Where-Object { $_ -like '* in Default' }).Count | Should -Be 2
    }
}
