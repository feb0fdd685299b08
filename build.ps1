#requires -Version 7.6
<#
.SYNOPSIS
    Builds, tests and runs VoxScheduler.

.DESCRIPTION
    Tasks:
      build  (default)  Publishes the module to out/VoxScheduler (importable with Import-Module).
      pack              Builds, then writes the PowerShell Gallery package out/VoxScheduler.<version>.nupkg.
      test              Builds, runs every xunit project (and the engine's once more in Debug, so its
                        assertions run), then the Pester tests in a child pwsh;
                        ends with one line "Tests: N passed, N failed"; exits non-zero on failure.
      run <file>        Builds if needed and runs a program (.imgql) or DAG (.json) through the
                        module in a fresh pwsh on the default store, printing the results.
      serve [args]      Runs the REST server (default http://127.0.0.1:5080).
      bench [args]      Runs the benchmark harness (Release), e.g. "bench dag --shape chain --n 100000".
      soak              Runs the reliability soak loops for -Minutes minutes.
      silo [args]       Runs one cluster silo in the foreground (VoxScheduler.Silo.dll with these
                        arguments, e.g. "silo --cluster-id lab --redis 10.0.0.5:6379"); Ctrl+C stops it.
      cluster-up        Starts a cluster on this machine's loopback: PostgreSQL and Redis from Debian's
                        packages (data under out/cluster, run as their service users when root) and
                        -Silos silo processes in the background (pids and logs in out/cluster, or
                        -ClusterFolder); prints how to connect. A fresh cluster id every time.
      cluster-down      Stops what cluster-up started (silos, Redis, PostgreSQL); the stored results stay.
      clean             Removes out/ and every bin/ and obj/ folder.

.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 run examples/hello.imgql

.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 test
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('build', 'pack', 'test', 'run', 'serve', 'bench', 'soak', 'silo', 'cluster-up', 'cluster-down', 'clean')]
    [string] $Task = 'build',

    [Parameter(Position = 1, ValueFromRemainingArguments)]
    [string[]] $Arguments = @(),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # soak: how long to run the kill/resume and fuzz loops.
    [ValidateRange(1, 1440)]
    [int] $Minutes = 5,

    # cluster-up: how many silo processes to start (0: only PostgreSQL and Redis).
    [ValidateRange(0, 16)]
    [int] $Silos = 3,

    # cluster-up, cluster-down: the folder of the local cluster's servers, state and logs (default out/cluster);
    # another folder is another cluster, so two can run side by side.
    [string] $ClusterFolder
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleOut = Join-Path $Out 'VoxScheduler'
$ToolsDir = Join-Path $Root '.tools'
# Native SQLite and Skia builds we ship; everything else SQLitePCLRaw and SkiaSharp bring is pruned
# ('osx' is Skia's one universal macOS library).
$SupportedRids = 'win-x64', 'win-arm64', 'linux-x64', 'linux-arm64', 'linux-musl-x64', 'osx-x64', 'osx-arm64', 'osx'
# PowerShell provides these at run time; shipping them would break loading.
$ForbiddenAssemblies = 'System.Management.Automation.dll', 'Microsoft.PowerShell.*.dll', 'Microsoft.Management.Infrastructure*.dll'

function Invoke-Native {
    # Runs a native command and throws when it fails, so errors never pass silently.
    param([Parameter(Mandatory)] [string] $Command, [string[]] $ArgumentList = @())
    & $Command @ArgumentList
    if ($LASTEXITCODE -ne 0) {
        throw "'$Command $($ArgumentList -join ' ')' failed with exit code $LASTEXITCODE."
    }
}

function Get-PwshCommand {
    # The pwsh running this script, as a command line usable for a child process. Under
    # 'dotnet pwsh' (the local tool) the process is the dotnet host, which needs pwsh.dll.
    $processPath = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($processPath) -eq 'dotnet') {
        return @($processPath, (Join-Path $PSHOME 'pwsh.dll'))
    }
    return @($processPath)
}

