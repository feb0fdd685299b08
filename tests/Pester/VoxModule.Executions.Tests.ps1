#requires -Version 7.6
# Following executions: progress, results, waiting, stopping, jobs, history, eviction, and two
# processes on one store.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'VoxModule.Helpers.ps1')
    Initialize-VoxTestSession
    $script:Store = Join-Path $TestDrive 'exec-store'
    # Made before any Describe (see Initialize-VoxTestStore): made in the first one, it was
    # deleted at its end, and the -Any test once saw its 20 s execution fail at once in CI.
    Initialize-VoxTestStore $script:Store
    # A program that runs long enough to be observed while running (test.sleep is cancellable).
    function Get-SlowProgram([int] $Milliseconds, [string] $Tag = 'slow') {
        # Random constants give fresh node ids, so nothing is served from an earlier run's results.
        "import `"test`"`nprint `"fast`" $(Get-Random -Maximum 1000000) + 1`nprint `"$Tag`" test.sleep($(Get-Random -Maximum 1000000), $Milliseconds)"
    }
}

Describe 'Get-VoxProgress' {
    It 'writes one snapshot, and with -Watch snapshots until the end (the last one final)' {
        $e = Submit-VoxDag -Program (Get-SlowProgram 600) -Store $script:Store
        $snap = Get-VoxProgress -Id $e.ExecutionId
        $snap.GetType().FullName | Should -Be 'VoxScheduler.Cmdlets.Output.VoxProgress'
        $snap.ExecutionId | Should -Be $e.ExecutionId
        $snap.Status | Should -BeIn 'Pending', 'Running', 'Completed'
        $all = @($e | Get-VoxProgress -Watch -Interval 0.1)
        $all.Count | Should -BeGreaterOrEqual 1
        $all[-1].Status | Should -Be 'Completed'
        $all[-1].Percent | Should -Be 100
        $all[-1].IsFinished | Should -BeTrue
        $all[-1].TotalNodes | Should -BeGreaterThan 0
        # Completed counts every node done, computed or cached (the specification's completed_nodes).
        $all[-1].CompletedNodes | Should -Be $all[-1].TotalNodes
        $all[-1].ComputedNodes + $all[-1].CachedNodes | Should -Be $all[-1].TotalNodes
    }

    It 'counts a run served from the store as completed, none computed, and shows what a computation allocated' {
        $program = "print ""t"" ""$('v' * 3000)"" + ""$(Get-Random)"""
        $first = Submit-VoxDag -Program $program -Store $script:Store -Wait
        $first.Status | Should -Be 'Completed'
        $first.AllocatedBytes | Should -BeGreaterOrEqual 6000
        $again = Submit-VoxDag -Program $program -Store $script:Store
        $null = Wait-VoxExecution $again
        $p = Get-VoxProgress $again
        $p.CompletedNodes | Should -Be $p.TotalNodes
        $p.ComputedNodes | Should -Be 0
        $p.CachedNodes | Should -Be $p.CompletedNodes
        $p.AllocatedBytes | Should -Be 0
        (Get-VoxResult $again).AllocatedBytes | Should -Be 0
    }
}

Describe 'Get-VoxResult' {
    BeforeAll {
        $script:Done = Submit-VoxDag -Program 'print "alpha" 1 + 1
print "beta" 2 * 3
print "gamma" "g" + "h"' -Store $script:Store -Name results-target
        $null = Wait-VoxExecution -Id $script:Done.ExecutionId -Timeout 30
    }

    It 'reads the goals by id, by name and from an execution object on the pipeline' {
        (Get-VoxResult -Id $script:Done.ExecutionId).Count | Should -Be 3
        (Get-VoxResult results-target).Count | Should -Be 3
        ($script:Done | Get-VoxResult).Count | Should -Be 3
    }

    It 'filters goals with -Goal wildcards' {
        (Get-VoxResult results-target -Goal 'b*').Goal | Should -Be 'beta'
    }

    It 'reads named nodes from the store with -Node, and every name with -All' {
        $beta = Get-VoxResult results-target -Node beta
        $beta.Value | Should -Be 6
        $nodes = @(New-VoxNode p -Value 5; New-VoxNode q -Operation default.mul -Arguments p, p; New-VoxNode r -Operation default.add -Arguments q, p)
        $e = $nodes | Submit-VoxDag -Store $script:Store
        $null = Wait-VoxExecution -InputObject $e -Timeout 30
        (Get-VoxResult -InputObject $e -Node q).Value | Should -Be 25
        $all = Get-VoxResult -InputObject $e -All
        ($all | Where-Object Goal -eq 'r').Value | Should -Be 30
        ($all | Where-Object Goal -eq 'q').Value | Should -Be 25
        Get-VoxResult -InputObject $e -Node nosuch -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'VoxResultNotFound,*'
    }

    It 'streams goals with -Wait while the execution runs' {
        $e = Submit-VoxDag -Program (Get-SlowProgram 500) -Store $script:Store
        $r = @(Get-VoxResult -Id $e.ExecutionId -Wait)
        ($r.Goal | Sort-Object) | Should -Be @('fast', 'slow')
        $r | ForEach-Object { $_.Status | Should -Be 'Completed' }
    }
}

Describe 'Progress while waiting' {
    It 'Submit-VoxDag -Wait writes progress once the wait passes the threshold, and ends with a Completed record' {
        $ps = [PowerShell]::Create()
        try {
            $null = $ps.AddScript(@"
Import-Module '$script:VoxModulePath'
`$ProgressPreference = 'Continue'
Submit-VoxDag -Program '$(Get-SlowProgram 1500)' -Store '$script:Store' -Wait
"@)
            $out = $ps.Invoke()
            $out.Count | Should -Be 2
            $progress = @($ps.Streams.Progress)
            $progress.Count | Should -BeGreaterThan 1
            $progress[0].Activity | Should -Match '^VoxScheduler: '
            $progress[0].StatusDescription | Should -Match 'of \d+ nodes'
            $progress[-1].RecordType | Should -Be 'Completed'
            ($progress | Select-Object -ExpandProperty ActivityId -Unique).Count | Should -Be 1
        }
        finally { $ps.Dispose() }
    }
}

