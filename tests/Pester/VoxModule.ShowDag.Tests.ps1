#requires -Version 7.6
# Show-VoxDag: Mermaid and DOT text of a DAG or of an execution, parsed back to check nodes,
# edges, labels (escaping) and per-node states.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'VoxModule.Helpers.ps1')
    Initialize-VoxTestSession

    function ConvertFrom-MermaidEntity([string] $Text) {
        # Mermaid's own decoding of a quoted label: #name; / #code; entities, <br> line breaks.
        $Text = $Text -replace '<br>', "`n"
        $Text = [regex]::Replace($Text, '#(\d+);', { param($m) [string][char][int]$m.Groups[1].Value })
        $Text = $Text.Replace('#quot;', '"').Replace('#lt;', '<').Replace('#gt;', '>').Replace('#amp;', '&')
        return $Text
    }

    function Read-Mermaid([string] $Text) {
        # Parses the flowchart Show-VoxDag writes: node statements, edges and class assignments.
        $nodes = @{}; $edges = [System.Collections.Generic.List[string]]::new(); $classes = @{}
        $lines = @($Text -split "`n" | Where-Object { $_ -ne '' })
        $title = $null
        if ($lines[0] -eq '---') {
            # Front matter: the title, as a YAML double-quoted scalar.
            if ($lines[1] -notmatch '^title: "((?:[^"\\]|\\.)*)"$') { throw "Bad front matter: $($lines[1])" }
            $title = $Matches[1] -replace '\\(.)', '$1'
            $lines[2] | Should -Be '---'
            $lines = $lines | Select-Object -Skip 3
        }
        $lines[0] | Should -Be 'flowchart LR'
        foreach ($line in $lines | Select-Object -Skip 1) {
            if ($line -match '^  (n\d+)(\(\[|\[\[|\[)"([^"]*)"(\]\)|\]\]|\])$') { $nodes[$Matches[1]] = @{ Shape = $Matches[2]; Label = ConvertFrom-MermaidEntity $Matches[3] } }
            elseif ($line -match '^  (n\d+) --> (n\d+)$') { $edges.Add("$($Matches[1])->$($Matches[2])") }
            elseif ($line -match '^  classDef (\w+) fill:#[0-9a-f]{6},stroke:#555$') { }
            elseif ($line -match '^  class ([n\d,]+) (\w+)$') { foreach ($n in $Matches[1] -split ',') { $classes[$n] = $Matches[2] } }
            else { throw "Unexpected Mermaid line: $line" }
        }
        [pscustomobject]@{ Title = $title; Nodes = $nodes; Edges = $edges; Classes = $classes }
    }

    function Read-Dot([string] $Text) {
        $nodes = @{}; $edges = [System.Collections.Generic.List[string]]::new()
        foreach ($m in [regex]::Matches($Text, '(?m)^  (n\d+) \[label="((?:[^"\\]|\\.)*)"(?<attrs>[^\]]*)\];$')) {
            $label = [regex]::Replace($m.Groups[2].Value, '\\(.)', { param($x) if ($x.Groups[1].Value -eq 'n') { "`n" } else { $x.Groups[1].Value } })
            $fill = if ($m.Groups['attrs'].Value -match 'fillcolor="(#[0-9a-f]{6})"') { $Matches[1] } else { $null }
            $nodes[$m.Groups[1].Value] = @{ Label = $label; Fill = $fill }
        }
        foreach ($m in [regex]::Matches($Text, '(?m)^  (n\d+) -> (n\d+);$')) { $edges.Add("$($m.Groups[1].Value)->$($m.Groups[2].Value)") }
        [pscustomobject]@{ Nodes = $nodes; Edges = $edges }
    }
}

