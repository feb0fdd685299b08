#requires -Version 7.6
# The module on a real cluster (issue 16): PostgreSQL and Redis started by this file on free
# loopback ports (tools/ClusterServers.psm1), one real silo process (src/Cluster/Silo) joined
# through Redis, and the module in fresh pwsh processes connecting to it (Connect-VoxCluster,
# Get-VoxCluster, Submit-VoxDag -Cluster, the execution cmdlets on cluster executions,
# Disconnect-VoxCluster, module removal). Everything started here is stopped in AfterAll.
# Without PostgreSQL's binaries or redis-server the tests are skipped and say why, unless CI
# requires them (VOXSCHEDULER_REQUIRE_CLUSTER=1 or VOXSCHEDULER_REQUIRE_POSTGRES=1): then they fail.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'VoxModule.Helpers.ps1')
    Initialize-VoxTestSession
    Import-Module (Join-Path $PSScriptRoot '../../tools/ClusterServers.psm1') -Force
    $script:Repo = [IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../..'))
    $script:SkipReason = Get-VoxClusterSkipReason -What 'cluster tests'
    if ($script:SkipReason) { return }

    # The silo host, built from the same sources as the module (a full test run has built it for
    # the process tests; a run of this file alone builds it when its cluster layer differs).
    $siloProject = Join-Path $script:Repo 'src/Cluster/Silo/VoxScheduler.Silo.csproj'
    $siloBin = Join-Path $script:Repo 'src/Cluster/Silo/bin/Release/net10.0'
    $script:SiloDll = Join-Path $siloBin 'VoxScheduler.Silo.dll'
    $moduleDependencies = Join-Path (Split-Path $script:VoxModulePath) 'Dependencies'
    $stale = -not (Test-Path $script:SiloDll) -or @('VoxScheduler.Cluster.dll', 'VoxScheduler.Engine.dll' | Where-Object {
            -not (Test-Path (Join-Path $siloBin $_)) -or (Get-FileHash (Join-Path $siloBin $_)).Hash -ne (Get-FileHash (Join-Path $moduleDependencies $_)).Hash
        }).Count -gt 0
    if ($stale) {
        & dotnet build $siloProject -c Release --nologo -v q -p:GenerateDocumentationFile=false | Out-Null
        if ($LASTEXITCODE -ne 0) { throw "Building the silo host ($siloProject) failed." }
    }

    $temp = [IO.Path]::GetTempPath()
    Remove-VoxAbandonedServer -Parent $temp -Filter 'vox-cl-*'
    $script:Folder = Join-Path $temp ('vox-cl-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
    $script:Pg = Start-VoxPostgres -Folder (Join-Path $script:Folder 'pg') -OwnerProcessId $PID -NoSync
    $script:RedisServer = Start-VoxRedis -Folder (Join-Path $script:Folder 'redis') -OwnerProcessId $PID
    # Abandoned-server clean-up looks for owner.pid at the top of the folder too.
    Set-Content -LiteralPath (Join-Path $script:Folder 'owner.pid') -Value $PID -NoNewline
    $script:ConnectionFile = $script:Pg.ConnectionFile
    $script:ClusterId = 'pester-' + [guid]::NewGuid().ToString('N').Substring(0, 10)

    # One silo: its ready line on stdout is the signal; stderr (its log) is drained so it never blocks.
    $start = [Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($a in @('exec', $script:SiloDll, '--cluster-id', $script:ClusterId, '--redis', $script:RedisServer.Endpoint, '--advertise', '127.0.0.1',
            '--silo-port', (Get-VoxFreePort), '--gateway-port', (Get-VoxFreePort), '--slots', '4', '--postgres-file', $script:ConnectionFile)) { $start.ArgumentList.Add("$a") }
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.UseShellExecute = $false
    $start.Environment['DOTNET_gcServer'] = '0'
    $script:Silo = [Diagnostics.Process]::Start($start)
    $script:SiloLog = $script:Silo.StandardError.ReadToEndAsync()
    $ready = $null
    $deadline = [DateTime]::UtcNow.AddSeconds(120)
    while (-not $ready) {
        $line = $script:Silo.StandardOutput.ReadLineAsync()
        if (-not $line.Wait([Math]::Max(1, ($deadline - [DateTime]::UtcNow).TotalMilliseconds))) { throw 'The silo was not ready within 120 s.' }
        if ($null -eq $line.Result) {
            $null = $script:SiloLog.Wait(5000)
            throw "The silo exited before it was ready: $($script:SiloLog.Result)"
        }
        if ($line.Result -like 'VoxScheduler silo ready *') { $ready = $line.Result }
    }
    $script:SiloOut = $script:Silo.StandardOutput.ReadToEndAsync()

    # A loopback port nothing listens on (an unreachable Redis).
    $script:ClosedPort = Get-VoxFreePort

    function Invoke-ClusterScenario {
        $work = Join-Path $TestDrive ('scenario-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
        $null = New-Item -ItemType Directory $work
        $scenario = Join-Path $PSScriptRoot 'VoxModule.Cluster.Scenario.ps1'
        $command = "& '$scenario' -ModulePath '$script:VoxModulePath' -Redis '$($script:RedisServer.Endpoint)' -ClusterId '$script:ClusterId' " +
            "-ConnectionFile '$script:ConnectionFile' -Work '$work' -Examples '$(Join-Path $script:Repo 'examples')' -ClosedPort $script:ClosedPort"
        $out = @(Invoke-VoxFreshPwsh -Command $command)
        $json = $out | Where-Object { $_ -like '{*' } | Select-Object -Last 1
        if (-not $json) { throw "The scenario wrote no result: $($out -join [Environment]::NewLine)" }
        return $json | ConvertFrom-Json -AsHashtable
    }

    function Assert-Step([string] $Name) {
        $step = $script:Scenario[$Name]
        if ($step -is [System.Collections.IDictionary] -and $step.Contains('Failed')) { throw "Scenario step '$Name' failed: $($step.Failed) ($($step.Id)) $($step.At)" }
        return $step
    }

    # Goal, node id and value of each result; in goal order (a local -Wait writes goals as they finish, a cluster's as its coordinator reports them).
    function Select-Pairs($results) { @($results | ForEach-Object { "$($_.Goal)|$($_.NodeId)|$($_.Value)" } | Sort-Object) }

    $script:Scenario = Invoke-ClusterScenario
}

AfterAll {
    if ($script:Silo) {
        $null = Stop-VoxProcess -ProcessId $script:Silo.Id -ExpectedName 'dotnet' -GraceSeconds 20
        $script:Silo.Dispose()
    }
    if ($script:Folder) {
        if ($script:RedisServer) { Stop-VoxRedis -Folder $script:RedisServer.Folder }
        if ($script:Pg) { Stop-VoxPostgres -Folder $script:Pg.Folder }
        Remove-Item -LiteralPath $script:Folder -Recurse -Force -ErrorAction SilentlyContinue
    }
}

Describe 'Connect-VoxCluster and Get-VoxCluster' {
    BeforeEach { if ($script:SkipReason) { Set-ItResult -Skipped -Because $script:SkipReason } }

    It 'connects through Redis with the cluster id and returns the connection, without its secret' {
        if ($script:SkipReason) { return }
        $c = Assert-Step connect
        $c.Type | Should -Be 'VoxScheduler.Cmdlets.Output.VoxClusterConnection'
        $c.Name | Should -Be 'default'
        $c.ClusterId | Should -Be $script:ClusterId
        $c.Redis | Should -Be $script:RedisServer.Endpoint
        $c.Namespace | Should -Be 'default'
        $c.IsConnected | Should -BeTrue
        $c.Database | Should -Be "vox@127.0.0.1:$($script:Pg.Port)/postgres"
        # No way to give a connection string on the command line.
        (Get-Command Connect-VoxCluster).Parameters.Keys | Should -Not -Contain 'ConnectionString'
        (Get-Command Connect-VoxCluster).Parameters.Keys | Should -Contain 'Credential'
    }

    It 'lists the silo with its status, slots, load and cached bytes' {
        if ($script:SkipReason) { return }
        $silos = @(Assert-Step silos)
        $silos.Count | Should -Be 1
        $silos[0].Type | Should -Be 'VoxClusterSilo'
        $silos[0].Status | Should -Be 'Active'
        $silos[0].Slots | Should -Be 4
        $silos[0].Address | Should -BeLike '127.0.0.1:*'
        $silos[0].Load | Should -BeGreaterOrEqual 0
        $silos[0].Load | Should -BeLessOrEqual 1
        $silos[0].CachedBytes | Should -BeGreaterOrEqual 0
        $silos[0].Connection | Should -Be 'default'
    }

    It 'fails clearly and within its timeout for a wrong cluster id and an unreachable Redis' {
        if ($script:SkipReason) { return }
        $e = Assert-Step connectErrors
        $e.BadId.Id | Should -BeLike 'VoxClusterUnavailable,*'
        $e.BadId.Message | Should -BeLike '*no-such-*3 s*cluster id*'
        $e.BadIdSeconds | Should -BeLessThan 20
        $e.NoRedis.Id | Should -BeLike 'VoxClusterUnavailable,*'
        $e.NoRedis.Message | Should -BeLike "Cannot reach Redis 127.0.0.1:$($script:ClosedPort)*"
        $e.NoRedisSeconds | Should -BeLessThan 30
        $e.Left | Should -Be 0
    }

    It 'refuses a taken connection name and a Redis text that is not host:port' {
        if ($script:SkipReason) { return }
        $r = Assert-Step refusals
        $r.DuplicateConnection.Id | Should -BeLike 'VoxParameterConflict,*'
        $r.DuplicateConnection.Message | Should -BeLike "*already has a cluster connection named 'default'*"
        $r.BadRedisText.Id | Should -BeLike 'VoxConfigInvalid,*'
        $r.BadRedisText.Message | Should -BeLike '*host:port*'
    }
}

Describe 'Submit-VoxDag -Cluster' {
    BeforeEach { if ($script:SkipReason) { Set-ItResult -Skipped -Because $script:SkipReason } }

    It 'gives the node ids and values of a local run, and serves a rerun from the store' {
        if ($script:SkipReason) { return }
        $s = Assert-Step sameAsLocal
        $s.Cluster.Count | Should -Be 3
        Select-Pairs $s.Cluster | Should -Be (Select-Pairs $s.Local)
        # Goals are written as they finish (as a local -Wait writes them), so by goal name.
        @($s.Cluster | Sort-Object Goal | ForEach-Object Value) | Should -Be @('42', '43', 'vox')
        @($s.Cluster.Status | Sort-Object -Unique) | Should -Be 'Completed'
        @($s.Cluster.Type | Sort-Object -Unique) | Should -Be 'VoxResult'
        # Computed nodes come from the store; a constant goal is part of the program, never stored.
        @($s.Rerun | Where-Object Goal -in 'a', 'b' | ForEach-Object Status | Sort-Object -Unique) | Should -Be 'Cached'
        @($s.Rerun | Where-Object Goal -eq 'text').Status | Should -Be 'Completed'
        Select-Pairs $s.Rerun | Should -Be (Select-Pairs $s.Local)
    }

    It 'runs program files, program parameters and DAGs of node objects as local runs do' {
        if ($script:SkipReason) { return }
        foreach ($name in 'file', 'parameter', 'dag') {
            $s = Assert-Step $name
            @($s.Cluster).Count | Should -BeGreaterThan 0 -Because $name
            Select-Pairs $s.Cluster | Should -Be (Select-Pairs $s.Local) -Because $name
        }
        (Assert-Step parameter).Cluster[0].Value | Should -Be '40'
        (Assert-Step dag).Cluster[0].Value | Should -Be '42'
    }

    It 'writes a VoxGoalFailed error per failed goal, as a local run does, and the result still' {
        if ($script:SkipReason) { return }
        $s = Assert-Step goalFailure
        Select-Pairs $s.Cluster | Should -Be (Select-Pairs $s.Local)
        @($s.Cluster | Sort-Object Goal | ForEach-Object Status) | Should -Be @('Completed', 'Failed')
        $s.ClusterErrors.Count | Should -Be 1
        $s.ClusterErrors[0].Id | Should -BeLike 'VoxGoalFailed,*'
        $local = $s.LocalErrors[0].Message.Replace($s.Local[1].ExecutionId, '<id>')
        $s.ClusterErrors[0].Message.Replace($s.Cluster[1].ExecutionId, '<id>') | Should -Be $local
        $s.Stop | Should -BeLike 'VoxGoalFailed,*'
    }

    It 'applies -NodeTimeout and -MaxConcurrency on the cluster' {
        if ($script:SkipReason) { return }
        $t = Assert-Step nodeTimeout
        $t.Result[0].Status | Should -Be 'Failed'
        $t.Errors[0].Id | Should -BeLike 'VoxGoalFailed,*'
        $t.Errors[0].Message | Should -BeLike '*time*'
        $c = Assert-Step concurrency
        $c.One.Status | Should -Be 'Completed'
        $c.One.Max | Should -Be 1
        $c.Free.Status | Should -Be 'Completed'
        $c.Free.Max | Should -BeGreaterThan 1
    }

    It 'writes results with -Codec as given, and reads a large goal value from the store' {
        if ($script:SkipReason) { return }
        $w = Assert-Step writeOptions
        $w.Count | Should -Be 20000
        $w.First | Should -Be $w.Expected
        $w.Size | Should -BeGreaterThan (64KB)
        $w.Brotli | Should -Be 'brotli'
        $w.Default | Should -Be 'lz4'
    }

    It 'refuses what a cluster does not do, naming why' {
        if ($script:SkipReason) { return }
        $r = Assert-Step refusals
        $r.MemoryBudget.Id | Should -BeLike 'VoxParameterConflict,*'
        $r.MemoryBudget.Message | Should -BeLike '*-MemoryBudget cannot be used with -Cluster*'
        $r.MaxWorkers.Message | Should -BeLike '*-MaxWorkers, -RetryDelay cannot be used with -Cluster*'
        $r.FolderStore.Id | Should -BeLike 'VoxParameterConflict,*'
        $r.FolderStore.Message | Should -BeLike '*postgres drive*'
        $r.Save.Id | Should -BeLike 'VoxNotSupported,*'
        $r.Save.Message | Should -BeLike '*Save-VoxResult*'
        $r.Load.Id | Should -BeLike 'VoxNotSupported,*'
        $r.Load.Message | Should -BeLike '*load*cannot run on a cluster*coordinating silo*'
        $r.NoConnection.Id | Should -BeLike 'VoxClusterNotConnected,*'
        $r.NoConnection.Message | Should -BeLike "*no cluster connection named 'nosuch'*"
        $r.ScriptOperation.Id | Should -BeLike 'VoxDagInvalid,*'
        $r.ScriptOperation.Message | Should -BeLike '*my.double*PowerShell session*'
    }
}

Describe 'The execution cmdlets on cluster executions' {
    BeforeEach { if ($script:SkipReason) { Set-ItResult -Skipped -Because $script:SkipReason } }

    It 'follows, waits for and reads a cluster execution by id and by name' {
        if ($script:SkipReason) { return }
        $f = Assert-Step follow
        $f.Submitted.Type | Should -Be 'VoxExecution'
        $f.Submitted.IsLive | Should -BeTrue
        $f.Submitted.Store | Should -Be 'postgres:default'
        $f.Waited | Should -Be 'Completed'
        $f.Progress.Status | Should -Be 'Completed'
        $f.Progress.TotalNodes | Should -BeGreaterThan 0
        $f.Progress.CompletedNodes | Should -Be $f.Progress.TotalNodes
        $f.Progress.Percent | Should -Be 100
        $f.ByName[0].Value | Should -Be '10'
        $f.Node[0].Value | Should -Be '9'
        $f.Listed.Count | Should -Be 1
        $f.Listed[0].IsLive | Should -BeTrue
        # The coordinator records the execution in the namespace's history, where a postgres drive finds it.
        $f.Drive | Should -Be 'default'
        $f.History.Count | Should -Be 1
        $f.History[0].Status | Should -Be 'Completed'
        # Naming the silo that coordinated it, with its generation, followed live or read from history (a local run names none).
        $f.Listed[0].Coordinator | Should -Match '^127\.0\.0\.1:\d+@\d+$'
        $f.History[0].Coordinator | Should -Be $f.Listed[0].Coordinator
        $f.LocalHistory.Count | Should -Be 1
        $f.LocalHistory[0].Coordinator | Should -BeNullOrEmpty
    }

    It 'draws every node''s state with Show-VoxDag, as for a local run' {
        if ($script:SkipReason) { return }
        $d = Assert-Step dagStates
        $d.Cluster | Should -Match 'Completed'
        $d.Cluster | Should -Be $d.Local
    }

    It 'stops a running cluster execution' {
        if ($script:SkipReason) { return }
        $s = Assert-Step stop
        $s.RunningSeen | Should -BeTrue
        $s.Status | Should -Be 'Cancelled'
        $s.Progress | Should -Be 'Cancelled'
        $s.Goals[0].Status | Should -Be 'Cancelled'
    }

    It 'runs a cluster execution as a job' {
        if ($script:SkipReason) { return }
        $j = Assert-Step job
        $j.Type | Should -Be 'VoxExecutionJob'
        $j.State | Should -Be 'Completed'
        $j.Out[0].Value | Should -Be '25'
    }
}

Describe 'Disconnect-VoxCluster and module removal' {
    BeforeEach { if ($script:SkipReason) { Set-ItResult -Skipped -Because $script:SkipReason } }

    It 'uses a named connection, then closes it and refuses it afterwards' {
        if ($script:SkipReason) { return }
        $d = Assert-Step disconnect
        $d.ViaSecond[0].Value | Should -Be '21'
        $d.BothListed | Should -Be 2
        $d.IsConnected | Should -BeFalse
        $d.GetErrors[0].Id | Should -BeLike 'VoxClusterNotConnected,*'
        $d.SubmitError | Should -BeLike 'VoxClusterNotConnected,*'
        $d.Left | Should -Be 'default'
    }

    It 'closes the connections when the module is removed' {
        if ($script:SkipReason) { return }
        $m = Assert-Step removal
        $m.HadSilo | Should -BeTrue
        $m.After.Id | Should -BeLike 'VoxClusterNotConnected,*'
        $m.After.Message | Should -BeLike '*not connected to a cluster*Connect-VoxCluster*'
    }
}

Describe 'A fresh pwsh' {
    BeforeEach { if ($script:SkipReason) { Set-ItResult -Skipped -Because $script:SkipReason } }

    It 'takes the connection string from VOXSCHEDULER_POSTGRES and the password from -Credential, and exits non-zero on a failed goal' {
        if ($script:SkipReason) { return }
        $full = (Get-Content -Raw -LiteralPath $script:ConnectionFile).Trim()
        $password = ($full -split ';' | Where-Object { $_ -like 'Password=*' }) -replace '^Password=', ''
        $noSecret = ($full -split ';' | Where-Object { $_ -notlike 'Password=*' -and $_ -notlike 'Username=*' }) -join ';'
        $command = @"
`$env:VOXSCHEDULER_STORE = '$(Join-Path $TestDrive 'fresh-store')'
`$env:VOXSCHEDULER_POSTGRES = '$noSecret'
Import-Module '$script:VoxModulePath'
`$credential = [pscredential]::new('vox', (ConvertTo-SecureString '$password' -AsPlainText -Force))
`$null = Connect-VoxCluster -Redis '$($script:RedisServer.Endpoint)' -ClusterId '$script:ClusterId' -Credential `$credential -Namespace fresh
'VALUE ' + (Submit-VoxDag -Program 'print "f" 3 * 3' -Cluster -Wait).Value
Submit-VoxDag -Program 'print "y" 1 / 0' -Cluster -Wait -ErrorAction Stop
'not reached'
"@
        $out = @(Invoke-VoxFreshPwsh -Command $command 2>&1 | ForEach-Object { "$_" })
        $LASTEXITCODE | Should -Not -Be 0
        $out | Should -Contain 'VALUE 9'
        ($out -join "`n") | Should -BeLike '*Goal ''y''*division by zero*'
        $out | Should -Not -Contain 'not reached'
    }

    It 'runs the cluster examples of the help as written (the cluster''s address, id and connection file put in)' {
        if ($script:SkipReason) { return }
        $source = Import-PowerShellDataFile (Join-Path $script:Repo 'docs/help/VoxScheduler.help.psd1')
        $order = 'Connect-VoxCluster', 'Get-VoxCluster', 'Submit-VoxDag', 'Disconnect-VoxCluster'
        $examples = foreach ($topic in $order) { foreach ($e in $source[$topic].Examples) { if ($e['Requires'] -eq 'Cluster') { $e.Code } } }
        @($source.Keys | Where-Object { $_ -notin $order } | ForEach-Object { $source[$_]['Examples'] } | Where-Object { $_ -and $_['Requires'] }) | Should -BeNullOrEmpty
        $examples.Count | Should -BeGreaterThan 4
        $sandbox = Join-Path $TestDrive 'help-cluster'
        $null = New-Item -ItemType Directory $sandbox
        Copy-Item (Join-Path $script:Repo 'examples') -Destination $sandbox -Recurse
        $script = [System.Text.StringBuilder]::new()
        [void] $script.AppendLine("`$env:VOXSCHEDULER_STORE = '$(Join-Path $sandbox 'default-store')'")
        [void] $script.AppendLine("Set-Location '$sandbox'")
        [void] $script.AppendLine("Import-Module '$script:VoxModulePath' -ErrorAction Stop")
        for ($i = 0; $i -lt $examples.Count; $i++) {
            $code = $examples[$i].Replace('127.0.0.1:6379', $script:RedisServer.Endpoint).Replace('vox-local-20261207', $script:ClusterId).Replace('./out/cluster/postgres/connection', $script:ConnectionFile)
            [void] $script.AppendLine("`$Error.Clear()")
            [void] $script.AppendLine("try { & {`n$code`n} *>&1 | Out-Null } catch { }")
            [void] $script.AppendLine("if (`$Error.Count) { 'EXAMPLE $i FAIL ' + ((`$Error | ForEach-Object { `$_.ToString() }) -join ' | ') } else { 'EXAMPLE $i OK' }")
        }
        $file = Join-Path $TestDrive 'cluster-examples.ps1'
        Set-Content -LiteralPath $file -Value $script.ToString()
        $out = @(Invoke-VoxFreshPwsh ". '$file'")
        $results = @($out | Where-Object { $_ -like 'EXAMPLE *' })
        $results.Count | Should -Be $examples.Count -Because ($out -join "`n")
        $failed = for ($i = 0; $i -lt $results.Count; $i++) { if ($results[$i] -ne "EXAMPLE $i OK") { "$($examples[$i]) -> $($results[$i])" } }
        $failed | Should -BeNullOrEmpty
    }
}
