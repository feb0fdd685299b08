#requires -Version 7.6
# The session VoxModule.Cluster.Tests.ps1 asserts on, run in a fresh pwsh (one PostgreSQL
# database per process: the Pester process may already use another one): connects to the
# test's cluster, runs the same programs and DAGs locally and on the cluster, follows, stops and
# reads cluster executions with the usual cmdlets, tries the refusals and the connection errors,
# and finally removes the module. Writes one JSON document of what it saw; every step records
# its error instead of stopping the others.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $Redis,
    [Parameter(Mandatory)] [string] $ClusterId,
    [Parameter(Mandatory)] [string] $ConnectionFile,
    [Parameter(Mandatory)] [string] $Work,
    [Parameter(Mandatory)] [string] $Examples,
    [Parameter(Mandatory)] [int] $ClosedPort
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$env:VOXSCHEDULER_STORE = Join-Path $Work 'default-store'
Import-Module $ModulePath
$r = [ordered]@{}
$local = Join-Path $Work 'local-store'

function Step([string] $Name, [scriptblock] $Body) {
    try { $r[$Name] = & $Body }
    catch { $r[$Name] = [ordered]@{ Failed = "$_"; Id = $_.FullyQualifiedErrorId; At = $_.InvocationInfo.PositionMessage } }
}
function Plain($results) {
    , @($results | ForEach-Object {
            [ordered]@{ Goal = $_.Goal; NodeId = $_.NodeId; Value = "$($_.Value)"; Status = "$($_.Status)"; Error = $_.Error; Type = $_.GetType().Name; ExecutionId = $_.ExecutionId }
        })
}
function Errs($records) { , @($records | ForEach-Object { [ordered]@{ Id = $_.FullyQualifiedErrorId; Message = $_.Exception.Message } }) }
function Seed { Get-Random -Maximum 100000000 }

$program = "a = 6 * 7`nb = a + 1`nprint ""a"" a`nprint ""b"" b`nprint ""text"" ""vox"""