Describe 'Wait-VoxExecution and Stop-VoxExecution' {
    It 'returns nothing when -Timeout expires and leaves the execution running; Stop-VoxExecution cancels it' {
        $e = Submit-VoxDag -Program (Get-SlowProgram 20000) -Store $script:Store
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $waited = Wait-VoxExecution -Id $e.ExecutionId -Timeout 1
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 10
        $waited | Should -BeNullOrEmpty
        $e.Status | Should -Be 'Running'

        Stop-VoxExecution -Id $e.ExecutionId -WhatIf
        $e.Status | Should -Be 'Running'

        Stop-VoxExecution -Id $e.ExecutionId -Confirm:$false -Wait
        $e.Status | Should -Be 'Cancelled'
        (Wait-VoxExecution -Id $e.ExecutionId -Timeout 5).Status | Should -Be 'Cancelled'
    }

    It 'Wait-VoxExecution -Any returns once one execution has ended' {
        $slow = Submit-VoxDag -Program (Get-SlowProgram 20000) -Store $script:Store
        $quick = Submit-VoxDag -Program 'print "q" 3 + 3' -Store $script:Store
        $ended = @($slow, $quick | Wait-VoxExecution -Any -Timeout 30)
        $ended.ExecutionId | Should -Contain $quick.ExecutionId
        $ended.ExecutionId | Should -Not -Contain $slow.ExecutionId -Because "the 20 s execution must still run (it is $($slow.Status): $($slow.Error))"
        $slow | Stop-VoxExecution -Confirm:$false -PassThru | Select-Object -ExpandProperty ExecutionId | Should -Be $slow.ExecutionId
    }

    It 'stops a waiting pipeline on Stop() within a bound and leaves the execution running to the end' {
        $name = "stop-wait-$(Get-Random)"
        $ps = [PowerShell]::Create()
        $null = $ps.AddScript(@"
Import-Module '$script:VoxModulePath'
Submit-VoxDag -Program '$((Get-SlowProgram 8000 'slow').Replace("'", "''"))' -Store '$script:Store' -Name $name -Wait
"@)
        $inputData = [System.Management.Automation.PSDataCollection[psobject]]::new()
        $inputData.Complete()
        $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
        $null = Register-ObjectEvent -InputObject $output -EventName DataAdded -SourceIdentifier $name
        try {
            $async = $ps.BeginInvoke($inputData, $output)
            $null = Wait-VoxTestEvent -SourceIdentifier $name -TimeoutSeconds 60   # the 'fast' goal arrived: -Wait is streaming
            $output[0].Goal | Should -Be 'fast'
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $stopped = $null
            try { $ps.EndInvoke($async) } catch { $stopped = $_.Exception.InnerException }
            $stopped | Should -BeOfType ([System.Management.Automation.PipelineStoppedException])
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 5   # a stop only signals; the 8 s node is still running
        }
        finally {
            Unregister-Event -SourceIdentifier $name -ErrorAction SilentlyContinue
            $ps.Dispose()
        }
        $execution = Get-VoxExecution -Id $name -Live
        $execution | Should -Not -BeNullOrEmpty
        $execution.Status | Should -Be 'Running'
        (Wait-VoxExecution -Id $name -Timeout 60).Status | Should -Be 'Completed'
        (Get-VoxResult -Id $name -Goal slow).Status | Should -Be 'Completed'
    }
}

Describe 'Jobs' {
    It 'Submit-VoxDag -AsJob works with Get-Job, Wait-Job, Receive-Job and Remove-Job' {
        $job = Submit-VoxDag -Program 'print "j1" 10 * 10
print "j2" "job"' -Store $script:Store -AsJob
        $job.GetType().FullName | Should -Be 'VoxScheduler.Cmdlets.Jobs.VoxExecutionJob'
        $job.PSJobTypeName | Should -Be 'VoxExecutionJob'
        (Get-Job -Id $job.Id).ExecutionId | Should -Be $job.ExecutionId
        $finished = Wait-Job -Job $job -Timeout 30
        $finished | Should -Not -BeNullOrEmpty
        $job.State | Should -Be 'Completed'
        ($job | Get-VoxResult | Where-Object Goal -eq 'j1').Value | Should -Be 100
        $results = Receive-Job -Job $job
        ($results | Where-Object Goal -eq 'j1').Value | Should -Be 100
        ($results | Where-Object Goal -eq 'j2').Value | Should -Be 'job'
        $job.HasMoreData | Should -BeFalse
        Remove-Job -Job $job
        Get-Job -Id $job.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'Stop-Job cancels the execution and the job ends Stopped' {
        $job = Submit-VoxDag -Program (Get-SlowProgram 30000) -Store $script:Store -AsJob
        # Stop once the execution is under way: the 'fast' goal has reached the job's output.
        $null = Register-ObjectEvent -InputObject $job.Output -EventName DataAdded -SourceIdentifier "job-$($job.Id)"
        try {
            if ($job.Output.Count -eq 0) { $null = Wait-VoxTestEvent -SourceIdentifier "job-$($job.Id)" -TimeoutSeconds 60 }
        }
        finally { Unregister-Event -SourceIdentifier "job-$($job.Id)" }
        Stop-Job -Job $job
        $null = Wait-Job -Job $job -Timeout 30
        $job.State | Should -Be 'Stopped'
        $job.Execution.Status | Should -Be 'Cancelled'
        Remove-Job -Job $job
    }

    It 'a job with a failing goal ends Failed and carries VoxGoalFailed errors' {
        $job = Submit-VoxDag -Program 'print "ok" 1 + 1
print "bad" 1 / 0' -Store $script:Store -AsJob
        $null = Wait-Job -Job $job -Timeout 30
        $job.State | Should -Be 'Failed'
        $results = Receive-Job -Job $job -ErrorVariable jobErrors -ErrorAction SilentlyContinue
        ($results | Where-Object Goal -eq 'ok').Value | Should -Be 2
        $jobErrors.FullyQualifiedErrorId | Should -Contain 'VoxGoalFailed'
        Remove-Job -Job $job
    }
}

Describe 'History and processes' {
    It 'Get-VoxExecution lists live executions and past ones recorded by another process' {
        $store = Join-Path $TestDrive 'history-store'
        $out = Invoke-VoxFreshPwsh @"
Import-Module '$script:VoxModulePath' -ErrorAction Stop
(Submit-VoxDag -Program 'print "h" 40 + 2' -Store '$store' -Name from-child -Wait).ExecutionId
"@
        $LASTEXITCODE | Should -Be 0
        $childId = @($out)[-1]
        $past = Get-VoxExecution -Store $store -Id $childId
        $past.IsLive | Should -BeFalse
        $past.Status | Should -Be 'Completed'
        $past.Name | Should -Be 'from-child'
        (Get-VoxExecution -Store $store -Id 'from-*').ExecutionId | Should -Be $childId
        $r = Get-VoxResult -Id $childId -Store $store
        $r.Goal | Should -Be 'h'
        $r.Value | Should -Be 42
        (Get-VoxProgress -Id $childId -Store $store).Status | Should -Be 'Completed'

        $live = Submit-VoxDag -Program 'print "l" 1' -Store $store -Name live-one
        (Get-VoxExecution -Live -Id live-one).IsLive | Should -BeTrue
        (Get-VoxExecution -Store $store -Status Completed).ExecutionId | Should -Contain $childId
    }

    It 'Get-VoxExecution shows the bytes a past execution allocated, as the process that ran it saw them' {
        $store = Join-Path $TestDrive 'allocated-store'
        # Computing a 3001-character text allocates at least its 6 KB of UTF-16.
        $out = Invoke-VoxFreshPwsh @"
Import-Module '$script:VoxModulePath' -ErrorAction Stop
`$id = (Submit-VoxDag -Program 'print "t" "$('a' * 3000)" + "w"' -Store '$store' -Wait).ExecutionId
`$id
(Get-VoxExecution -Id `$id).AllocatedBytes
"@
        $LASTEXITCODE | Should -Be 0
        $childId, $liveBytes = @($out)[-2, -1]
        [long] $liveBytes | Should -BeGreaterOrEqual 6000
        $past = Get-VoxExecution -Store $store -Id $childId
        $past.IsLive | Should -BeFalse
        $past.AllocatedBytes | Should -Be ([long] $liveBytes)
    }

    It 'Get-VoxExecution -Store lists only that store''s executions, live ones included' {
        $one = Join-Path $TestDrive 'store-one'
        $two = Join-Path $TestDrive 'store-two'
        $a = Submit-VoxDag -Program "print `"a`" $(Get-Random -Maximum 1000000) + 1" -Store $one -Wait
        $b = Submit-VoxDag -Program "print `"b`" $(Get-Random -Maximum 1000000) + 2" -Store $two -Wait
        $listed = @(Get-VoxExecution -Store $one).ExecutionId
        $listed | Should -Contain $a.ExecutionId
        $listed | Should -Not -Contain $b.ExecutionId
        @(Get-VoxExecution -Store $two).ExecutionId | Should -Be @($b.ExecutionId)
        # Without -Store: every execution of this process.
        $all = @(Get-VoxExecution -Live).ExecutionId
        $all | Should -Contain $a.ExecutionId
        $all | Should -Contain $b.ExecutionId
    }

    It 'lists an execution whose process was killed as Interrupted, and stopping it is a no-op' {
        $store = Join-Path $TestDrive 'killed-store'
        # The child records a running execution and dies without ending it.
        $out = Invoke-VoxFreshPwsh @"
Import-Module '$script:VoxModulePath' -ErrorAction Stop
`$e = Submit-VoxDag -Program '$(Get-SlowProgram 60000)' -Store '$store'
# The first goal has run, so the execution's 'Running' record (written before any node) is in the store.
`$null = Get-VoxResult -InputObject `$e -Wait | Select-Object -First 1
`$e.ExecutionId
Stop-Process -Id `$PID -Force
"@
        $id = @($out)[-1]
        $past = Get-VoxExecution -Store $store -Id $id
        $past.Status | Should -Be 'Interrupted'
        $past.IsFinished | Should -BeTrue
        $past.Error | Should -BeLike '*ended before it finished*'
        # Its goals that never ran were interrupted, not failed (#13), and are no error.
        $goals = @(Get-VoxResult -Id $id -Store $store -ErrorVariable goalErrors -ErrorAction SilentlyContinue)
        ($goals | Where-Object Goal -eq 'slow').Status | Should -Be 'Interrupted'
        ($goals | Where-Object Goal -eq 'slow').Error | Should -BeLike '*interrupted*'
        ($goals | Where-Object Goal -eq 'fast').Status | Should -BeIn 'Completed', 'Cached'
        $goalErrors | Should -BeNullOrEmpty
        (Get-VoxExecution -Store $store -Status Interrupted).ExecutionId | Should -Contain $id
        $stopped = Stop-VoxExecution -Id $id -Store $store -Confirm:$false -PassThru -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs | Should -BeNullOrEmpty
        $stopped.Status | Should -Be 'Interrupted'
    }

    It 'refuses to stop an execution running in another live process (VoxExecutionNotLocal)' {
        $store = Join-Path $TestDrive 'other-process-store'
        $handoff = Join-Path $TestDrive 'other-process.txt'
        # A script file: the program's quotes and newlines would not survive a command line.
        $childScript = Join-Path $TestDrive 'other-process.ps1'
        Set-Content -LiteralPath $childScript -Value @"
Import-Module '$script:VoxModulePath' -ErrorAction Stop
`$e = Submit-VoxDag -Program '$(Get-SlowProgram 60000)' -Store '$store'
`$null = Get-VoxResult -InputObject `$e -Wait | Select-Object -First 1
Set-Content -LiteralPath '$handoff.tmp' -Value "`$PID`n`$(`$e.ExecutionId)"
Move-Item -LiteralPath '$handoff.tmp' -Destination '$handoff'
Wait-VoxExecution -InputObject `$e -Timeout 120 | Out-Null
"@
        $child = Start-VoxFreshPwsh -Command "& '$childScript'"
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (-not (Test-Path -LiteralPath $handoff) -and [DateTime]::UtcNow -lt $deadline -and -not $child.HasExited) { Start-Sleep -Milliseconds 100 }
            Test-Path -LiteralPath $handoff | Should -BeTrue -Because 'the child pwsh should have started its execution'
            $childPid, $id = Get-Content -LiteralPath $handoff
            $other = Get-VoxExecution -Store $store -Id $id
            $other.Status | Should -Be 'Running'
            $other.IsLive | Should -BeFalse
            Stop-VoxExecution -Id $id -Store $store -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue
            $errs[0].FullyQualifiedErrorId | Should -Be 'VoxExecutionNotLocal,VoxScheduler.Cmdlets.Commands.StopVoxExecutionCommand'
        }
        finally {
            if ($childPid) { Stop-Process -Id $childPid -Force -ErrorAction SilentlyContinue }
            Stop-Process -Id $child.Id -Force -ErrorAction SilentlyContinue
        }
    }

    It 'lets two pwsh processes run on one store at the same time, and a third finds their results cached' {
        $store = Join-Path $TestDrive 'shared-store'
        $program = New-VoxTestProgram 'shared.imgql' (@(1..30 | ForEach-Object { "print `"g$_`" ($_ + 1) * $_" }) -join "`n")
        $procs = foreach ($i in 1, 2) {
            $command = "Import-Module '$script:VoxModulePath' -ErrorAction Stop; Submit-VoxDag -Path '$program' -Store '$store' -Wait | Where-Object Status -in 'Completed','Cached' | Measure-Object | ForEach-Object Count"
            Start-VoxFreshPwsh -Command $command -StandardOutput (Join-Path $TestDrive "p$i.out") -StandardError (Join-Path $TestDrive "p$i.err")
        }
        foreach ($p in $procs) {
            $p.WaitForExit(120000) | Should -BeTrue
            $p.ExitCode | Should -Be 0
        }
        foreach ($i in 1, 2) {
            (Get-Content (Join-Path $TestDrive "p$i.out") | Select-Object -Last 1).Trim() | Should -Be '30'
            Get-Content -Raw (Join-Path $TestDrive "p$i.err") | Should -BeNullOrEmpty
        }
        $third = Submit-VoxDag -Path $program -Store $store -Wait
        $third.Count | Should -Be 30
        $third | ForEach-Object { $_.Status | Should -Be 'Cached' }
        ($third | Where-Object Goal -eq 'g30').Value | Should -Be 930
    }
}

Describe 'Clear-VoxStore' {
    It 'evicts by age (with ShouldProcess) and by size' {
        $store = Join-Path $TestDrive 'evict-store'
        $null = Submit-VoxDag -Program 'print "e1" 1 + 2
print "e2" [1, 2] * 3' -Store $store -Wait
        Clear-VoxStore -Store $store -OlderThan ([timespan]::Zero) -WhatIf | Should -BeNullOrEmpty
        (Submit-VoxDag -Program 'print "e1" 1 + 2' -Store $store -Wait).Status | Should -Be 'Cached'
        $report = Clear-VoxStore -Store $store -OlderThan ([timespan]::Zero) -Confirm:$false
        $report.RemovedResults | Should -BeGreaterThan 0
        $report.RemainingResults | Should -Be 0
        (Submit-VoxDag -Program 'print "e1" 1 + 2' -Store $store -Wait).Status | Should -Be 'Completed'
        (Clear-VoxStore -Store $store -MaxSize 0 -Confirm:$false).RemainingBytes | Should -Be 0
        { Clear-VoxStore -Store $store -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'VoxParameterConflict,*'
    }
}
