#requires -Version 7.6
<#
.SYNOPSIS
    Starts and stops the servers a VoxScheduler cluster needs on one machine: PostgreSQL (the
    shared result store) and Redis (membership), from Debian's packages, in folders of the
    caller's choosing, on loopback ports.

.DESCRIPTION
    Used by build.ps1 (cluster-up, cluster-down) and by the Pester tests of the postgres store.
    PostgreSQL refuses to run as root: as root every server runs as its Debian service user
    (postgres, redis) through runuser, and its folder is given to that user. Nothing is started on
    the default ports and no system service is touched.

    A folder holds one server: <folder>/data (PostgreSQL's cluster) or the Redis pid and log, plus
    owner.pid when a process owns the server (Remove-VoxAbandonedServer stops the servers whose
    owner has ended, the layout the xunit fixtures use too).
#>
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

function Test-VoxRoot {
    return $IsLinux -and ((& id -u) -eq '0')
}

function Invoke-VoxNative {
    param([Parameter(Mandatory)] [string] $Command, [string[]] $ArgumentList = @(), [switch] $Quiet)
    $output = & $Command @ArgumentList 2>&1
    if ($LASTEXITCODE -ne 0) {
        throw "'$Command $($ArgumentList -join ' ')' failed with exit code ${LASTEXITCODE}: $($output -join [Environment]::NewLine)"
    }
    if (-not $Quiet) { $output | ForEach-Object { Write-Verbose "$_" } }
}

function Invoke-VoxAs {
    # Runs a server tool as the service user when this process is root (PostgreSQL refuses root), else as this user.
    param([Parameter(Mandatory)] [string] $User, [Parameter(Mandatory)] [string] $Tool, [string[]] $ArgumentList = @())
    if (Test-VoxRoot) { Invoke-VoxNative 'runuser' (@('-u', $User, '--', $Tool) + $ArgumentList) }
    else { Invoke-VoxNative $Tool $ArgumentList }
}

function Find-VoxPostgresBin {
    <# The folder holding initdb, pg_ctl and postgres ($env:VOXSCHEDULER_PG_BIN, else Debian's newest), or $null. #>
    $candidates = @()
    if ($env:VOXSCHEDULER_PG_BIN) { $candidates += $env:VOXSCHEDULER_PG_BIN }
    $candidates += Get-ChildItem -Path '/usr/lib/postgresql/*/bin' -Directory -ErrorAction SilentlyContinue |
        Sort-Object { [int] ($_.Parent.Name -replace '\D', '0') } -Descending | ForEach-Object FullName
    foreach ($candidate in $candidates) {
        if ((Test-Path (Join-Path $candidate 'initdb')) -and (Test-Path (Join-Path $candidate 'pg_ctl'))) { return $candidate }
    }
    return $null
}

function Find-VoxRedisServer {
    <# The redis-server executable ($env:VOXSCHEDULER_REDIS_SERVER, else the PATH), or $null. #>
    if ($env:VOXSCHEDULER_REDIS_SERVER -and (Test-Path $env:VOXSCHEDULER_REDIS_SERVER)) { return $env:VOXSCHEDULER_REDIS_SERVER }
    $command = Get-Command redis-server -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($command) { return $command.Source }
    return $null
}

function Get-VoxFreePort {
    <# A TCP port free on loopback right now (the server binds it moments later). #>
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { return ([System.Net.IPEndPoint] $listener.LocalEndpoint).Port } finally { $listener.Stop() }
}

function Test-VoxPortOpen([int] $Port) {
    $client = [System.Net.Sockets.TcpClient]::new()
    try {
        return $client.ConnectAsync([System.Net.IPAddress]::Loopback, $Port).Wait(1000) -and $client.Connected
    }
    catch { return $false }
    finally { $client.Dispose() }
}

function Set-VoxOwner {
    # Gives a server's folder to its service user when running as root (the server cannot write it otherwise).
    param([string] $Path, [string] $User)
    if (Test-VoxRoot) { Invoke-VoxNative 'chown' @('-R', $User, $Path) }
}

function Set-VoxPrivateFile {
    # A file only its owner may read (it holds a password).
    param([string] $Path, [string] $Text)
    if (-not (Test-Path $Path)) { New-Item -ItemType File -Path $Path | Out-Null }
    if (-not $IsWindows) { [IO.File]::SetUnixFileMode($Path, [IO.UnixFileMode]'UserRead, UserWrite') }
    [IO.File]::WriteAllText($Path, $Text)
}

function Start-VoxPostgres {
    <#
    .SYNOPSIS
        Starts PostgreSQL on a loopback port with its cluster in <Folder>/data (created on first
        use, kept afterwards), password authentication for the user 'vox'; returns the port and the
        file holding the connection string (readable by its owner only).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $Folder,
        [int] $Port = 0,
        # The process owning the server (written to owner.pid, for Remove-VoxAbandonedServer); 0: none.
        [int] $OwnerProcessId = 0,
        # Skip initdb's fsync (test servers: their data does not need to survive a power cut).
        [switch] $NoSync,
        [ValidateRange(1, 600)] [int] $TimeoutSeconds = 60
    )
    $bin = Find-VoxPostgresBin
    if (-not $bin) { throw 'No PostgreSQL server binaries (Debian: apt-get install postgresql; sudo bash tools/install-cluster-deps.sh installs them without starting a service).' }
    $Folder = [IO.Path]::GetFullPath($Folder)
    New-Item -ItemType Directory -Path $Folder -Force | Out-Null
    if ($OwnerProcessId -gt 0) { Set-Content -LiteralPath (Join-Path $Folder 'owner.pid') -Value $OwnerProcessId -NoNewline }
    $data = Join-Path $Folder 'data'
    $passwordFile = Join-Path $Folder 'password'
    if (-not (Test-Path (Join-Path $data 'PG_VERSION'))) {
        if (Test-Path $data) { Remove-Item -LiteralPath $data -Recurse -Force }
        $password = [Convert]::ToHexString([Security.Cryptography.RandomNumberGenerator]::GetBytes(24)).ToLowerInvariant()
        Set-VoxPrivateFile $passwordFile $password
        # initdb reads the superuser's password from a file only the service user needs for a moment.
        $initPassword = Join-Path $Folder 'initdb.pw'
        Set-VoxPrivateFile $initPassword $password
        Set-VoxOwner $Folder 'postgres'
        if (Test-VoxRoot) { Invoke-VoxNative 'chown' @('root', $passwordFile) }
        try {
            Invoke-VoxAs 'postgres' (Join-Path $bin 'initdb') (@('-D', $data, '-U', 'vox', '-A', 'scram-sha-256', "--pwfile=$initPassword", '-E', 'UTF8', '--no-instructions') + @(if ($NoSync) { '--no-sync' }))
        }
        finally { Remove-Item -LiteralPath $initPassword -Force -ErrorAction SilentlyContinue }
    }
    else {
        Set-VoxOwner $data 'postgres'
    }
    if (-not (Test-Path $passwordFile)) { throw "The PostgreSQL cluster in '$data' has no password file beside it ($passwordFile): remove the folder to start afresh." }
    $password = (Get-Content -Raw -LiteralPath $passwordFile).Trim()
    if ($Port -le 0) { $Port = Get-VoxFreePort }
    # The socket goes in the folder when the path fits a Unix socket name, else only TCP is used.
    $socketDir = if ((Join-Path $Folder '.s.PGSQL.65535').Length -lt 100) { $Folder } else { '' }
    $options = "-p $Port -h 127.0.0.1 -k '$socketDir' -c max_connections=300"
    Invoke-VoxAs 'postgres' (Join-Path $bin 'pg_ctl') @('-D', $data, '-l', (Join-Path $data 'server.log'), '-o', $options, '-t', "$TimeoutSeconds", '-w', 'start')
    $connection = "Host=127.0.0.1;Port=$Port;Username=vox;Password=$password;Database=postgres;Maximum Pool Size=50;Timeout=30;Command Timeout=120"
    $connectionFile = Join-Path $Folder 'connection'
    Set-VoxPrivateFile $connectionFile $connection
    [pscustomobject]@{ Port = $Port; Folder = $Folder; ConnectionFile = $connectionFile }
}