function Invoke-ChildPwsh {
    # Runs a script block's text in a fresh pwsh (built assemblies never load into this one).
    param([Parameter(Mandatory)] [string] $Command)
    $pwsh = Get-PwshCommand
    $exe = $pwsh[0]
    $argList = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $Command)
    # The child's output goes to the host, not into this function's return value.
    & $exe @argList | Out-Host
    return $LASTEXITCODE
}

function Get-VoxVersion {
    [xml] $props = Get-Content -Raw (Join-Path $Root 'Directory.Build.props')
    return ($props.Project.PropertyGroup | Where-Object { $_['VoxVersion'] } | Select-Object -First 1).VoxVersion
}

function Get-ReleaseNotes([string] $Version) {
    # The CHANGELOG.md section of this version (Keep a Changelog: '## [x.y.z]' up to the next '## ').
    $changelog = Get-Content -Raw (Join-Path $Root 'CHANGELOG.md')
    $match = [regex]::Match($changelog, "(?ms)^## \[$([regex]::Escape($Version))\][^\n]*\n(?<notes>.*?)(?=^## |\z)")
    if (-not $match.Success) { throw "CHANGELOG.md has no '## [$Version]' section: add one before building $Version." }
    return $match.Groups['notes'].Value.Trim()
}

function Get-PinnedVersion([string] $Package) {
    [xml] $props = Get-Content -Raw (Join-Path $Root 'Directory.Packages.props')
    $node = $props.Project.ItemGroup.PackageVersion | Where-Object { $_.Include -eq $Package } | Select-Object -First 1
    if (-not $node) { throw "Package '$Package' is not pinned in Directory.Packages.props." }
    return $node.Version
}

function Test-ModuleUpToDate {
    $dll = Join-Path $ModuleOut 'VoxScheduler.dll'
    if (-not (Test-Path $dll)) { return $false }
    $builtAt = (Get-Item $dll).LastWriteTimeUtc
    $sources = Get-ChildItem -Path (Join-Path $Root 'src'), (Join-Path $Root 'module') -Recurse -File |
        Where-Object { $_.FullName -notmatch '[\\/](bin|obj)[\\/]' }
    $sources += Get-Item (Join-Path $Root 'Directory.Build.props'), (Join-Path $Root 'Directory.Packages.props')
    return -not ($sources | Where-Object { $_.LastWriteTimeUtc -gt $builtAt } | Select-Object -First 1)
}

function Invoke-Build {
    $publish = Join-Path $Out 'publish'
    Write-Host "Publishing the module ($Configuration)..."
    Invoke-Native dotnet @('publish', (Join-Path $Root 'src/Cmdlets/VoxScheduler.Cmdlets.csproj'), '-c', $Configuration,
        '-o', $publish, '--nologo', '-v', 'q', '-p:GenerateDocumentationFile=false')

    if (Test-Path $ModuleOut) { Remove-Item $ModuleOut -Recurse -Force }
    New-Item -ItemType Directory -Path $ModuleOut | Out-Null

    # Only the cmdlet assembly loads into PowerShell's default context. The engine and every
    # third-party assembly (and native library) go to Dependencies/, where default probing never
    # looks; the module's own AssemblyLoadContext loads them from there (VoxLoadContext), so
    # another module shipping other versions of them cannot clash with ours.
    $dependencies = Join-Path $ModuleOut 'Dependencies'
    New-Item -ItemType Directory -Path $dependencies | Out-Null
    Invoke-Native dotnet @('publish', (Join-Path $Root 'src/Loader/VoxScheduler.Loader.csproj'), '-c', $Configuration,
        '-o', $publish, '--nologo', '-v', 'q', '-p:GenerateDocumentationFile=false')
    $defaultContext = 'VoxScheduler.dll', 'VoxScheduler.Loader.dll'
    foreach ($dll in $defaultContext) { Copy-Item -LiteralPath (Join-Path $publish $dll) -Destination $ModuleOut }
    Get-ChildItem $publish -File -Filter '*.dll' | Where-Object Name -notin $defaultContext | Copy-Item -Destination $dependencies
    foreach ($rid in $SupportedRids) {
        $native = Join-Path $publish "runtimes/$rid"
        if (Test-Path $native) {
            $target = Join-Path $dependencies "runtimes/$rid"
            New-Item -ItemType Directory -Path $target -Force | Out-Null
            Copy-Item -Path (Join-Path $native '*') -Destination $target -Recurse -Force
        }
    }

    # Manifest, formats, types, help: everything under module/ goes beside the dll.
    Copy-Item -Path (Join-Path $Root 'module/*') -Destination $ModuleOut -Recurse -Force
    $manifest = Join-Path $ModuleOut 'VoxScheduler.psd1'
    $version = Get-VoxVersion
    $releaseNotes = (Get-ReleaseNotes $version).Replace("'", "''")
    (Get-Content -Raw $manifest).Replace('{{ModuleVersion}}', $version).Replace('{{ReleaseNotes}}', $releaseNotes) |
        Set-Content -Path $manifest -NoNewline
    Copy-Item -LiteralPath (Join-Path $Root 'LICENSE') -Destination $ModuleOut

    $helpGenerator = Join-Path $Root 'tools/New-MamlHelp.ps1'
    if (Test-Path $helpGenerator) {
        & $helpGenerator -ModulePath $ModuleOut
    }

    foreach ($pattern in $ForbiddenAssemblies) {
        $found = Get-ChildItem -Path $ModuleOut -Filter $pattern -Recurse
        if ($found) { throw "PowerShell's own assemblies must not ship with the module: $($found.Name -join ', ')" }
    }
    Write-Host "Module ready: $ModuleOut"
}

