#requires -Version 7.6
# Lifecycle cmdlets (Unregister-VoxOperation) and the completers of -Goal, -Node and -Namespace.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'VoxModule.Helpers.ps1')
    Initialize-VoxTestSession

    function Get-VoxCompletion([string] $Line) {
        (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText
    }
}

Describe 'Unregister-VoxOperation' {
    It 'removes a script operation: programs stop finding it, and it can be registered again' {
        Register-VoxOperation -Name life.twice -ScriptBlock { param($x) 2 * $x }
        (Submit-VoxDag -Program 'print "t" life.twice(4)' -Store (Join-Path $TestDrive 'unreg') -Wait).Value | Should -Be 8
        Unregister-VoxOperation life.twice
        Get-VoxOperation life.twice -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Submit-VoxDag -Program 'print "t" life.twice(4)' -Store (Join-Path $TestDrive 'unreg') -ErrorVariable err -ErrorAction SilentlyContinue
        ($err | Select-Object -First 1).Exception.Message | Should -Match 'life\.twice'
        Register-VoxOperation -Name life.twice -ScriptBlock { param($x) 3 * $x }   # no -Force needed: the name is free
        (Submit-VoxDag -Program 'print "t" life.twice(4)' -Store (Join-Path $TestDrive 'unreg') -Wait).Value | Should -Be 12
    }

    It 'takes operation objects from Get-VoxOperation and wildcards, and never the built-ins a wildcard matches' {
        Register-VoxOperation -Name wild.one -ScriptBlock { 1 }
        Register-VoxOperation -Name wild.two -ScriptBlock { 2 }
        Get-VoxOperation 'wild.o*' | Unregister-VoxOperation
        (Get-VoxOperation -Namespace wild).Name | Should -Be 'wild.two'
        Unregister-VoxOperation 'wild.*'
        Get-VoxOperation -Namespace wild | Should -BeNullOrEmpty
        $before = @(Get-VoxOperation -Namespace default).Count
        Unregister-VoxOperation 'default.*' -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -BeNullOrEmpty
        @(Get-VoxOperation -Namespace default).Count | Should -Be $before
    }

    It 'refuses a built-in with VoxOperationInvalid and an unknown name with VoxOperationNotFound' {
        Unregister-VoxOperation default.add -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'VoxOperationInvalid,*'
        Get-VoxOperation default.add | Should -Not -BeNullOrEmpty
        Unregister-VoxOperation nope.nothing -ErrorVariable err2 -ErrorAction SilentlyContinue
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'VoxOperationNotFound,*'
    }

    It 'honours -WhatIf' {
        Register-VoxOperation -Name keep.me -ScriptBlock { 1 }
        Unregister-VoxOperation keep.me -WhatIf
        Get-VoxOperation keep.me | Should -Not -BeNullOrEmpty
    }
}

Describe 'Argument completers' {
    BeforeAll {
        $program = @'
base = 10
let scaled = base * 2
print "alpha score" scaled + 1
print "beta" scaled - 1
'@
        $script:completionExecution = Submit-VoxDag -Program $program -Store (Join-Path $TestDrive 'completers') -Name completion-goals |
            Wait-VoxExecution -Timeout 60
        $other = New-VoxNode zeta-node -Value 5
        $script:nodesExecution = $other | Submit-VoxDag -Store (Join-Path $TestDrive 'completers') -Name completion-nodes | Wait-VoxExecution -Timeout 60
    }

    It 'completes -Goal with the goals of the execution on the command line (quoted when needed)' {
        $r = Get-VoxCompletion 'Get-VoxResult -Id completion-goals -Goal '
        $r | Should -Contain "'alpha score'"
        $r | Should -Contain 'beta'
        $r | Should -Not -Contain 'zeta-node'
        Get-VoxCompletion 'Get-VoxResult completion-goals -Goal be' | Should -Be 'beta'
    }

    It 'completes -Node with node names and goal labels' {
        $r = Get-VoxCompletion 'Get-VoxResult -Id completion-nodes -Node '
        $r | Should -Contain 'zeta-node'
        $r = Get-VoxCompletion 'Get-VoxResult -Id completion-goals -Node '
        $r | Should -Contain 'beta'
        $r | Should -Not -Contain 'zeta-node'
    }

    It 'completes -Namespace with the namespaces of the registered operations' {
        Register-VoxOperation -Name completens.op -ScriptBlock { 1 } -Force
        $r = Get-VoxCompletion 'Get-VoxOperation -Namespace '
        $r | Should -Contain 'default'
        $r | Should -Contain 'strings'
        $r | Should -Contain 'completens'
        Get-VoxCompletion 'Get-VoxOperation -Namespace str' | Should -Be 'strings'
    }

    It 'completes Unregister-VoxOperation names' {
        Register-VoxOperation -Name completens.other -ScriptBlock { 2 } -Force
        Get-VoxCompletion 'Unregister-VoxOperation completens.ot' | Should -Be 'completens.other'
    }
}

