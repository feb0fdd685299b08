<#
.SYNOPSIS
    Runs every benchmark the README reports, in one go, and keeps the JSON lines.
.DESCRIPTION
    Builds the harness in Release, then runs, in this order: compare (VoxScheduler, the floor loop
    and, when python3-dask is installed, Dask on the six recipe shapes; then VoxScheduler persisting
    in sqlite against in-memory Dask on chain and layered), the dag runs in memory
    and persisted in sqlite at 10k, 100k and 1M nodes, the storage mode on the three backends, and the program mode
    (function explosion at depth 10 and 14, the 100k-declaration Fibonacci chain cold and warm,
    the VoxLogicA-2 scheduler benchmark at E=150, B=1000). Each program runs in a fresh process.
    Every line the harness prints is appended to -Out with the command that produced it.
.EXAMPLE
    dotnet pwsh bench/run-all.ps1 -Out bench-results.jsonl
#>
[CmdletBinding()]
param(
    [string] $Out = (Join-Path ([System.IO.Path]::GetTempPath()) "vox-bench-$(Get-Date -Format yyyyMMdd-HHmmss).jsonl")
)

$ErrorActionPreference = 'Stop'
$root = Split-Path -Parent $PSScriptRoot
$project = Join-Path $root 'bench/VoxScheduler.Bench'
& dotnet build $project -c Release --nologo -v q | Out-Null
if ($LASTEXITCODE -ne 0) { throw 'building the benchmark harness failed' }
$harness = Join-Path $project 'bin/Release/net10.0/VoxScheduler.Bench.dll'

$runs = @(
    @('compare'),
    @('compare', '--store', 'sqlite', '--shapes', 'chain,layered'),
    @('dag', '--shape', 'chain', '--n', '10000'),
    @('dag', '--shape', 'chain', '--n', '1000000'),
    @('dag', '--shape', 'layered', '--L', '1000', '--W', '1000'),
    @('dag', '--shape', 'chain', '--n', '10000', '--store', 'sqlite'),
    @('dag', '--shape', 'chain', '--n', '100000', '--store', 'sqlite'),
    @('dag', '--shape', 'layered', '--store', 'sqlite'),
    @('dag', '--shape', 'chain', '--n', '1000000', '--store', 'sqlite'),
    @('dag', '--shape', 'layered', '--L', '1000', '--W', '1000', '--store', 'sqlite'),
    @('storage', '--backend', 'sqlite'),
    @('storage', '--backend', 'hybrid'),
    @('storage', '--backend', 'filesystem'),
    @('program', 'explosion:10'),
    @('program', 'explosion:14'),
    @('program', 'fibonacci:100000', '--reduce-only', '--runs', '3'),
    @('program', 'fibonacci:100000'),
    @('program', 'vox:150:1000')
)

Write-Host "machine: $([Environment]::ProcessorCount) cores; load: $((Get-Content /proc/loadavg -ErrorAction SilentlyContinue) -join ' ')"
foreach ($arguments in $runs) {
    $command = $arguments -join ' '
    Write-Host "== $command"
    $lines = & dotnet $harness @arguments
    if ($LASTEXITCODE -ne 0) { throw "'$command' failed with exit code $LASTEXITCODE" }
    foreach ($line in $lines) {
        Write-Host $line
        if ($line.StartsWith('{')) {
            Add-Content -LiteralPath $Out -Value ('{"command":' + (ConvertTo-Json $command -Compress) + ',"result":' + $line + '}')
        }
    }
}

Write-Host "results: $Out"
