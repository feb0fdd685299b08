#requires -Version 7.6
<#
.SYNOPSIS
    Runs the Pester tests (called by build.ps1 in a child pwsh) and writes the counts as JSON.
#>
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $TestPath,
    [Parameter(Mandatory)] [string] $ResultPath
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -Force

$config = New-PesterConfiguration
$config.Run.Path = $TestPath
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Normal'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'NUnitXml'
$config.TestResult.OutputPath = [IO.Path]::ChangeExtension($ResultPath, '.xml')

$result = Invoke-Pester -Configuration $config
# Containers that failed to run (a broken BeforeAll, a parse error) count as failures.
$failedContainers = @($result.Containers | Where-Object { $_.Result -eq 'Failed' -and $_.FailedCount -eq 0 }).Count
[pscustomobject]@{
    Passed = $result.PassedCount
    Failed = $result.FailedCount + $failedContainers
    Skipped = $result.SkippedCount
} | ConvertTo-Json | Set-Content -Path $ResultPath
