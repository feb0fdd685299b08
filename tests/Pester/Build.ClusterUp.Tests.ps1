#requires -Version 7.6
# build.ps1 cluster-up and cluster-down (issue 16: "a user can try it on one machine with two
# commands"), as a user runs them: each in a fresh pwsh, on a folder of this test's own
# (-ClusterFolder, so a cluster a developer keeps under out/cluster is not touched). Between them,
# the module connects with what cluster-up printed and recorded, lists the silos, runs a program
# on the cluster; a second cluster-up on the same folder is refused; after cluster-down nothing it
# started still runs; a cluster-up on the same folder again serves the program's results from the
# store it kept. Without PostgreSQL's binaries or redis-server the tests are skipped and say why,
# unless CI requires them (VOXSCHEDULER_REQUIRE_CLUSTER=1 or VOXSCHEDULER_REQUIRE_POSTGRES=1).
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'VoxModule.Helpers.ps1')
    Initialize-VoxTestSession
    Import-Module (Join-Path $PSScriptRoot '../../tools/ClusterServers.psm1') -Force
    $script:Repo = [IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../..'))
    $script:SkipReason = Get-VoxClusterSkipReason -What 'cluster-up tests'
    if ($script:SkipReason) { return }

    $script:Folder = Join-Path ([IO.Path]::GetTempPath()) ('vox-up-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
    $script:Logs = Join-Path $TestDrive 'logs'
    $null = New-Item -ItemType Directory $script:Logs

    function Invoke-BuildTask([string] $Name, [string] $Task, [int] $Silos = -1) {
        # build.ps1 in a fresh pwsh, its output in files: the servers it starts must not hold a pipe this test reads.
        $out = Join-Path $script:Logs "$Name.out"
        $err = Join-Path $script:Logs "$Name.err"
        $line = "& '$(Join-Path $script:Repo 'build.ps1')' $Task -ClusterFolder '$script:Folder'" + $(if ($Silos -ge 0) { " -Silos $Silos" } else { '' })
        $process = Start-VoxFreshPwsh -Command "$line; exit `$LASTEXITCODE" -StandardOutput $out -StandardError $err
        if (-not $process.WaitForExit(600000)) { $process.Kill($true); throw "$line did not end within 10 minutes." }
        return [pscustomobject]@{
            ExitCode = $process.ExitCode
            Output   = (Get-Content -Raw -LiteralPath $out -ErrorAction SilentlyContinue) + (Get-Content -Raw -LiteralPath $err -ErrorAction SilentlyContinue)
        }
    }

    function Get-State { Get-Content -Raw -LiteralPath (Join-Path $script:Folder 'cluster.json') | ConvertFrom-Json }

    function Test-Alive([int] $ProcessId) { $null -ne (Get-Process -Id $ProcessId -ErrorAction SilentlyContinue) }

    function Invoke-OnCluster($State, [string] $Work) {
        # The module in a fresh pwsh, connected with what cluster-up recorded; one JSON document of what it saw.
        $null = New-Item -ItemType Directory -Path $Work -Force
        $program = Join-Path $Work 'up.imgql'
        Set-Content -LiteralPath $program -Value "a = 6 * 7`nb = a + 1`nprint ""b"" b"
        $command = @"
`$ErrorActionPreference = 'Stop'
`$env:VOXSCHEDULER_STORE = '$(Join-Path $Work 'store')'
Import-Module '$script:VoxModulePath'
`$c = Connect-VoxCluster -Redis '$($State.redis.endpoint)' -ClusterId '$($State.clusterId)' -ConnectionFile '$($State.postgres.connectionFile)'
`$silos = @(Get-VoxCluster | ForEach-Object { [ordered]@{ Status = "`$(`$_.Status)"; Slots = `$_.Slots } })
`$results = @(Submit-VoxDag -Cluster -Path '$program' -Wait | ForEach-Object { [ordered]@{ Goal = `$_.Goal; Value = "`$(`$_.Value)"; Status = "`$(`$_.Status)" } })
Disconnect-VoxCluster
# The store's history, as a later session reads it: every run of the namespace, with its coordinating silo.
`$null = New-PSDrive -Name uphist -PSProvider VoxStore -Root default -Backend postgres -ConnectionFile '$($State.postgres.connectionFile)'
`$history = @(Get-VoxExecution -Store uphist: | ForEach-Object { [ordered]@{ Status = "`$(`$_.Status)"; IsLive = `$_.IsLive; Coordinator = `$_.Coordinator } })
[ordered]@{ Silos = `$silos; Results = `$results; History = `$history } | ConvertTo-Json -Depth 5 -Compress
"@
        $out = @(Invoke-VoxFreshPwsh -Command $command)
        $json = $out | Where-Object { $_ -like '{*' } | Select-Object -Last 1
        if (-not $json) { throw "The session on the cluster wrote no result: $($out -join [Environment]::NewLine)" }
        return $json | ConvertFrom-Json
    }

    # The whole story once; the Its below read what it saw.
    $script:Up = Invoke-BuildTask 'up' cluster-up 2
    if ($script:Up.ExitCode -ne 0) { throw "cluster-up failed ($($script:Up.ExitCode)): $($script:Up.Output)" }
    if (-not (Test-Path -LiteralPath (Join-Path $script:Folder 'cluster.json'))) { throw "cluster-up did not record its cluster in $script:Folder`: $($script:Up.Output)" }
    $script:State = Get-State
    $script:AliveAfterUp = @(@($script:State.silos.pid) | Where-Object { Test-Alive $_ })
    $script:PortsAfterUp = @(@($script:State.postgres.port, $script:State.redis.port) | Where-Object { Test-VoxPortOpen $_ })
    $script:Session = Invoke-OnCluster $script:State (Join-Path $TestDrive 'first')
    $script:Again = Invoke-BuildTask 'again' cluster-up 1
    $script:StateAfterRefusal = Get-State
    $script:Down = Invoke-BuildTask 'down' cluster-down
    $script:AliveAfterDown = @(@($script:State.silos.pid) | Where-Object { Test-Alive $_ })
    $script:PortsAfterDown = @(@($script:State.postgres.port, $script:State.redis.port) | Where-Object { Test-VoxPortOpen $_ })
    $script:Up2 = Invoke-BuildTask 'up2' cluster-up 1
    if ($script:Up2.ExitCode -eq 0) {
        $script:State2 = Get-State
        $script:Session2 = Invoke-OnCluster $script:State2 (Join-Path $TestDrive 'second')
    }
    $script:Down2 = Invoke-BuildTask 'down2' cluster-down
}

AfterAll {
    if ($script:Folder -and (Test-Path -LiteralPath $script:Folder)) {
        # A test that failed half-way leaves nothing running.
        if (Test-Path -LiteralPath (Join-Path $script:Folder 'cluster.json')) { $null = Invoke-BuildTask 'cleanup' cluster-down }
        Stop-VoxRedis -Folder (Join-Path $script:Folder 'redis')
        Stop-VoxPostgres -Folder (Join-Path $script:Folder 'postgres')
        Remove-Item -LiteralPath $script:Folder -Recurse -Force -ErrorAction SilentlyContinue
    }
}

Describe 'build.ps1 cluster-up and cluster-down' {
    BeforeEach { if ($script:SkipReason) { Set-ItResult -Skipped -Because $script:SkipReason } }

    It 'starts PostgreSQL, Redis and the silos asked for, records them and prints how to connect and stop' {
        if ($script:SkipReason) { return }
        $script:State.clusterId | Should -BeLike 'vox-local-*'
        @($script:State.silos).Count | Should -Be 2
        # Read right after cluster-up (the later steps stop them).
        $script:AliveAfterUp.Count | Should -Be 2
        $script:PortsAfterUp.Count | Should -Be 2
        foreach ($silo in $script:State.silos) { Get-Content -Raw -LiteralPath $silo.log | Should -BeLike '*VoxScheduler silo ready 127.0.0.1:*' }
        $script:Up.Output | Should -BeLike "*Cluster $($script:State.clusterId) is up*2 silo(s)*"
        $script:Up.Output | Should -BeLike "*Clients connect with Redis $($script:State.redis.endpoint) and cluster id $($script:State.clusterId)*"
        $script:Up.Output | Should -BeLike "*cluster-down -ClusterFolder '$($script:Folder)'*"
        # The connection string holds a generated password: its file is readable by its owner only.
        (Get-Content -Raw -LiteralPath $script:State.postgres.connectionFile) | Should -BeLike '*Password=*'
        if (-not $IsWindows) {
            ((Get-Item -LiteralPath $script:State.postgres.connectionFile).UnixFileMode -band [IO.UnixFileMode]'GroupRead, OtherRead') | Should -Be ([IO.UnixFileMode]::None)
        }
    }

    It 'is a cluster the module connects to and runs a program on, with every silo active' {
        if ($script:SkipReason) { return }
        @($script:Session.Silos).Count | Should -Be 2
        @($script:Session.Silos.Status | Sort-Object -Unique) | Should -Be 'Active'
        $script:Session.Results.Count | Should -Be 1
        $script:Session.Results[0].Goal | Should -Be 'b'
        $script:Session.Results[0].Value | Should -Be '43'
        $script:Session.Results[0].Status | Should -Be 'Completed'
    }

    It 'refuses a second cluster-up on a running cluster''s folder, leaving it as it was' {
        if ($script:SkipReason) { return }
        $script:Again.ExitCode | Should -Not -Be 0
        $script:Again.Output | Should -BeLike '*cluster.json*stop it first*cluster-down*'
        $script:StateAfterRefusal.clusterId | Should -Be $script:State.clusterId
        @($script:StateAfterRefusal.silos.pid) | Should -Be @($script:State.silos.pid)
    }

    It 'stops every silo and both servers with cluster-down, keeping the stored results' {
        if ($script:SkipReason) { return }
        $script:Down.ExitCode | Should -Be 0
        $script:Down.Output | Should -BeLike "*Cluster $($script:State.clusterId) is down*"
        $script:AliveAfterDown | Should -BeNullOrEmpty
        $script:PortsAfterDown | Should -BeNullOrEmpty
        Test-Path -LiteralPath (Join-Path $script:Folder 'postgres') | Should -BeTrue
    }

    It 'starts again on the same folder with a fresh cluster id and serves the earlier results from the kept store' {
        if ($script:SkipReason) { return }
        $script:Up2.ExitCode | Should -Be 0 -Because $script:Up2.Output
        $script:State2.clusterId | Should -Not -Be $script:State.clusterId
        @($script:Session2.Silos).Count | Should -Be 1
        $script:Session2.Results[0].Value | Should -Be '43'
        $script:Session2.Results[0].Status | Should -Be 'Cached'
        # Both runs in the kept history, each naming the silo of its own cluster that coordinated it: the
        # second session's own run followed live, the first one's read from the store's record.
        @($script:Session2.History).Count | Should -Be 2
        $first = ($script:State.silos.siloPort | ForEach-Object { [regex]::Escape("127.0.0.1:$_@") }) -join '|'
        $second = ($script:State2.silos.siloPort | ForEach-Object { [regex]::Escape("127.0.0.1:$_@") }) -join '|'
        $old = @($script:Session2.History | Where-Object { $_.Coordinator -match "^($first)\d+$" })
        $old.Count | Should -Be 1
        $old[0].IsLive | Should -BeFalse
        $old[0].Status | Should -Be 'Completed'
        @($script:Session2.History | Where-Object { $_.Coordinator -match "^($second)\d+$" -and $_.IsLive }).Count | Should -Be 1
        $script:Down2.ExitCode | Should -Be 0
        Test-Path -LiteralPath (Join-Path $script:Folder 'cluster.json') | Should -BeFalse
    }
}