Step connect {
    $c = Connect-VoxCluster -Redis $Redis -ClusterId $ClusterId -ConnectionFile $ConnectionFile
    [ordered]@{ Type = $c.GetType().FullName; Name = $c.Name; ClusterId = $c.ClusterId; Redis = $c.Redis; Namespace = $c.Namespace; IsConnected = $c.IsConnected; Database = $c.Database }
}
Step silos {
    @(Get-VoxCluster | ForEach-Object { [ordered]@{ Type = $_.GetType().Name; Address = $_.Address; Status = $_.Status; Slots = $_.Slots; InFlight = $_.InFlight; Load = $_.Load; CachedBytes = $_.CachedBytes; Connection = $_.Connection } })
}
Step sameAsLocal {
    [ordered]@{
        Local   = Plain (Submit-VoxDag -Program $program -Store $local -Wait)
        Cluster = Plain (Submit-VoxDag -Program $program -Cluster -Wait)
        Rerun   = Plain (Submit-VoxDag -Program $program -Cluster -Wait)
    }
}
Step file {
    $path = Join-Path $Examples 'arithmetic.imgql'
    [ordered]@{ Local = Plain (Submit-VoxDag -Path $path -Store $local -Wait); Cluster = Plain (Submit-VoxDag -Path $path -Cluster -Wait) }
}
Step parameter {
    $text = "t = 1`nprint ""v"" t * 10"
    [ordered]@{
        Local   = Plain (Submit-VoxDag -Program $text -Parameter @{ t = 4 } -Store $local -Wait)
        Cluster = Plain (Submit-VoxDag -Program $text -Parameter @{ t = 4 } -Cluster -Wait)
    }
}
Step dag {
    $nodes = { @(New-VoxNode -Name x -Value 20; New-VoxNode -Name y -Value 22; New-VoxNode -Name answer -Operation default.add -Arguments x, y) }
    [ordered]@{ Local = Plain ((& $nodes) | Submit-VoxDag -Store $local -Wait); Cluster = Plain ((& $nodes) | Submit-VoxDag -Cluster -Wait) }
}
Step goalFailure {
    $text = "print ""ok"" 2 + 2`nprint ""y"" 1 / 0"
    $localErrors = $null; $clusterErrors = $null
    $l = Submit-VoxDag -Program $text -Store $local -Wait -ErrorVariable localErrors -ErrorAction SilentlyContinue
    $c = Submit-VoxDag -Program $text -Cluster -Wait -ErrorVariable clusterErrors -ErrorAction SilentlyContinue
    $stopped = try { $null = Submit-VoxDag -Program $text -Cluster -Wait -ErrorAction Stop; 'no' } catch { $_.FullyQualifiedErrorId }
    [ordered]@{ Local = Plain $l; Cluster = Plain $c; LocalErrors = Errs $localErrors; ClusterErrors = Errs $clusterErrors; Stop = $stopped }
}
Step follow {
    $e = Submit-VoxDag -Program "n = 3 * 3`nprint ""n"" n + 1" -Cluster -Name cl-named
    $submitted = [ordered]@{ Type = $e.GetType().Name; IsLive = $e.IsLive; Store = "$($e.Store)"; Name = $e.Name }
    $waited = @(Wait-VoxExecution -Id cl-named -Timeout 60)
    $p = Get-VoxProgress -Id $e.ExecutionId
    $drive = New-PSDrive -Name clhist -PSProvider VoxStore -Root default -Backend postgres -ConnectionFile $ConnectionFile
    [ordered]@{
        Submitted = $submitted
        Waited    = @($waited | ForEach-Object { "$($_.Status)" })
        Progress  = [ordered]@{ Status = "$($p.Status)"; TotalNodes = $p.TotalNodes; CompletedNodes = $p.CompletedNodes; ComputedNodes = $p.ComputedNodes; Percent = $p.Percent }
        ByName    = Plain (Get-VoxResult cl-named)
        Node      = Plain (Get-VoxResult $e.ExecutionId -Node n)
        Listed    = @(Get-VoxExecution -Id cl-named | ForEach-Object { [ordered]@{ Status = "$($_.Status)"; IsLive = $_.IsLive; Percent = $_.Percent; Coordinator = $_.Coordinator } })
        History   = @(Get-VoxExecution -Store clhist: | Where-Object ExecutionId -eq $e.ExecutionId | ForEach-Object { [ordered]@{ Status = "$($_.Status)"; IsLive = $_.IsLive; Coordinator = $_.Coordinator } })
        LocalHistory = @(Get-VoxExecution -Store $local | Select-Object -First 1 | ForEach-Object { [ordered]@{ Coordinator = $_.Coordinator } })
        ExecutionId = $e.ExecutionId
        Drive     = "$($drive.StorePath)"
    }
}
Step dagStates {
    # The same program locally and on the cluster: Show-VoxDag draws every node's state, not only the goals'.
    $text = "x = $(Seed) + 1`ny = x * 2`nprint ""y"" y`nprint ""z"" y + x"
    $null = Submit-VoxDag -Program $text -Store $local -Name dag-local -Wait
    $null = Submit-VoxDag -Program $text -Cluster -Name dag-cluster -Wait
    function Body([string] $Diagram) { (($Diagram -split "`n") | Where-Object { $_ -notlike 'title:*' }) -join "`n" }
    [ordered]@{ Local = Body (Show-VoxDag -ExecutionId dag-local); Cluster = Body (Show-VoxDag -ExecutionId dag-cluster) }
}
Step stop {
    $s = Submit-VoxDag -Program "import ""test""`nprint ""slow"" test.sleep($(Seed), 60000)" -Cluster -Name cl-slow
    # Waits (bounded by the execution's own minute) for the node to run, without sleeping.
    $running = Get-VoxProgress -Id cl-slow -Watch -Interval 100ms | Where-Object RunningNodes -ge 1 | Select-Object -First 1
    $stopped = Stop-VoxExecution -Id cl-slow -PassThru
    [ordered]@{
        RunningSeen = [bool] $running
        Status      = "$($stopped.Status)"
        Goals       = Plain (Get-VoxResult $s.ExecutionId)
        Progress    = "$((Get-VoxProgress -Id $s.ExecutionId).Status)"
    }
}
Step nodeTimeout {
    $errors = $null
    $t = Submit-VoxDag -Program "import ""test""`nprint ""late"" test.sleep($(Seed), 30000)" -Cluster -NodeTimeout 1 -MaxRetries 0 -Wait -ErrorVariable errors -ErrorAction SilentlyContinue
    [ordered]@{ Result = Plain $t; Errors = Errs $errors }
}
Step concurrency {
    function MaxRunning([hashtable] $Extra) {
        $text = "import ""test""`nprint ""s1"" test.sleep($(Seed), 700)`nprint ""s2"" test.sleep($(Seed), 700)`nprint ""s3"" test.sleep($(Seed), 700)"
        $e = Submit-VoxDag -Program $text -Cluster @Extra
        $max = (Get-VoxProgress -Id $e.ExecutionId -Watch -Interval 50ms | Measure-Object RunningNodes -Maximum).Maximum
        [ordered]@{ Max = $max; Status = "$((Wait-VoxExecution -Id $e.ExecutionId).Status)" }
    }
    [ordered]@{ One = MaxRunning @{ MaxConcurrency = 1 }; Free = MaxRunning @{} }
}
Step writeOptions {
    # A large, compressible value (a sequence of 20,000 numbers): not carried by the result, so read from the store.
    $first = Seed
    $brotli = Submit-VoxDag -Program "print ""r"" range($first, $first + 20000)" -Cluster -Codec brotli -Wait
    $second = Seed
    $default = Submit-VoxDag -Program "print ""r"" range($second, $second + 20000)" -Cluster -Wait
    $null = New-PSDrive -Name clw -PSProvider VoxStore -Root default -Backend postgres
    [ordered]@{
        Count    = @($brotli.Value).Count
        First    = @($brotli.Value)[0]
        Size     = $brotli.Size
        Brotli   = "$((Get-ItemProperty "clw:\$($brotli.NodeId)").Compression)"
        Default  = "$((Get-ItemProperty "clw:\$($default.NodeId)").Compression)"
        Expected = $first
    }
}
Step job {
    $job = Submit-VoxDag -Program 'print "j" 5 * 5' -Cluster -AsJob
    $out = Receive-Job $job -Wait
    [ordered]@{ Type = $job.GetType().Name; State = "$($job.State)"; Out = Plain $out }
}
Step refusals {
    $ids = [ordered]@{}
    foreach ($case in @(
            @{ Name = 'MemoryBudget'; Run = { Submit-VoxDag -Program 'print "x" 1 + 1' -Cluster -MemoryBudget 1GB -ErrorAction Stop } }
            @{ Name = 'MaxWorkers'; Run = { Submit-VoxDag -Program 'print "x" 1 + 1' -Cluster -MaxWorkers 2 -RetryDelay 1 -ErrorAction Stop } }
            @{ Name = 'FolderStore'; Run = { Submit-VoxDag -Program 'print "x" 1 + 1' -Cluster -Store $local -ErrorAction Stop } }
            @{ Name = 'Save'; Run = { Submit-VoxDag -Program 'save "out.txt" "x"' -Cluster -Wait -ErrorAction Stop } }
            @{ Name = 'Load'; Run = { Submit-VoxDag -Program 'print "x" load("scan.nii.gz")' -Cluster -Wait -ErrorAction Stop } }
            @{ Name = 'NoConnection'; Run = { Submit-VoxDag -Program 'print "x" 1 + 1' -Connection nosuch -ErrorAction Stop } }
            @{ Name = 'ScriptOperation'; Run = {
                    Register-VoxOperation -Name my.double -ScriptBlock { param($x) $x * 2 } -Force
                    @(New-VoxNode -Name x -Value 4; New-VoxNode -Name d -Operation my.double -Arguments x) | Submit-VoxDag -Cluster -Wait -ErrorAction Stop
                }
            }
            @{ Name = 'DuplicateConnection'; Run = { Connect-VoxCluster -Redis $Redis -ClusterId $ClusterId -ConnectionFile $ConnectionFile -ErrorAction Stop } }
            @{ Name = 'BadRedisText'; Run = { Connect-VoxCluster -Redis 'host:6379,password=secret' -ClusterId $ClusterId -Name other -ErrorAction Stop } }
        )) {
        $ids[$case.Name] = try { $null = & $case.Run; 'no error' } catch { [ordered]@{ Id = $_.FullyQualifiedErrorId; Message = $_.Exception.Message } }
    }
    $ids
}
Step connectErrors {
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $badId = try { $null = Connect-VoxCluster -Redis $Redis -ClusterId "no-such-$(Seed)" -Name wrong -Timeout 3 -ErrorAction Stop; 'no error' } catch { [ordered]@{ Id = $_.FullyQualifiedErrorId; Message = $_.Exception.Message } }
    $badIdSeconds = $clock.Elapsed.TotalSeconds
    $clock.Restart()
    $noRedis = try { $null = Connect-VoxCluster -Redis "127.0.0.1:$ClosedPort" -ClusterId $ClusterId -Name closed -Timeout 10 -ErrorAction Stop; 'no error' } catch { [ordered]@{ Id = $_.FullyQualifiedErrorId; Message = $_.Exception.Message } }
    [ordered]@{ BadId = $badId; BadIdSeconds = $badIdSeconds; NoRedis = $noRedis; NoRedisSeconds = $clock.Elapsed.TotalSeconds; Left = @(Get-VoxCluster -Name wrong, closed -ErrorAction SilentlyContinue).Count }
}
Step disconnect {
    $second = Connect-VoxCluster $Redis $ClusterId -Name second -ConnectionFile $ConnectionFile -Namespace other-namespace
    $viaSecond = Plain (Submit-VoxDag -Program 'print "w" 20 + 1' -Connection second -Wait)
    $bothListed = @(Get-VoxCluster).Count
    Disconnect-VoxCluster -Name second
    $getErrors = $null
    $null = Get-VoxCluster -Name second -ErrorVariable getErrors -ErrorAction SilentlyContinue
    $submitError = try { $null = Submit-VoxDag -Program 'print "w" 20 + 1' -Connection $second; 'no error' } catch { $_.FullyQualifiedErrorId }
    [ordered]@{ ViaSecond = $viaSecond; BothListed = $bothListed; IsConnected = $second.IsConnected; GetErrors = Errs $getErrors; SubmitError = $submitError; Left = @(Get-VoxCluster).Connection | Sort-Object -Unique }
}
Step removal {
    $c = Get-VoxCluster | Select-Object -First 1
    $connected = @(Get-Module VoxScheduler).Count
    Remove-Module VoxScheduler
    Import-Module $ModulePath
    $after = try { $null = Get-VoxCluster; 'no error' } catch { [ordered]@{ Id = $_.FullyQualifiedErrorId; Message = $_.Exception.Message } }
    [ordered]@{ HadSilo = [bool] $c; Loaded = $connected; After = $after }
}
$r | ConvertTo-Json -Depth 8 -Compress
