#requires -Version 7.6
# Submit-VoxDag in every parameter set, pipeline composition, DAG tools, operations and error ids.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'VoxModule.Helpers.ps1')
    Initialize-VoxTestSession
    $script:Store = Join-Path $TestDrive 'submit-store'
    Initialize-VoxTestStore $script:Store
    Initialize-VoxTestStore $env:VOXSCHEDULER_STORE
    $script:Hello = New-VoxTestProgram 'hello.imgql' 'print "greeting" "hello" + " world"
print "answer" 6 * 7'
}

Describe 'Submit-VoxDag parameter sets' {
    It 'runs program text with -Program -Wait and writes one complete result per goal' {
        $r = @(Submit-VoxDag -Program 'print "sum" 1 + 2
print "seq" [1, 2, 3]' -Store $script:Store -Wait)
        $r.Count | Should -Be 2
        $sum = $r | Where-Object Goal -eq 'sum'
        $sum.GetType().FullName | Should -Be 'VoxScheduler.Cmdlets.Output.VoxResult'
        $sum.Value | Should -BeOfType [double]
        $sum.Value | Should -Be 3
        $sum.Status | Should -BeIn 'Completed', 'Cached'
        $sum.Error | Should -Be ''
        $sum.NodeId | Should -Match '^[0-9a-f]{64}$'
        $sum.ExecutionId | Should -Not -BeNullOrEmpty
        $sum.Size | Should -BeGreaterThan 0
        $sum.Duration | Should -BeOfType [timespan]
        $seq = $r | Where-Object Goal -eq 'seq'
        , $seq.Value | Should -BeOfType [object[]]
        $seq.Value | Should -Be @(1, 2, 3)
        $seq.DataType | Should -Be 'Nested'
    }

    It 'runs a file with -Path (wildcards) and with -LiteralPath' {
        (Submit-VoxDag -Path (Join-Path $TestDrive 'hel*.imgql') -Store $script:Store -Wait | Where-Object Goal -eq 'answer').Value | Should -Be 42
        (Submit-VoxDag -LiteralPath $script:Hello -Store $script:Store -Wait | Where-Object Goal -eq 'greeting').Value | Should -Be 'hello world'
    }

    It 'resolves -Path against the PowerShell location' {
        Push-Location $TestDrive
        try {
            (Submit-VoxDag -Path ./hello.imgql -Store $script:Store -Wait | Where-Object Goal -eq 'answer').Value | Should -Be 42
        }
        finally { Pop-Location }
    }

    It 'returns the execution object at once without -Wait' {
        $e = Submit-VoxDag -Program 'print "x" 2 + 2' -Store $script:Store
        $e.GetType().FullName | Should -Be 'VoxScheduler.Cmdlets.Output.VoxExecution'
        $e.ExecutionId | Should -Not -BeNullOrEmpty
        $e.Source | Should -Be 'program text'
        $done = Wait-VoxExecution -InputObject $e -Timeout 30
        $done.Status | Should -Be 'Completed'
        (Get-VoxResult -InputObject $e).Value | Should -Be 4
    }

    It 'runs a DAG given as a hashtable, as JSON text and as a ConvertTo-VoxDag object' {
        $dag = @{ nodes = @(
                @{ node_id = 'a'; value = 20 }
                @{ node_id = 'b'; value = 22 }
                @{ node_id = 'total'; operation = 'default.add'; arguments = @('a', 'b') }
            ) }
        (Submit-VoxDag -Dag $dag -Store $script:Store -Wait).Value | Should -Be 42
        $json = '{ "dag_id": "json-dag", "nodes": [ {"node_id": "a", "value": 2}, {"node_id": "sq", "operation": "default.mul", "arguments": ["a", "a"]} ] }'
        $r = Submit-VoxDag -Dag $json -Store $script:Store -Wait
        $r.Goal | Should -Be 'sq'
        $r.Value | Should -Be 4
        $object = ConvertTo-VoxDag -Dag $dag
        (Submit-VoxDag -Dag $object -Store $script:Store -Wait).Value | Should -Be 42
    }

    It 'runs New-VoxNode objects from the pipeline as one DAG, and with -Node' {
        $nodes = @(
            New-VoxNode -Name x -Value 3
            New-VoxNode -Name y -Value 4
            New-VoxNode -Name x2 -Operation mul -Arguments x, x
            New-VoxNode -Name y2 -Operation default.mul -Arguments y, y
            New-VoxNode -Name h2 -Operation default.add -Arguments x2, y2
        )
        $r = $nodes | Submit-VoxDag -Store $script:Store -Wait
        $r.Goal | Should -Be 'h2'
        $r.Value | Should -Be 25
        $r2 = Submit-VoxDag -Node $nodes -Goal x2, h2 -Store $script:Store -Wait
        ($r2 | Sort-Object Goal).Goal | Should -Be @('h2', 'x2')
        ($r2 | Where-Object Goal -eq 'h2').Status | Should -Be 'Cached'
    }

    It 'takes FileInfo objects and path strings from the pipeline' {
        (Get-Item $script:Hello | Submit-VoxDag -Store $script:Store -Wait | Where-Object Goal -eq 'answer').Value | Should -Be 42
        ($script:Hello | Submit-VoxDag -Store $script:Store -Wait | Where-Object Goal -eq 'answer').Value | Should -Be 42
    }

    It 'composes: Get-ChildItem *.imgql | Submit-VoxDag -Wait | Where-Object Status -eq Completed' {
        $folder = Join-Path $TestDrive 'compose'
        $null = New-Item -ItemType Directory $folder
        Set-Content (Join-Path $folder 'one.imgql') 'print "one" 10 + 1'
        Set-Content (Join-Path $folder 'two.imgql') 'print "two" 20 + 2
print "broken" 1 / 0'
        Push-Location $folder
        try {
            $ok = Get-ChildItem *.imgql | Submit-VoxDag -Store (Join-Path $TestDrive 'compose-store') -Wait -ErrorVariable goalErrors -ErrorAction SilentlyContinue |
                Where-Object Status -eq Completed
        }
        finally { Pop-Location }
        ($ok.Goal | Sort-Object) | Should -Be @('one', 'two')
        ($ok | Sort-Object Goal).Value | Should -Be @(11, 22)
        @($goalErrors).Count | Should -Be 1
        $goalErrors[0].FullyQualifiedErrorId | Should -BeLike 'VoxGoalFailed,*' 
    }

    It 'ends promptly when a downstream Select-Object -First has what it needs' {
        $r = @(Submit-VoxDag -Program 'import "test"
print "first" 1 + 40
print "later" test.sleep(2, 100)
print "last" test.sleep(3, 200)' -Store (Join-Path $TestDrive 'first-store') -Wait | Select-Object -First 1)
        $r.Count | Should -Be 1
        $r[0].GetType().Name | Should -Be 'VoxResult'
    }

    It 'remembers where a live execution came from' {
        $e = Submit-VoxDag -Path $script:Hello -Store $script:Store -Name source-check
        (Get-VoxExecution -Live -Id source-check).Source | Should -Be $script:Hello
        $null = Wait-VoxExecution -InputObject $e -Timeout 30
    }

    It 'reports stored results as Cached on a second run' {
        $store = Join-Path $TestDrive 'cache-store'
        $first = Submit-VoxDag -Program 'print "c" (2 + 3) * 4' -Store $store -Wait
        $first.Status | Should -Be 'Completed'
        $second = Submit-VoxDag -Program 'print "c" (2 + 3) * 4' -Store $store -Wait
        $second.Status | Should -Be 'Cached'
        $second.Value | Should -Be 20
        $second.NodeId | Should -Be $first.NodeId
    }

    It 'names executions with -Name and honours -MaxConcurrency and -MaxRetries' {
        $e = Submit-VoxDag -Program 'print "n" 5 - 1' -Store $script:Store -Name submit-named -MaxConcurrency 1 -MaxRetries 0
        $e.Name | Should -Be 'submit-named'
        (Get-VoxResult -Id submit-named -Wait).Value | Should -Be 4
        { Submit-VoxDag -Program 'print "n" 1' -MaxConcurrency 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,VoxScheduler.Cmdlets.Commands.SubmitVoxDagCommand'
    }

    It 'returns results at or above -StreamingThreshold as a stream read from the store' {
        $null = New-PSDrive -Name vslarge -PSProvider VoxStore -Root (Join-Path $TestDrive 'large-store') -Create
        $r = Submit-VoxDag -Program 'import "test"
print "big" test.blob(11, 0.25)' -Store vslarge: -StreamingThreshold 64KB -NoCompression -CacheSize 1MB -NodeTimeout '00:01:00' -Wait
        $r.Status | Should -Be 'Completed'
        $r.DataType | Should -BeIn 'Binary', 'LargeObject'
        $r.Value | Should -BeOfType ([System.IO.Stream])
        $copy = [System.IO.MemoryStream]::new()
        $r.Value.CopyTo($copy)
        $r.Value.Dispose()
        $copy.Length | Should -Be (256 * 1024)
        $chunks = @(Get-Content "vslarge:\$($r.NodeId)")
        [System.Linq.Enumerable]::SequenceEqual([byte[]] ($chunks | ForEach-Object { $_ }), $copy.ToArray()) | Should -BeTrue
        # A size is a [long]: text that is not a number fails PowerShell's own binding, the same in every cmdlet.
        { Submit-VoxDag -Program 'print "x" 1' -CacheSize lots -ErrorAction Stop } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,*'
        { Clear-VoxStore -Store (Join-Path $TestDrive 'lots') -MaxSize lots -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,*'
    }

    It 'writes save goals relative to the PowerShell location' {
        $folder = Join-Path $TestDrive 'saves'
        $null = New-Item -ItemType Directory $folder
        Push-Location $folder
        try {
            $r = Submit-VoxDag -Program 'save "out/v.txt" 40 + 2' -Store $script:Store -Wait
        }
        finally { Pop-Location }
        $r.Status | Should -BeIn 'Completed', 'Cached'
        Get-Content -Raw (Join-Path $folder 'out/v.txt') | Should -Be '42'
    }
}

Describe 'Errors' {
    It 'writes one VoxProgramInvalid error per diagnostic, each with file:line:col' {
        $bad = New-VoxTestProgram 'bad.imgql' 'a = 1 +
print "a" a
b = (2 * 3'
        $out = Submit-VoxDag -Path $bad -Store $script:Store -Wait -ErrorVariable errs -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $errs.Count | Should -BeGreaterOrEqual 2
        $errs | ForEach-Object { $_.FullyQualifiedErrorId | Should -Be 'VoxProgramInvalid,VoxScheduler.Cmdlets.Commands.SubmitVoxDagCommand' }
        $errs[0].Exception.Line | Should -Be 2
        $errs[0].Exception.Column | Should -Be 1
        $errs[0].Exception.Message | Should -Match 'bad\.imgql:2:1'
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidData'
    }

    It 'goes on with the next input after a bad one (non-terminating)' {
        $bad = New-VoxTestProgram 'unbound.imgql' 'print "r" y'
        $r = $bad, $script:Hello | Submit-VoxDag -Store $script:Store -Wait -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'VoxProgramInvalid,*'
        ($r | Where-Object Goal -eq 'answer').Value | Should -Be 42
    }

    It 'reports a missing program file as VoxProgramNotFound' {
        Submit-VoxDag -Path (Join-Path $TestDrive 'nope.imgql') -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'VoxProgramNotFound,*'
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'reports every problem of a DAG at once as VoxDagInvalid' {
        $dag = @{ nodes = @(
                @{ node_id = 'a'; operation = 'default.add'; arguments = 'b', 'a2' }
                @{ node_id = 'b'; operation = 'default.neg'; arguments = @('a') }
                @{ node_id = 'c'; operation = 'nosuch.op'; arguments = @() }
                @{ node_id = 'd'; operation = 'default.add'; arguments = @('b') }
            ) }
        Submit-VoxDag -Dag $dag -Store $script:Store -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'VoxDagInvalid,*' }
        $codes = $errs.Exception.Code
        $codes | Should -Contain 'MissingDependency'
        $codes | Should -Contain 'UnknownOperation'
        $codes | Should -Contain 'WrongArity'
        $codes | Should -Contain 'Cycle'
        ($errs | Where-Object { $_.Exception.Code -eq 'Cycle' }).Exception.Message | Should -Match 'a -> b -> a|b -> a -> b'
    }

    It 'rejects -Wait with -AsJob as VoxParameterConflict' {
        { Submit-VoxDag -Program 'print "x" 1' -Wait -AsJob -ErrorAction Stop } | Should -Throw -ErrorId 'VoxParameterConflict,VoxScheduler.Cmdlets.Commands.SubmitVoxDagCommand'
    }

    It 'reports an unusable store as VoxStoreUnavailable' {
        $file = Join-Path $TestDrive 'not-a-folder'
        Set-Content $file 'x'
        { Submit-VoxDag -Program 'print "x" 1' -Store $file -ErrorAction Stop } | Should -Throw -ErrorId 'VoxStoreUnavailable,VoxScheduler.Cmdlets.Commands.SubmitVoxDagCommand'
        { Submit-VoxDag -Program 'print "x" 1' -Store 'Env:' -ErrorAction Stop } | Should -Throw -ErrorId 'VoxStoreUnavailable,VoxScheduler.Cmdlets.Commands.SubmitVoxDagCommand'
    }

    It 'reports an unknown execution as VoxExecutionNotFound' {
        Get-VoxResult -Id no-such-execution -Store $script:Store -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -Be 'VoxExecutionNotFound,VoxScheduler.Cmdlets.Commands.GetVoxResultCommand'
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $errs[0].TargetObject | Should -Be 'no-such-execution'
    }
}

Describe 'DAG tools' {
    BeforeAll {
        $script:Chain = @(
            New-VoxNode -Name x -Value 1
            New-VoxNode -Name y -Value 2
            New-VoxNode -Name a -Operation default.add -Arguments x, y
            New-VoxNode -Name b -Operation default.add -Arguments a, y
            New-VoxNode -Name c -Operation default.add -Arguments b, y
        )
    }

    It 'New-VoxNode makes constants and operations (unqualified operations mean default)' {
        $n = New-VoxNode -Name s -Operation add -Arguments p, q -Parameters @{ k = 1 }
        $n.Operation | Should -Be 'default.add'
        $n.Arguments | Should -Be @('p', 'q')
        $n.Parameters.k | Should -Be 1
        (New-VoxNode -Name k -Value @(1, 'a')).Value | Should -Be @(1, 'a')
        (New-VoxNode -Name k -Value 1).IsConstant | Should -BeTrue
    }

    It 'Measure-VoxDag reports nodes, edges, depth, critical path, widest level and the speed-up bound' {
        $m = $script:Chain | Measure-VoxDag -Workers 2
        $m.Nodes | Should -Be 5
        $m.Edges | Should -Be 6
        $m.Goals | Should -Be 1
        $m.Depth | Should -Be 4
        $m.CriticalPathLength | Should -Be 4
        $m.CriticalPath | Should -Be @('x', 'a', 'b', 'c')
        $m.WidestLevel | Should -Be 2
        $m.TheoreticalSpeedup | Should -Be 1.25
        ($script:Chain | Measure-VoxDag -Workers 1).TheoreticalSpeedup | Should -Be 1
    }

    It 'Measure-VoxDag measures a program' {
        $m = Measure-VoxDag -Program 'print "a" (1 + 2) * 2
print "b" 1 + 2'
        $m.Nodes | Should -Be 4
        $m.Goals | Should -Be 2
        $m.Depth | Should -Be 3
    }

    It 'ConvertTo-VoxDag gives the program''s content ids without running it' {
        $dag = ConvertTo-VoxDag -Program 'print "sum" 1 + 2'
        $dag.NodeCount | Should -Be 3
        $dag.Goals | Should -Be @('sum')
        $json = ConvertTo-VoxDag -Program 'print "sum" 1 + 2' -AsJson | ConvertFrom-Json
        # docs/language.md §5 test vector for 1 + 2 (default.add revision 2).
        ($json.nodes | Where-Object operation -eq 'default.add').id | Should -Be '29464fa6577c29610997e6e7bfe5247beff619608329ff6458de9baa2ef96025'
        $json.goals[0].name | Should -Be 'sum'
    }

    It 'ConvertTo-VoxDag -AsJson round-trips through Submit-VoxDag -Dag with the same content ids' {
        $json = $script:Chain | ConvertTo-VoxDag -AsJson
        $again = ConvertTo-VoxDag -Dag $json -AsJson | ConvertFrom-Json
        ($again.nodes.id | Sort-Object) | Should -Be (($json | ConvertFrom-Json).nodes.id | Sort-Object)
        (Submit-VoxDag -Dag $json -Store $script:Store -Wait).Value | Should -Be 7
    }

    It 'ConvertTo-VoxDag -AsJson keeps a program''s goal names and kinds, and -Dag reports bad JSON with its line' {
        $json = ConvertTo-VoxDag -Program 'print "sum" 1 + 2' -AsJson
        (ConvertTo-VoxDag -Dag $json).Goals | Should -Be @('sum')
        ($json | ConvertFrom-Json).goals[0].kind | Should -Be 'print'
        $r = Submit-VoxDag -Dag $json -Store $script:Store -Wait
        $r.Goal | Should -Be 'sum'
        $r.Value | Should -Be 3
        ConvertTo-VoxDag -Dag "{`n  `"nodes`": [ {`"node_id`": } ]`n}" -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'VoxDagInvalid,*'
        $errs[0].Exception.Code | Should -Be 'InvalidJson'
        $errs[0].Exception.Line | Should -Be 2
    }

    It 'ConvertTo-VoxDag and Measure-VoxDag take every input form' {
        (ConvertTo-VoxDag -Path (Join-Path $TestDrive 'hell?.imgql')).Goals | Should -Be @('greeting', 'answer')
        (ConvertTo-VoxDag -LiteralPath $script:Hello).Source | Should -Be $script:Hello
        (ConvertTo-VoxDag -Node $script:Chain).NodeCount | Should -Be 5
        (Get-Item $script:Hello | ConvertTo-VoxDag).NodeCount | Should -BeGreaterThan 0
        (Measure-VoxDag -Path $script:Hello).Goals | Should -Be 2
        (Measure-VoxDag -LiteralPath $script:Hello).Goals | Should -Be 2
        (Measure-VoxDag -Dag @{ nodes = @{ a = 1; b = @{ op = 'default.neg'; args = 'a' } } }).Depth | Should -Be 2
        (Measure-VoxDag -Node $script:Chain -Goal a).Goals | Should -Be 1
        (ConvertTo-VoxDag -Dag $script:Chain[0..2] -AsJson | ConvertFrom-Json).nodes.Count | Should -Be 3
    }

    It 'ConvertTo-VoxDag -AsDot writes a Graphviz digraph with one edge per argument' {
        $dot = $script:Chain | ConvertTo-VoxDag -AsDot
        $dot | Should -Match '^digraph '
        ([regex]::Matches($dot, '->')).Count | Should -Be 6
        { $script:Chain | ConvertTo-VoxDag -AsDot -AsJson } | Should -Throw -ErrorId 'VoxParameterConflict,*'
    }
}

Describe 'Operations' {
    It 'Get-VoxOperation lists the built-in namespaces' {
        (Get-VoxOperation -Name default.add).Arity | Should -Be '2'
        (Get-VoxOperation -Namespace strings).Count | Should -BeGreaterThan 3
        Get-VoxOperation -Name 'test.*' | Should -Not -BeNullOrEmpty
        Get-VoxOperation -Name no.such -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'VoxOperationNotFound,*'
    }

    It 'Register-VoxOperation runs a script block as an operation in programs and DAGs' {
        Register-VoxOperation -Name pester.square -ScriptBlock { param($x) $x * $x } -Description 'x squared'
        $info = Get-VoxOperation pester.square
        $info.IsScript | Should -BeTrue
        $info.Arity | Should -Be '1'
        (Submit-VoxDag -Program 'print "r" pester.square(7)' -Store $script:Store -Wait).Value | Should -Be 49
        $r = @(New-VoxNode v -Value 9; New-VoxNode sq pester.square v) | Submit-VoxDag -Store $script:Store -Wait
        $r.Value | Should -Be 81
    }

    It 'Register-VoxOperation reports a failing script as a failed goal' {
        Register-VoxOperation -Name pester.boom -ScriptBlock { param($x) throw "boom $x" }
        $r = Submit-VoxDag -Program 'print "b" pester.boom(1)' -Store $script:Store -Wait -ErrorVariable goalErrors -ErrorAction SilentlyContinue
        $r.Status | Should -Be 'Failed'
        $goalErrors[0].Exception.Message | Should -Match 'boom 1'
        $r.Error | Should -Match 'boom 1'
    }

    It 'Register-VoxOperation refuses taken names without -Force and built-ins always' {
        Register-VoxOperation -Name pester.dup -ScriptBlock { 1 }
        { Register-VoxOperation -Name pester.dup -ScriptBlock { 2 } -ErrorAction Stop } | Should -Throw -ErrorId 'VoxOperationExists,*'
        Register-VoxOperation -Name pester.dup -ScriptBlock { 2 } -Force -PassThru | Should -Not -BeNullOrEmpty
        { Register-VoxOperation -Name default.add -ScriptBlock { 0 } -Force -ErrorAction Stop } | Should -Throw -ErrorId 'VoxOperationInvalid,*'
        Register-VoxOperation -Name pester.whatif -ScriptBlock { 1 } -WhatIf
        Get-VoxOperation pester.whatif -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}
