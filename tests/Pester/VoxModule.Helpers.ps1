# Helpers for the module's Pester tests: dot-source in BeforeAll after TestHelpers.ps1.

function Initialize-VoxTestSession {
    # Imports the built module with the default store in this container's TestDrive, so no
    # test ever touches the user's real default store.
    $env:VOXSCHEDULER_STORE = Join-Path $TestDrive 'default-store'
    Import-Module $script:VoxModulePath -ErrorAction Stop
}

function Initialize-VoxTestStore {
    # Makes a store before any Describe runs: call it in the file's BeforeAll for every store
    # that more than one Describe uses. Pester deletes what a Describe adds to TestDrive when that
    # Describe ends; a store first written inside a Describe lost its database files there while
    # this process kept it open, so every later Describe ran on deleted files, and a read that
    # needed one more connection (two executions starting at once) failed with 'unable to open
    # database file', ending its execution at once.
    param([Parameter(Mandatory)] [string] $Path)
    $null = Submit-VoxDag -Program 'print "store" 1' -Store $Path -Wait -ErrorAction Stop
}

function New-VoxTestProgram {
    # Writes a program file into TestDrive and returns its path.
    param([Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [string] $Text)
    $path = Join-Path $TestDrive $Name
    Set-Content -LiteralPath $path -Value $Text -NoNewline
    return $path
}

function Test-VoxValueEqual {
    # Deep equality of a module value (double, bool, string, object[]) and a value parsed from
    # JSON (numbers as long/double/decimal), with an optional numeric tolerance.
    param($Actual, $Expected, [double] $Tolerance = 0)
    if ($null -eq $Expected) { return $null -eq $Actual }
    if ($Expected -is [bool]) { return ($Actual -is [bool]) -and $Actual -eq $Expected }
    if ($Expected -is [string]) { return ($Actual -is [string]) -and $Actual -ceq $Expected }
    if ($Expected -is [long] -or $Expected -is [int] -or $Expected -is [double] -or $Expected -is [decimal]) {
        if ($Actual -isnot [double]) { return $false }
        return [math]::Abs($Actual - [double] $Expected) -le $Tolerance
    }
    if ($Expected -is [System.Collections.IList]) {
        if ($Actual -isnot [System.Collections.IList] -or $Actual.Count -ne $Expected.Count) { return $false }
        for ($i = 0; $i -lt $Expected.Count; $i++) {
            if (-not (Test-VoxValueEqual $Actual[$i] $Expected[$i] $Tolerance)) { return $false }
        }
        return $true
    }
    return "$Actual" -eq "$Expected"
}

function Wait-VoxTestEvent {
    # Waits for an engine event subscription (Register-ObjectEvent) with a bound; fails the test on timeout.
    param([Parameter(Mandatory)] [string] $SourceIdentifier, [int] $TimeoutSeconds = 30)
    $event = Wait-Event -SourceIdentifier $SourceIdentifier -Timeout $TimeoutSeconds
    if (-not $event) { throw "No '$SourceIdentifier' event within $TimeoutSeconds s." }
    Remove-Event -EventIdentifier $event.EventIdentifier
    return $event
}
