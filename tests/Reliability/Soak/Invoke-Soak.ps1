<#
.SYNOPSIS
    Runs the reliability suite's kill/resume, corruption, contention and fuzz loops for a given time.

.DESCRIPTION
    Called by `build.ps1 soak -Minutes N`. Builds tests/Reliability (and the VoxHost child it
    drives), then runs its fault-inflicting tests again and again with VOX_RELIABILITY_SCALE
    raised (more kills per run, more fuzz cases per test; fuzz seeds differ on every run) until
    the time is up. Every test appends what it inflicted to a counts file; the totals are printed
    at the end. Exits non-zero when any iteration had a failing test.

.EXAMPLE
    dotnet pwsh ./build.ps1 soak -Minutes 30
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 1440)]
    [int] $Minutes = 5,

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Multiplier of kills and fuzz cases per iteration.
    [ValidateRange(1, 1000)]
    [int] $Scale = 3
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$root = (Resolve-Path (Join-Path $PSScriptRoot '../../..')).Path
$project = Join-Path $root 'tests/Reliability/VoxScheduler.Reliability.Tests.csproj'
$work = Join-Path ([IO.Path]::GetTempPath()) "vox-soak-$([guid]::NewGuid().ToString('N'))"
New-Item -ItemType Directory -Path $work -Force | Out-Null
$counts = Join-Path $work 'counts.txt'
New-Item -ItemType File -Path $counts -Force | Out-Null

Write-Host "soak: building the module and $project ($Configuration)"
# The provider fuzzing and pwsh contention run against the built module.
& (Join-Path $root 'build.ps1') build -Configuration $Configuration
& dotnet build $project -c $Configuration --nologo -v q
if ($LASTEXITCODE -ne 0) { throw "The reliability tests did not build (exit $LASTEXITCODE)." }

# The fault loops; the size-extreme and security tests do not gain from repetition.
$filter = @(
    'FullyQualifiedName~VoxScheduler.Tests.Crash'
    'FullyQualifiedName~VoxScheduler.Tests.Fuzz'
    'FullyQualifiedName~VoxScheduler.Tests.Corruption'
    'FullyQualifiedName~VoxScheduler.Tests.Contention'
    'FullyQualifiedName~VoxScheduler.Tests.Security'
    'FullyQualifiedName~VoxScheduler.Tests.Rest.RestFuzzTests'
    'FullyQualifiedName~VoxScheduler.Tests.Module'
) -join '|'
$deadline = [DateTime]::UtcNow.AddMinutes($Minutes)
$iteration = 0
$failedIterations = 0
$env:VOX_RELIABILITY_SCALE = "$Scale"
$env:VOX_RELIABILITY_COUNTS = $counts
try {
    do {
        $iteration++
        $left = [int]($deadline - [DateTime]::UtcNow).TotalMinutes
        Write-Host "soak: iteration $iteration (scale $Scale, about $left min left)"
        $results = Join-Path $work "iteration-$iteration"
        & dotnet test $project -c $Configuration --no-build --nologo -v q --filter $filter `
            --logger 'console;verbosity=minimal' --results-directory $results
        if ($LASTEXITCODE -ne 0) {
            $failedIterations++
            Write-Warning "soak: iteration $iteration had failures (exit $LASTEXITCODE)"
        }
    } while ([DateTime]::UtcNow -lt $deadline)
}
finally {
    Remove-Item Env:VOX_RELIABILITY_SCALE, Env:VOX_RELIABILITY_COUNTS -ErrorAction SilentlyContinue
}

$totals = [ordered]@{}
foreach ($line in Get-Content -LiteralPath $counts) {
    $name, $value = $line -split ' ', 2
    if (-not $name) { continue }
    $totals[$name] = [long]($totals[$name] ?? 0) + [long]$value
}

$kills = [long]($totals['kills'] ?? 0)
$corruptions = [long]($totals['corruptions'] ?? 0)
$fuzz = ($totals.Keys | Where-Object { $_ -like 'fuzz.*' } | ForEach-Object { [long]$totals[$_] } | Measure-Object -Sum).Sum
$contending = ($totals.Keys | Where-Object { $_ -like 'contention.*' } | ForEach-Object { [long]$totals[$_] } | Measure-Object -Sum).Sum
Write-Host ''
Write-Host "soak: $iteration iterations in $Minutes min, $failedIterations with failures"
foreach ($k in $totals.Keys) { Write-Host ("  {0,-28} {1}" -f $k, $totals[$k]) }
Write-Output "Soak: kills survived $kills, corruptions detected $corruptions, fuzz cases $([long]$fuzz), contending processes $([long]$contending), failed iterations $failedIterations"
Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
if ($failedIterations -gt 0) { exit 1 }
exit 0