function Stop-VoxPostgres {
    <# Stops the PostgreSQL whose cluster is in <Folder>/data (fast shutdown; immediate when -Immediate); nothing when it is not running. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $Folder, [switch] $Immediate)
    $data = Join-Path ([IO.Path]::GetFullPath($Folder)) 'data'
    if (-not (Test-Path (Join-Path $data 'postmaster.pid'))) { return }
    $bin = Find-VoxPostgresBin
    if (-not $bin) { throw 'No PostgreSQL server binaries to stop the server with.' }
    $mode = if ($Immediate) { 'immediate' } else { 'fast' }
    try { Invoke-VoxAs 'postgres' (Join-Path $bin 'pg_ctl') @('-D', $data, '-m', $mode, '-w', 'stop') }
    catch {
        # pg_ctl says "no server running" when a stale pid file is all that is left.
        if ("$_" -notmatch 'Is server running|no server running|PID file .* does not exist') { throw }
    }
}

function Start-VoxRedis {
    <# Starts redis-server on a loopback port, without persistence, its pid and log in <Folder>; returns the port and the address. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $Folder,
        [int] $Port = 0,
        [int] $OwnerProcessId = 0,
        [ValidateRange(1, 600)] [int] $TimeoutSeconds = 30
    )
    $redis = Find-VoxRedisServer
    if (-not $redis) { throw 'No redis-server (Debian: apt-get install redis-server; sudo bash tools/install-cluster-deps.sh installs it without starting a service).' }
    $Folder = [IO.Path]::GetFullPath($Folder)
    New-Item -ItemType Directory -Path $Folder -Force | Out-Null
    if ($OwnerProcessId -gt 0) { Set-Content -LiteralPath (Join-Path $Folder 'owner.pid') -Value $OwnerProcessId -NoNewline }
    if ($Port -le 0) { $Port = Get-VoxFreePort }
    $pidFile = Join-Path $Folder 'redis.pid'
    Remove-Item -LiteralPath $pidFile -Force -ErrorAction SilentlyContinue
    Set-VoxOwner $Folder 'redis'
    Invoke-VoxAs 'redis' $redis @('--port', "$Port", '--bind', '127.0.0.1', '--protected-mode', 'yes', '--save', '', '--appendonly', 'no',
        '--dir', $Folder, '--daemonize', 'yes', '--pidfile', $pidFile, '--logfile', (Join-Path $Folder 'redis.log'))
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while (-not (Test-VoxPortOpen $Port)) {
        if ([DateTime]::UtcNow -gt $deadline) {
            $log = Get-Content -LiteralPath (Join-Path $Folder 'redis.log') -Tail 20 -ErrorAction SilentlyContinue
            throw "redis-server did not listen on 127.0.0.1:$Port within $TimeoutSeconds s: $($log -join ' | ')"
        }
        Start-Sleep -Milliseconds 100
    }
    [pscustomobject]@{ Port = $Port; Folder = $Folder; Endpoint = "127.0.0.1:$Port" }
}