function Install-Pester {
    # Pester comes from NuGet (there is no PowerShell Gallery here): a PackageDownload restore
    # places the package, whose tools/ folder is the module.
    $version = Get-PinnedVersion 'Pester'
    $packages = Join-Path $ToolsDir 'packages'
    $psd1 = Join-Path $packages "pester/$version/tools/Pester.psd1"
    if (-not (Test-Path $psd1)) {
        Write-Host "Restoring Pester $version from NuGet..."
        Invoke-Native dotnet @('restore', (Join-Path $Root 'tools/Pester/Pester.Restore.csproj'), "-p:PesterVersion=$version",
            '--packages', $packages, '--nologo', '-v', 'q')
    }
    if (-not (Test-Path $psd1)) { throw "Pester $version was restored but $psd1 is missing." }
    return $psd1
}

function Get-TrxCounts([string] $Directory) {
    $passed = 0; $failed = 0
    foreach ($trx in Get-ChildItem -Path $Directory -Filter '*.trx' -Recurse -ErrorAction SilentlyContinue) {
        # A results file cut short (a full disk, a killed test host) is a failure that says so, not a
        # script error that hides how many tests ran.
        $counters = $null
        try {
            [xml] $doc = Get-Content -Raw $trx.FullName
            $counters = $doc.SelectSingleNode("/*[local-name()='TestRun']/*[local-name()='ResultSummary']/*[local-name()='Counters']")
        }
        catch { }
        if ($null -eq $counters) {
            Write-Warning "Test results file $($trx.FullName) is empty or cut short (a full disk, a killed test host?): counted as one failure."
            $failed += 1
            continue
        }
        $passed += [int] $counters.passed
        $failed += [int] $counters.failed + [int] $counters.error + [int] $counters.timeout + [int] $counters.aborted
    }
    return [pscustomobject]@{ Passed = $passed; Failed = $failed }
}

function Test-PostgresBinaries {
    if ($env:VOXSCHEDULER_PG_BIN -and (Test-Path (Join-Path $env:VOXSCHEDULER_PG_BIN 'initdb'))) { return $true }
    return [bool] (Get-ChildItem -Path '/usr/lib/postgresql/*/bin/initdb' -ErrorAction SilentlyContinue)
}

function Test-RedisBinary {
    if ($env:VOXSCHEDULER_REDIS_SERVER -and (Test-Path $env:VOXSCHEDULER_REDIS_SERVER)) { return $true }
    return [bool] (Get-Command redis-server -CommandType Application -ErrorAction SilentlyContinue)
}

