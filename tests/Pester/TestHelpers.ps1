# Shared helpers for the Pester tests: dot-source in BeforeAll.

# The built module, as every test imports it.
$script:VoxModulePath = [IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../../out/VoxScheduler/VoxScheduler.psd1'))
# The acceptance programs kept in the repository.
$script:VoxProgramsPath = [IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../programs'))

function Get-VoxPwshCommand {
    # The running pwsh as a command line for a child process. Under 'dotnet pwsh' (the local
    # tool) the process is the dotnet host, which needs pwsh.dll as its first argument.
    $processPath = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($processPath) -eq 'dotnet') {
        return , @($processPath, (Join-Path $PSHOME 'pwsh.dll'))
    }
    return , @($processPath)
}

function Invoke-VoxFreshPwsh {
    # Runs a command in a fresh pwsh and returns its output; $LASTEXITCODE is the child's.
    param([Parameter(Mandatory)] [string] $Command)
    $pwsh = Get-VoxPwshCommand
    $exe = $pwsh[0]
    $arguments = [System.Collections.Generic.List[string]]::new()
    foreach ($a in ($pwsh | Select-Object -Skip 1)) { $arguments.Add($a) }
    $arguments.AddRange([string[]]@('-NoProfile', '-NonInteractive', '-Command', $Command))
    & $exe $arguments.ToArray()
}

function Start-VoxFreshPwsh {
    # Starts a fresh pwsh running a command in the background; returns the Process.
    param([Parameter(Mandatory)] [string] $Command, [string] $StandardOutput, [string] $StandardError)
    $pwsh = Get-VoxPwshCommand
    $arguments = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $Command)
    $params = @{ FilePath = $pwsh[0]; ArgumentList = $arguments; PassThru = $true; NoNewWindow = $true }
    if ($StandardOutput) { $params.RedirectStandardOutput = $StandardOutput }
    if ($StandardError) { $params.RedirectStandardError = $StandardError }
    Start-Process @params
}

function Get-VoxClusterSkipReason {
    # Why the tests that start PostgreSQL and Redis (tools/ClusterServers.psm1, imported first) cannot run
    # here, or $null. Where CI requires the servers (VOXSCHEDULER_REQUIRE_CLUSTER/_POSTGRES=1) a missing one
    # throws instead: a failure, never a skip.
    param([Parameter(Mandatory)] [string] $What)
    $reason = if (-not (Find-VoxPostgresBin)) { 'no PostgreSQL server binaries (Debian: apt-get install postgresql; tools/install-cluster-deps.sh installs them)' }
    elseif (-not (Find-VoxRedisServer)) { 'no redis-server (Debian: apt-get install redis-server; tools/install-cluster-deps.sh installs it)' }
    if ($reason -and ($env:VOXSCHEDULER_REQUIRE_CLUSTER -eq '1' -or $env:VOXSCHEDULER_REQUIRE_POSTGRES -eq '1')) {
        throw "The $What need their servers (VOXSCHEDULER_REQUIRE_CLUSTER/VOXSCHEDULER_REQUIRE_POSTGRES=1) but there is $reason."
    }
    return $reason
}