Describe 'Remove-VoxExecution' {
    It 'removes a finished execution from the store history and from this process, keeping its results' {
        $store = Join-Path $TestDrive 'remove-history'
        $e = Submit-VoxDag -Program 'print "kept" 40 + 2' -Store $store -Name to-remove | Wait-VoxExecution -Timeout 60
        Get-VoxExecution -Id to-remove -Store $store | Should -Not -BeNullOrEmpty
        Remove-VoxExecution -Id to-remove -Store $store -Confirm:$false
        Get-VoxExecution -Id to-remove -Store $store | Should -BeNullOrEmpty
        Get-VoxExecution -Id $e.ExecutionId -Store $store | Should -BeNullOrEmpty
        # The result is content-addressed and stays: a rerun finds it.
        (Submit-VoxDag -Program 'print "kept" 40 + 2' -Store $store -Wait).Status | Should -Be 'Cached'
    }

    It 'removes past executions of another process read from history, piped from Get-VoxExecution' {
        $store = Join-Path $TestDrive 'remove-past'
        $out = Invoke-VoxFreshPwsh @"
`$ErrorActionPreference = 'Stop'
Import-Module '$script:VoxModulePath'
`$null = Submit-VoxDag -Program 'print "a" 1 + 1' -Store '$store' -Name past-one -Wait
`$null = Submit-VoxDag -Program 'print "b" 2 + 2' -Store '$store' -Name past-two -Wait
'done'
"@
        $out | Should -Contain 'done'
        @(Get-VoxExecution -Store $store | Where-Object Name -like 'past-*').Count | Should -Be 2
        Get-VoxExecution -Store $store | Where-Object Name -eq 'past-one' | Remove-VoxExecution -Confirm:$false
        (Get-VoxExecution -Store $store | Where-Object Name -like 'past-*').Name | Should -Be 'past-two'
    }

    It 'honours -WhatIf and refuses a running execution with VoxExecutionRunning' {
        $store = Join-Path $TestDrive 'remove-running'
        $e = Submit-VoxDag -Program 'print "w" 1 + 1' -Store $store -Name whatif-target | Wait-VoxExecution -Timeout 60
        Remove-VoxExecution -Id whatif-target -Store $store -WhatIf
        Get-VoxExecution -Id whatif-target -Store $store | Should -Not -BeNullOrEmpty

        Register-VoxOperation -Name life.block -ScriptBlock { param($x) Start-Sleep -Seconds 30; $x } -Purity NonDeterministic -Force
        $running = Submit-VoxDag -Program 'print "slow" life.block(1)' -Store $store -Name still-running
        try {
            Remove-VoxExecution -Id still-running -Store $store -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'VoxExecutionRunning,*'
            $err[0].Exception.Message | Should -Match 'Stop-VoxExecution'
            Get-VoxExecution -Id still-running -Live | Should -Not -BeNullOrEmpty
        }
        finally {
            Stop-VoxExecution -Id $running.ExecutionId -Confirm:$false
            $null = Wait-VoxExecution -Id $running.ExecutionId -Timeout 60
        }
        Remove-VoxExecution -Id still-running -Store $store -Confirm:$false
        Get-VoxExecution -Id still-running -Store $store | Should -BeNullOrEmpty
    }

    It 'reports an unknown execution with VoxExecutionNotFound' {
        Remove-VoxExecution -Id no-such-run -Store (Join-Path $TestDrive 'remove-none') -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'VoxExecutionNotFound,*'
    }
}