function Stop-VoxRedis {
    <# Stops the redis-server whose pid file is in <Folder> (SIGTERM, then SIGKILL after 10 s); nothing when none runs. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $Folder)
    $pidFile = Join-Path ([IO.Path]::GetFullPath($Folder)) 'redis.pid'
    if (-not (Test-Path $pidFile)) { return }
    $processId = [int] (Get-Content -Raw -LiteralPath $pidFile).Trim()
    $null = Stop-VoxProcess -ProcessId $processId -ExpectedName 'redis-server'
    Remove-Item -LiteralPath $pidFile -Force -ErrorAction SilentlyContinue
}

function Stop-VoxProcess {
    <#
    .SYNOPSIS
        Stops one process by id: SIGTERM (a graceful stop), then a kill after the grace period.
        Only when its name starts with ExpectedName (a recycled pid belongs to someone else).
    #>
    param([Parameter(Mandatory)] [int] $ProcessId, [Parameter(Mandatory)] [string] $ExpectedName, [int] $GraceSeconds = 10)
    $process = Get-Process -Id $ProcessId -ErrorAction SilentlyContinue
    if (-not $process -or -not $process.ProcessName.StartsWith($ExpectedName, [StringComparison]::Ordinal)) { return $false }
    if ($IsWindows) { $process.Kill() }
    else { & kill -TERM $ProcessId 2>$null }
    if (-not $process.WaitForExit($GraceSeconds * 1000)) {
        $process.Kill($true)
        $null = $process.WaitForExit(10000)
    }
    return $true
}

function Remove-VoxAbandonedServer {
    <#
    .SYNOPSIS
        Stops the servers under <Parent> (folders matching <Filter>) whose owner.pid names a
        process that has ended, and removes their folders; a live owner's server is never touched.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $Parent, [string] $Filter = 'vox-pg-*')
    foreach ($folder in Get-ChildItem -LiteralPath $Parent -Directory -Filter $Filter -ErrorAction SilentlyContinue) {
        $ownerFile = Join-Path $folder.FullName 'owner.pid'
        if (-not (Test-Path $ownerFile)) { continue }
        $owner = 0
        if (-not [int]::TryParse((Get-Content -Raw -LiteralPath $ownerFile).Trim(), [ref] $owner)) { continue }
        if (Get-Process -Id $owner -ErrorAction SilentlyContinue) { continue }
        try {
            Stop-VoxPostgres -Folder $folder.FullName -Immediate
            Stop-VoxRedis -Folder $folder.FullName
            Remove-Item -LiteralPath $folder.FullName -Recurse -Force
        }
        catch {
            Write-Warning "Could not remove the abandoned server in $($folder.FullName): $_"
        }
    }
}

Export-ModuleMember -Function Find-VoxPostgresBin, Find-VoxRedisServer, Get-VoxFreePort, Test-VoxPortOpen, Start-VoxPostgres, Stop-VoxPostgres,
    Start-VoxRedis, Stop-VoxRedis, Stop-VoxProcess, Remove-VoxAbandonedServer
