#requires -Version 7.6
# One rule for durations and sizes (#13 defect 6): a bare number is seconds, text may carry a
# unit or be a TimeSpan; sizes are [long] taking PowerShell's 512MB literals; a setting not given
# keeps the engine's default.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'VoxModule.Helpers.ps1')
    Initialize-VoxTestSession
    function New-StoreWithResult([string] $Name) {
        $store = Join-Path $TestDrive $Name
        $r = Submit-VoxDag -Program "print ""v"" $([Math]::Abs($Name.GetHashCode()) % 1000) + 0.5" -Store $store -Wait
        return [pscustomobject]@{ Store = $store; Result = $r }
    }
}

Describe 'Durations' {
    It 'read a bare number as seconds: Clear-VoxStore -OlderThan 30 keeps a result used just now' {
        $s = New-StoreWithResult 'older-than-30'
        $report = Clear-VoxStore -Store $s.Store -OlderThan 30 -Confirm:$false
        $report.RemovedResults | Should -Be 0
        (Get-VoxResult -Id $s.Result.ExecutionId -Store $s.Store).Value | Should -Be $s.Result.Value
        $report = Clear-VoxStore -Store $s.Store -OlderThan 0 -Confirm:$false
        $report.RemovedResults | Should -BeGreaterThan 0
    }

    It 'give -NodeTimeout in seconds, so -NodeTimeout 30 lets a 200 ms node finish' {
        $r = Submit-VoxDag -Program 'import "test"
print "slow" test.sleep(1, 200)' -NodeTimeout 30 -Wait
        $r.Status | Should -Be 'Completed'
        $r = Submit-VoxDag -Program 'import "test"
print "slow" test.sleep(2, 3000)' -NodeTimeout 0.2 -MaxRetries 0 -Wait -ErrorAction SilentlyContinue
        $r.Status | Should -Be 'Failed'
    }

    It 'accept <Text> as <Seconds> seconds' -ForEach @(
        @{ Text = 30; Seconds = 30 }, @{ Text = 0.5; Seconds = 0.5 }, @{ Text = '45'; Seconds = 45 },
        @{ Text = '500ms'; Seconds = 0.5 }, @{ Text = '30s'; Seconds = 30 }, @{ Text = '5m'; Seconds = 300 },
        @{ Text = '2h'; Seconds = 7200 }, @{ Text = '7d'; Seconds = 604800 }, @{ Text = '00:05:00'; Seconds = 300 },
        @{ Text = [timespan]::FromMinutes(3); Seconds = 180 }
    ) {
        $attribute = [VoxScheduler.Cmdlets.Commands.VoxTimeSpanAttribute]::new()
        $attribute.Transform($ExecutionContext, $Text).TotalSeconds | Should -Be $Seconds
    }

    It 'refuse <Text> with a message naming the accepted forms' -ForEach @(@{ Text = 'soon' }, @{ Text = '-5' }, @{ Text = '5 fortnights' }) {
        { Clear-VoxStore -Store (Join-Path $TestDrive 'refuse') -OlderThan $Text -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*seconds*unit*TimeSpan*'
    }

    It 'are TimeSpan parameters, shown as TimeSpan in help' -ForEach @(
        @{ Command = 'Clear-VoxStore'; Parameter = 'OlderThan' }, @{ Command = 'Submit-VoxDag'; Parameter = 'NodeTimeout' },
        @{ Command = 'Wait-VoxExecution'; Parameter = 'Timeout' }, @{ Command = 'Get-VoxProgress'; Parameter = 'Interval' }
    ) {
        (Get-Command $Command).Parameters[$Parameter].ParameterType | Should -Be ([timespan])
        (Get-Help $Command -Parameter $Parameter).type.name | Should -Be 'System.TimeSpan'
    }

    It 'bound Wait-VoxExecution -Timeout in seconds and wait for ever without it' {
        $e = Submit-VoxDag -Program 'import "test"
print "slow" test.sleep(3, 20000)'
        try {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            Wait-VoxExecution -InputObject $e -Timeout '1s' | Should -BeNullOrEmpty
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 15
        }
        finally { Stop-VoxExecution -InputObject $e -Wait -Confirm:$false }
        (Wait-VoxExecution -InputObject $e).Status | Should -Be 'Cancelled'
    }
}

Describe 'Sizes' {
    It 'are [long] parameters that take 512MB literals' -ForEach @(
        @{ Command = 'Submit-VoxDag'; Parameter = 'CacheSize' }, @{ Command = 'Submit-VoxDag'; Parameter = 'StreamingThreshold' },
        @{ Command = 'Clear-VoxStore'; Parameter = 'MaxSize' }
    ) {
        (Get-Command $Command).Parameters[$Parameter].ParameterType | Should -Be ([long])
    }

    It 'apply -StreamingThreshold 64KB: a 256 KiB result comes back as a stream, and as bytes without it' {
        $program = 'import "test"
print "b" test.blob(11, 0.25)'
        $streamed = Submit-VoxDag -Program $program -StreamingThreshold 64KB -Store (Join-Path $TestDrive 'threshold-small') -Wait
        $streamed.Value | Should -BeOfType [System.IO.Stream]
        $inline = Submit-VoxDag -Program $program -CacheSize 512MB -Store (Join-Path $TestDrive 'threshold-default') -Wait
        , $inline.Value | Should -BeOfType [byte[]]
    }

    It 'apply Clear-VoxStore -MaxSize 0 as bytes: everything goes' {
        $s = New-StoreWithResult 'max-size-zero'
        (Clear-VoxStore -Store $s.Store -MaxSize 0 -Confirm:$false).RemovedResults | Should -BeGreaterThan 0
    }

    It 'reject a negative size with PowerShell''s own validation error' {
        { Submit-VoxDag -Program 'print "x" 1' -CacheSize -1 -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }
}

Describe 'Worker cap (Submit-VoxDag -MaxWorkers)' {
    AfterAll {
        # The cap is process-wide: give the other tests back the engine's default.
        $null = Submit-VoxDag -Program 'print "reset" 1 + 1' -Store (Join-Path $TestDrive 'cap-reset') -Wait `
            -MaxWorkers ([Math]::Max(4, 2 * [Environment]::ProcessorCount))
    }

    It 'sets the process cap, and -MaxConcurrency above it warns naming both' {
        $store = Join-Path $TestDrive 'cap'
        $r = Submit-VoxDag -Program 'import "test"
print "a" test.sleep(11, 50)
print "b" test.sleep(12, 50)' -Store $store -MaxWorkers 2 -MaxConcurrency 16 -Wait -WarningVariable w -WarningAction SilentlyContinue
        $r.Status | Should -Be @('Completed', 'Completed')
        $w | Should -HaveCount 1
        "$w" | Should -BeLike '*max_concurrent_nodes 16*worker cap of 2*Submit-VoxDag -MaxWorkers*'

        # The cap stays set for later calls; within it nothing is said.
        $null = Submit-VoxDag -Program 'print "c" 3 + 4' -Store $store -MaxConcurrency 3 -Wait -WarningVariable w2 -WarningAction SilentlyContinue
        "$w2" | Should -BeLike '*max_concurrent_nodes 3*worker cap of 2*'
        $null = Submit-VoxDag -Program 'print "d" 5 + 4' -Store $store -MaxConcurrency 2 -Wait -WarningVariable w3 -WarningAction SilentlyContinue
        $w3 | Should -HaveCount 0
    }

    It 'refuses a cap below 1' {
        { Submit-VoxDag -Program 'print "e" 1' -MaxWorkers 0 -ErrorAction Stop } | Should -Throw -ExpectedMessage '*MaxWorkers*'
    }
}

Describe 'Memory budget (Submit-VoxDag -MemoryBudget)' {
    BeforeAll {
        # A dataset of 8 cases: each loads 1 MiB (new work), transforms it, and reduces it to a number.
        Register-VoxOperation -Name mem.case -ScriptBlock { param($seed) $b = [byte[]]::new(1MB); ([Random]::new([int]$seed)).NextBytes($b); , $b } -Force
        Register-VoxOperation -Name mem.step -ScriptBlock { param($a) $r = [byte[]]::new($a.Length); [Array]::Copy($a, $r, $a.Length); $r[0] = 7; , $r } -Force
        Register-VoxOperation -Name mem.sum -ScriptBlock { param($a) [double]($a[0] + 256 * $a[1] + 65536 * $a[$a.Length - 1]) } -Force
        $script:Dataset = (1..8 | ForEach-Object { "print ""c$_"" mem.sum(mem.step(mem.case($_)))" }) -join "`n"
        function Invoke-Dataset([string] $Store, [hashtable] $Extra) {
            $e = Submit-VoxDag -Program $script:Dataset -Store (Join-Path $TestDrive $Store) -MaxConcurrency 4 @Extra
            $null = $e | Wait-VoxExecution
            [pscustomobject]@{ Progress = Get-VoxProgress -Id $e.ExecutionId; Results = Get-VoxResult -Id $e.ExecutionId }
        }
    }

    It 'is a [long] parameter recorded in the progress, with live bytes measured' {
        (Get-Command Submit-VoxDag).Parameters['MemoryBudget'].ParameterType | Should -Be ([long])
        $one = Submit-VoxDag -Program 'print "c1" mem.sum(mem.step(mem.case(1)))' -Store (Join-Path $TestDrive 'mem-one') -Wait
        $oneCase = (Get-VoxProgress -Id $one.ExecutionId).PeakLiveBytes
        $oneCase | Should -BeGreaterThan 1MB

        $free = Invoke-Dataset 'mem-free' @{}
        $bounded = Invoke-Dataset 'mem-bounded' @{ MemoryBudget = 2MB }

        $bounded.Progress.MemoryBudget | Should -Be 2MB
        $free.Progress.MemoryBudget | Should -Be 0
        $bounded.Progress.PeakLiveBytes | Should -BeLessOrEqual (2MB + $oneCase)
        # The budget must be what kept the peak down: the same dataset without it holds more.
        $free.Progress.PeakLiveBytes | Should -BeGreaterThan (2MB + $oneCase)
        $bounded.Progress.LiveBytes | Should -Be 0
        ($bounded.Results | ForEach-Object { "$($_.Goal)=$($_.Value)" }) | Should -Be ($free.Results | ForEach-Object { "$($_.Goal)=$($_.Value)" })
    }

    It 'refuses a negative budget' {
        { Submit-VoxDag -Program 'print "x" 1' -MemoryBudget -1 -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }
}