function Get-ServerTestFilter {
    # The postgres backend's tests (Category=Postgres) need PostgreSQL's server binaries; the
    # cluster's process tests (Category=Cluster) need PostgreSQL and redis-server. .ci/run installs
    # both and sets VOXSCHEDULER_REQUIRE_POSTGRES=1 and VOXSCHEDULER_REQUIRE_CLUSTER=1, so there a
    # missing server fails the tests; elsewhere they are left out and the run says why.
    $excluded = @()
    if ($env:VOXSCHEDULER_REQUIRE_POSTGRES -ne '1' -and -not (Test-PostgresBinaries)) {
        Write-Warning 'PostgreSQL server binaries not found (Debian: apt-get install postgresql): the postgres backend tests (Category=Postgres) and the cluster process tests (Category=Cluster) are left out of this run.'
        $excluded += 'Postgres', 'Cluster'
    }
    elseif ($env:VOXSCHEDULER_REQUIRE_CLUSTER -ne '1' -and -not (Test-RedisBinary)) {
        Write-Warning 'redis-server not found (Debian: apt-get install redis-server): the cluster process tests (Category=Cluster) are left out of this run.'
        $excluded += 'Cluster'
    }
    if ($excluded.Count -eq 0) { return @() }
    return @('--filter', (($excluded | ForEach-Object { "Category!=$_" }) -join '&'))
}

function Invoke-Test {
    Invoke-Build
    $pester = Install-Pester
    $results = Join-Path $Out 'TestResults'
    if (Test-Path $results) { Remove-Item $results -Recurse -Force }

    $xunitFailedToRun = $false
    $serverFilter = Get-ServerTestFilter

    $projects = Get-ChildItem -Path (Join-Path $Root 'tests') -Filter '*.Tests.csproj' -Recurse
    foreach ($project in $projects) {
        Write-Host "xunit: $($project.BaseName)"
        $dir = Join-Path $results $project.BaseName
        & dotnet test $project.FullName -c $Configuration --nologo -v q --logger 'trx' --logger 'console;verbosity=minimal' --results-directory $dir @serverFilter
        $code = $LASTEXITCODE
        $counts = Get-TrxCounts $dir
        if ($code -ne 0 -and $counts.Failed -eq 0) {
            # A build error or a crashed test host produces no failed test: count it as a failure.
            Write-Warning "$($project.BaseName): 'dotnet test' exited with $code without a failed test (build error or crashed host)."
            $xunitFailedToRun = $true
        }
    }
    # One pass of the engine tests in Debug, so the Debug.Assert checks (e.g. that every ...Locked
    # method of the scheduler runs under its lock) actually run; counted in the same totals.
    if ($Configuration -eq 'Release') {
        $engineTests = Join-Path $Root 'tests/Engine.Tests/VoxScheduler.Engine.Tests.csproj'
        Write-Host 'xunit: VoxScheduler.Engine.Tests (Debug: assertions on)'
        $dir = Join-Path $results 'VoxScheduler.Engine.Tests.Debug'
        & dotnet test $engineTests -c Debug --nologo -v q --logger 'trx' --logger 'console;verbosity=minimal' --results-directory $dir @serverFilter
        $code = $LASTEXITCODE
        $counts = Get-TrxCounts $dir
        if ($code -ne 0 -and $counts.Failed -eq 0) {
            Write-Warning "VoxScheduler.Engine.Tests (Debug): 'dotnet test' exited with $code without a failed test (build error or crashed host)."
            $xunitFailedToRun = $true
        }
    }
    $xunit = Get-TrxCounts $results

    Write-Host 'Pester: tests/Pester (child pwsh)'
    $pesterJson = Join-Path $results 'pester.json'
    New-Item -ItemType Directory -Path $results -Force | Out-Null
    $runner = Join-Path $Root 'tools/Invoke-PesterTests.ps1'
    $null = Invoke-ChildPwsh "& '$runner' -PesterPath '$pester' -TestPath '$(Join-Path $Root 'tests/Pester')' -ResultPath '$pesterJson'"
    $pesterCounts = if (Test-Path $pesterJson) { Get-Content -Raw $pesterJson | ConvertFrom-Json } else { $null }
    $pesterFailedToRun = $null -eq $pesterCounts
    if ($pesterFailedToRun) {
        Write-Warning 'Pester did not report results (the child pwsh failed before the run ended).'
        $pesterCounts = [pscustomobject]@{ Passed = 0; Failed = 0 }
    }

    $passed = $xunit.Passed + [int] $pesterCounts.Passed
    $failed = $xunit.Failed + [int] $pesterCounts.Failed + [int] $xunitFailedToRun + [int] $pesterFailedToRun
    Write-Host "xunit: $($xunit.Passed) passed, $($xunit.Failed) failed; Pester: $($pesterCounts.Passed) passed, $($pesterCounts.Failed) failed"
    Write-Output "Tests: $passed passed, $failed failed"
    if ($failed -gt 0 -or $passed -eq 0) { exit 1 }
    exit 0
}