Describe 'Show-VoxDag' {
    It 'draws a program as a Mermaid flowchart with every node and edge of its DAG' {
        $program = "a = 2 + 3`nb = a * a`nprint `"square`" b`nprint `"sum`" a"
        $dag = ConvertTo-VoxDag -Program $program
        $text = Show-VoxDag -Program $program
        $text | Should -BeOfType [string]
        $parsed = Read-Mermaid $text
        $parsed.Nodes.Count | Should -Be $dag.NodeCount
        $parsed.Edges.Count | Should -Be $dag.EdgeCount
        $square = $parsed.Nodes.Values | Where-Object { ($_.Label -split "`n")[0] -eq 'square' }
        $square.Shape | Should -Be '[['                    # goals are drawn doubled
        ($square.Label -split "`n")[-1] | Should -Be 'default.mul'
        @($parsed.Nodes.Values | Where-Object Shape -eq '([').Count | Should -Be 2   # the constants 2 and 3
    }

    It 'escapes labels so quotes, #, markup and newlines render as written (Mermaid and DOT)' {
        $tricky = 'a "q" #1 <b>&amp; `x`' + "`n" + 'y\'
        $escapedForProgram = $tricky.Replace('\', '\\').Replace('"', '\"').Replace("`n", '\n')
        $program = "print `"odd`" `"$escapedForProgram`""
        $mermaid = Read-Mermaid (Show-VoxDag -Program $program)
        $expectedValue = $tricky | ConvertTo-Json -Compress   # constants are shown as canonical JSON
        ($mermaid.Nodes.Values | ForEach-Object { ($_.Label -split "`n", 2)[1] }) | Should -Contain $expectedValue
        (Show-VoxDag -Program $program) | Should -Not -Match '"[^"\n]*"[^"\n]*"\]'  # no raw quote inside a label
        $dot = Read-Dot (Show-VoxDag -Program $program -As Dot)
        ($dot.Nodes.Values | ForEach-Object { ($_.Label -split "`n", 2)[1] }) | Should -Contain $expectedValue
        # A long constant is shortened so the diagram stays readable.
        $long = Read-Mermaid (Show-VoxDag -Program "print `"long`" `"$('z' * 500)`"")
        ($long.Nodes.Values.Label -split "`n")[-1] | Should -Be ('"' + 'z' * 38 + [char]0x2026)
    }

    It 'draws DOT with the same nodes and edges as Mermaid' {
        $program = Get-Content -Raw (Join-Path $PSScriptRoot '../../examples/hello.imgql')
        $mermaid = Read-Mermaid (Show-VoxDag -Program $program)
        $dot = Read-Dot (Show-VoxDag -Program $program -As Dot)
        $dot.Nodes.Count | Should -Be $mermaid.Nodes.Count
        ($dot.Edges | Sort-Object) | Should -Be ($mermaid.Edges | Sort-Object)
        (Show-VoxDag -Program $program -As Dot) | Should -Match '^digraph "[0-9a-f]+" \{'
    }

    It 'draws an execution with the state of each node: computed, then cached, then not needed' {
        $store = Join-Path $TestDrive 'show-exec'
        $program = 'x = 20 + 1' + "`n" + 'print "double" x * 2'
        $first = Submit-VoxDag -Program $program -Store $store | Wait-VoxExecution -Timeout 60
        $parsed = Read-Mermaid ($first | Show-VoxDag)
        $goal = $parsed.Nodes.Keys | Where-Object { ($parsed.Nodes[$_].Label -split "`n")[0] -eq 'double' }
        $parsed.Classes[$goal] | Should -Be 'Completed'
        ($parsed.Nodes[$goal].Label -split "`n")[-1] | Should -Be 'Completed'
        @($parsed.Classes.Values | Where-Object { $_ -eq 'Completed' }).Count | Should -Be $parsed.Nodes.Count

        # A rerun finds the goal stored: the goal is Cached and what only fed it is not needed.
        $second = Submit-VoxDag -Program $program -Store $store -Name show-second | Wait-VoxExecution -Timeout 60
        $rerun = Read-Mermaid (Show-VoxDag -ExecutionId show-second)
        $rerun.Classes[$goal] | Should -Be 'Cached'
        $rerun.Title | Should -Be 'show-second (Completed)'
        @($rerun.Classes.Values | Where-Object { $_ -eq 'NotNeeded' }).Count | Should -Be ($rerun.Nodes.Count - 1)
        $dot = Read-Dot (Show-VoxDag -ExecutionId $second.ExecutionId -As Dot)
        $dot.Nodes[$goal].Fill | Should -Be '#d3f9d8'
        ($dot.Nodes[$goal].Label -split "`n")[-1] | Should -Be 'Cached'
    }

    It 'marks a failed node Failed and what depends on it Skipped' {
        $program = 'bad = 1 / 0' + "`n" + 'print "later" bad + 1'
        $e = Submit-VoxDag -Program $program -Store (Join-Path $TestDrive 'show-fail') | Wait-VoxExecution -Timeout 60
        $parsed = Read-Mermaid ($e | Show-VoxDag)
        $div = $parsed.Nodes.Keys | Where-Object { $parsed.Nodes[$_].Label -match '(^|\n)default\.div\n' }
        $parsed.Classes[$div] | Should -Be 'Failed'
        $later = $parsed.Nodes.Keys | Where-Object { ($parsed.Nodes[$_].Label -split "`n")[0] -eq 'later' }
        $parsed.Classes[$later] | Should -Be 'Skipped'
    }

    It 'fences the text for Markdown with -Fenced' {
        $text = Show-VoxDag -Program 'print "x" 1 + 2' -Fenced
        $text | Should -Match '^```mermaid\n---\ntitle: "program text"\n---\nflowchart LR\n'
        $text | Should -Match '\n```\n$'
        Show-VoxDag -Program 'print "x" 1 + 2' -As Dot -Fenced | Should -Match '^```dot\ndigraph '
    }

    It 'refuses a DAG larger than -MaxNodes with VoxDiagramTooLarge, and an execution of another process with VoxExecutionNotLocal' {
        Show-VoxDag -Program 'print "x" 1 + 2' -MaxNodes 2 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'VoxDiagramTooLarge,*'
        $err[0].Exception.Message | Should -Match '-MaxNodes'
        Show-VoxDag -ExecutionId no-such-execution -ErrorVariable err2 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'VoxExecutionNotLocal,*'
    }

    It 'draws nodes from New-VoxNode' {
        $text = @(
            New-VoxNode a -Value 1
            New-VoxNode b -Value 2
            New-VoxNode total default.add a, b
        ) | Show-VoxDag
        $parsed = Read-Mermaid $text
        $parsed.Nodes.Count | Should -Be 3
        $parsed.Edges.Count | Should -Be 2
    }
}
