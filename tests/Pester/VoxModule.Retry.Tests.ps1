#requires -Version 7.6
# The retry policy's parameters on Submit-VoxDag (#14 item 15): -MaxRetries, -RetryDelay,
# -RetryBackoffFactor, -MaxRetryDelay and -RetryOn reach the execution, and a setting not given
# keeps the engine's default. test.flaky(x, n, key) fails its first n calls per key.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'VoxModule.Helpers.ps1')
    Initialize-VoxTestSession
    function Get-FlakyProgram([int] $Failures) {
        "import ""test""`nprint ""f"" test.flaky(7, $Failures, ""$([guid]::NewGuid().ToString('n'))"")"
    }
}

Describe 'Submit-VoxDag retry policy' {
    It 'tries a node -MaxRetries more times, -RetryDelay apart' {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $r = Submit-VoxDag -Program (Get-FlakyProgram 3) -Store (Join-Path $TestDrive 'r1') -MaxRetries 3 -RetryDelay 0.3 -RetryBackoffFactor 1 -MaxRetryDelay 0.3 -Wait
        $r.Status | Should -Be 'Completed'
        $r.Value | Should -Be 7
        # Three retries 0.3 s apart cannot end sooner (the default policy would wait 1 + 2 + 4 s).
        $clock.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 0.9
        $r = Submit-VoxDag -Program (Get-FlakyProgram 3) -Store (Join-Path $TestDrive 'r1') -MaxRetries 2 -RetryDelay 0 -Wait -ErrorAction SilentlyContinue
        $r.Status | Should -Be 'Failed'
    }

    It 'retries only the kinds -RetryOn names' {
        $program = Get-FlakyProgram 1
        $r = Submit-VoxDag -Program $program -Store (Join-Path $TestDrive 'r2') -MaxRetries 5 -RetryDelay 0 -RetryOn Timeout, Storage -Wait -ErrorAction SilentlyContinue
        $r.Status | Should -Be 'Failed'
        # flaky failed once only: the node was tried once, not retried (a retry would have succeeded).
        $r = Submit-VoxDag -Program $program -Store (Join-Path $TestDrive 'r2') -MaxRetries 0 -Wait
        $r.Status | Should -Be 'Completed'
        $r = Submit-VoxDag -Program (Get-FlakyProgram 1) -Store (Join-Path $TestDrive 'r2') -MaxRetries 5 -RetryDelay 0 -RetryOn Operation -Wait
        $r.Status | Should -Be 'Completed'
    }

    It 'refuses a cap below the first delay with VoxConfigInvalid' {
        { Submit-VoxDag -Program 'print "x" 1' -RetryDelay 10 -MaxRetryDelay 5 -ErrorAction Stop } |
            Should -Throw -ErrorId 'VoxConfigInvalid,*' -ExpectedMessage '*at least retry_base_delay_seconds*'
        { Submit-VoxDag -Program 'print "x" 1' -RetryBackoffFactor 0.5 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
        { Submit-VoxDag -Program 'print "x" 1' -RetryOn Sometimes } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
    }

    It 'shows the defaults in help and takes the delays as TimeSpan' {
        (Get-Help Submit-VoxDag -Parameter RetryDelay).defaultValue | Should -Be '1 second'
        (Get-Help Submit-VoxDag -Parameter RetryBackoffFactor).defaultValue | Should -Be '2'
        (Get-Help Submit-VoxDag -Parameter MaxRetryDelay).defaultValue | Should -Be '60 seconds'
        (Get-Help Submit-VoxDag -Parameter RetryOn).defaultValue | Should -Be 'all three'
        (Get-Command Submit-VoxDag).Parameters['RetryDelay'].ParameterType | Should -Be ([timespan])
        (Get-Command Submit-VoxDag).Parameters['MaxRetryDelay'].ParameterType | Should -Be ([timespan])
    }
}