function Invoke-Run {
    if ($Arguments.Count -lt 1) { throw 'Usage: build.ps1 run <program.imgql | dag.json> [more files]' }
    if (-not (Test-ModuleUpToDate)) { Invoke-Build }
    $files = foreach ($a in $Arguments) {
        $full = [IO.Path]::GetFullPath($a, (Get-Location).Path)
        if (-not (Test-Path -LiteralPath $full -PathType Leaf)) { throw "No such file: $a" }
        $full
    }
    $list = ($files | ForEach-Object { "'" + $_.Replace("'", "''") + "'" }) -join ','
    $module = Join-Path $ModuleOut 'VoxScheduler.psd1'
    $command = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$module'
foreach (`$file in @($list)) {
    Write-Host "== `$file" -ForegroundColor Cyan
    if (`$file -like '*.json') {
        `$results = Submit-VoxDag -Dag (Get-Content -Raw -LiteralPath `$file) -Wait -ErrorAction Continue
    } else {
        `$results = Submit-VoxDag -Path `$file -Wait -ErrorAction Continue
    }
    `$results | Format-Table -AutoSize -Wrap | Out-Host
    if (`$results | Where-Object { `$_.Status -in 'Failed', 'Skipped' }) { `$global:LASTEXITCODE = 1 }
}
if (`$global:LASTEXITCODE) { exit 1 } else { exit 0 }
"@
    exit (Invoke-ChildPwsh $command)
}

$ClusterState = if ($ClusterFolder) { [IO.Path]::GetFullPath($ClusterFolder) } else { Join-Path $Out 'cluster' }
# How to stop this cluster, as the messages say it.
$ClusterDown = if ($ClusterFolder) { "dotnet pwsh ./build.ps1 cluster-down -ClusterFolder '$ClusterState'" } else { 'dotnet pwsh ./build.ps1 cluster-down' }
$SiloOut = Join-Path $Out 'silo'

function Get-SiloDll {
    # The silo host (src/Cluster/Silo), published to out/silo when missing or older than the sources.
    $project = Get-ChildItem -Path (Join-Path $Root 'src/Cluster/Silo') -Filter '*.csproj' -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $project) { throw 'This checkout has no silo host (src/Cluster/Silo).' }
    $dll = Join-Path $SiloOut 'VoxScheduler.Silo.dll'
    $stale = -not (Test-Path $dll)
    if (-not $stale) {
        $builtAt = (Get-Item $dll).LastWriteTimeUtc
        $stale = [bool] (Get-ChildItem -Path (Join-Path $Root 'src') -Recurse -File |
            Where-Object { $_.FullName -notmatch '[\\/](bin|obj)[\\/]' -and $_.LastWriteTimeUtc -gt $builtAt } | Select-Object -First 1)
    }
    if ($stale) {
        Write-Host 'Publishing the silo host (Release)...'
        Invoke-Native dotnet @('publish', $project.FullName, '-c', 'Release', '-o', $SiloOut, '--nologo', '-v', 'q', '-p:GenerateDocumentationFile=false')
    }
    return $dll
}

function Invoke-ClusterUp {
    Import-Module (Join-Path $Root 'tools/ClusterServers.psm1') -Force
    $stateFile = Join-Path $ClusterState 'cluster.json'
    if (Test-Path $stateFile) {
        throw "A cluster started by cluster-up is recorded in ${stateFile}: stop it first ($ClusterDown)."
    }
    $dll = if ($Silos -gt 0) { Get-SiloDll } else { $null }
    New-Item -ItemType Directory -Path $ClusterState -Force | Out-Null
    $state = [ordered]@{ clusterId = "vox-local-$([DateTime]::UtcNow.ToString('yyyyMMddHHmmss'))"; postgres = $null; redis = $null; silos = @() }
    try {
        # The stored results stay in out/cluster/postgres between cluster-up and cluster-down; membership does not.
        $pg = Start-VoxPostgres -Folder (Join-Path $ClusterState 'postgres')
        $state.postgres = [ordered]@{ port = $pg.Port; folder = $pg.Folder; connectionFile = $pg.ConnectionFile }
        $redis = Start-VoxRedis -Folder (Join-Path $ClusterState 'redis')
        $state.redis = [ordered]@{ port = $redis.Port; folder = $redis.Folder; endpoint = $redis.Endpoint }
        $state | ConvertTo-Json -Depth 5 | Set-Content -LiteralPath $stateFile
        for ($i = 0; $i -lt $Silos; $i++) {
            $siloPort = Get-VoxFreePort
            $gatewayPort = Get-VoxFreePort
            $log = Join-Path $ClusterState "silo-$i.log"
            $arguments = @($dll, '--cluster-id', $state.clusterId, '--redis', $redis.Endpoint, '--silo-port', $siloPort, '--gateway-port', $gatewayPort,
                '--advertise', '127.0.0.1', '--postgres-file', $pg.ConnectionFile)
            $process = Start-Process -FilePath 'dotnet' -ArgumentList $arguments -RedirectStandardOutput $log -RedirectStandardError "$log.err" -PassThru
            $state.silos += [ordered]@{ index = $i; pid = $process.Id; siloPort = $siloPort; gatewayPort = $gatewayPort; log = $log }
            $state | ConvertTo-Json -Depth 5 | Set-Content -LiteralPath $stateFile
        }
        foreach ($silo in $state.silos) { Wait-SiloReady $silo }
    }
    catch {
        Write-Warning "cluster-up failed, stopping what it started: $_"
        Invoke-ClusterDown
        throw
    }
    Write-Host "Cluster $($state.clusterId) is up: PostgreSQL on 127.0.0.1:$($pg.Port), Redis on $($redis.Endpoint), $Silos silo(s)."
    Write-Host "Connection string (password inside, owner-readable only): $($pg.ConnectionFile)"
    Write-Host "State, pids and logs: $ClusterState"
    if ($Silos -gt 0) {
        Write-Host "Clients connect with Redis $($redis.Endpoint) and cluster id $($state.clusterId); results are in the database of the connection string above."
        Write-Host "REST server on it: dotnet pwsh ./build.ps1 serve --cluster-redis $($redis.Endpoint) --cluster-id $($state.clusterId) --postgres-file $($pg.ConnectionFile)"
    }
    Write-Host "Stop: $ClusterDown"
}

function Wait-SiloReady($Silo) {
    # The silo prints "VoxScheduler silo ready <address>" once it accepts work.
    $deadline = [DateTime]::UtcNow.AddSeconds(120)
    while ($true) {
        if ((Test-Path $Silo.log) -and (Select-String -LiteralPath $Silo.log -Pattern 'VoxScheduler silo ready' -Quiet)) { return }
        if (-not (Get-Process -Id $Silo.pid -ErrorAction SilentlyContinue)) {
            $tail = @(Get-Content -LiteralPath $Silo.log -Tail 20 -ErrorAction SilentlyContinue) + @(Get-Content -LiteralPath "$($Silo.log).err" -Tail 20 -ErrorAction SilentlyContinue)
            throw "Silo $($Silo.index) (pid $($Silo.pid)) exited before it was ready: $($tail -join [Environment]::NewLine)"
        }
        if ([DateTime]::UtcNow -gt $deadline) { throw "Silo $($Silo.index) (pid $($Silo.pid)) was not ready within 120 s; see $($Silo.log)." }
        Start-Sleep -Milliseconds 250
    }
}

function Invoke-ClusterDown {
    Import-Module (Join-Path $Root 'tools/ClusterServers.psm1') -Force
    $stateFile = Join-Path $ClusterState 'cluster.json'
    if (-not (Test-Path $stateFile)) {
        # Nothing recorded, but a server may still run from a cluster-up that failed before writing the record.
        Stop-VoxRedis -Folder (Join-Path $ClusterState 'redis')
        Stop-VoxPostgres -Folder (Join-Path $ClusterState 'postgres')
        Write-Host "No cluster recorded in ${ClusterState}; nothing else to stop."
        return
    }
    $state = Get-Content -Raw -LiteralPath $stateFile | ConvertFrom-Json
    # Silos first (SIGTERM: they leave the cluster gracefully), then membership, then the store.
    foreach ($silo in @($state.silos)) {
        if (Stop-VoxProcess -ProcessId $silo.pid -ExpectedName 'dotnet' -GraceSeconds 30) { Write-Host "Stopped silo $($silo.index) (pid $($silo.pid))." }
    }
    Stop-VoxRedis -Folder (Join-Path $ClusterState 'redis')
    Stop-VoxPostgres -Folder (Join-Path $ClusterState 'postgres')
    Remove-Item -LiteralPath $stateFile -Force
    Write-Host "Cluster $($state.clusterId) is down (results kept in $(Join-Path $ClusterState 'postgres'))."
}

function Invoke-Clean {
    if (Test-Path (Join-Path $ClusterState 'cluster.json')) { throw "A cluster started by cluster-up is running (its data is in $ClusterState): run 'build.ps1 cluster-down' first." }
    if (Test-Path $Out) { Remove-Item $Out -Recurse -Force }
    Get-ChildItem -Path $Root -Directory -Recurse -Include 'bin', 'obj' |
        Where-Object { $_.FullName -notmatch '[\\/]\.tools[\\/]' } |
        Remove-Item -Recurse -Force -ErrorAction SilentlyContinue
    Write-Host 'Clean.'
}

Push-Location $Root
try {
    switch ($Task) {
        'build' { Invoke-Build }
        'pack' {
            Invoke-Build
            $null = & (Join-Path $Root 'tools/New-ModulePackage.ps1') -ModulePath $ModuleOut -OutputDirectory $Out
        }
        'test' { Invoke-Test }
        'run' { Invoke-Run }
        'serve' {
            $serverArgs = if ($Arguments.Count -gt 0) { $Arguments } else { @('--urls', 'http://127.0.0.1:5080') }
            Invoke-Native dotnet (@('run', '--project', (Join-Path $Root 'src/Server'), '-c', $Configuration, '--') + $serverArgs)
        }
        'bench' {
            Invoke-Native dotnet (@('run', '-c', 'Release', '--project', (Join-Path $Root 'bench/VoxScheduler.Bench'), '--') + $Arguments)
        }
        'soak' {
            $soak = Join-Path $Root 'tests/Reliability/Soak/Invoke-Soak.ps1'
            if (-not (Test-Path $soak)) { throw "The soak runner ($soak) is not in this checkout." }
            & $soak -Minutes $Minutes -Configuration $Configuration
            exit $LASTEXITCODE
        }
        'silo' {
            $dll = Get-SiloDll
            Invoke-Native dotnet (@($dll) + $Arguments)
        }
        'cluster-up' { Invoke-ClusterUp }
        'cluster-down' { Invoke-ClusterDown }
        'clean' { Invoke-Clean }
    }
}
finally {
    Pop-Location
}
