<#
.SYNOPSIS
    Reliability suite helper: script-block operations run only where they were registered; a
    store never brings code back. Phase 'register' registers a script-block operation that
    leaves a marker file when it runs and runs a program with it (plus a goal whose value is
    script text). Phase 'fresh' (a new process, nothing registered) submits the same program to
    the same store and reads every stored result back through the provider.
    Prints RESULT/REFUSED/TYPE lines; the test checks them and the marker files.
#>
param(
    [Parameter(Mandatory)] [string] $Module,
    [Parameter(Mandatory)] [string] $Store,
    [Parameter(Mandatory)] [ValidateSet('register', 'fresh')] [string] $Phase,
    [Parameter(Mandatory)] [string] $Marker,
    [Parameter(Mandatory)] [string] $ScriptMarker
)

$ErrorActionPreference = 'Stop'
Import-Module $Module
$null = New-PSDrive -Name sb -PSProvider VoxStore -Root $Store -Backend sqlite -Create
# Computed strings: the store holds script text as results.
$program = @"
import "strings"
print "r" rel.script(41)
print "s" strings.concat("{ Set-Content -LiteralPath '$ScriptMarker' ", "pwned }")
print "t" strings.concat("& { Set-Content -LiteralPath '$ScriptMarker' pwned }", "")
"@

if ($Phase -eq 'register') {
    # The script block runs in the module's runspace pool: the marker path reaches it through the environment.
    $env:VOX_MARKER = $Marker
    Register-VoxOperation -Name rel.script -ScriptBlock { param($x) Set-Content -LiteralPath $env:VOX_MARKER 'ran'; $x + 1 }
    foreach ($r in @(Submit-VoxDag -Program $program -Store 'sb:' -Wait)) {
        $type = if ($null -eq $r.Value) { 'null' } else { $r.Value.GetType().FullName }
        "RESULT $($r.Goal) $($r.Status) $type $($r.Value) $($r.Error)"
    }
    exit 0
}

try {
    $null = Submit-VoxDag -Program $program -Store 'sb:' -Wait
    'ACCEPTED'
}
catch {
    "REFUSED $($_.FullyQualifiedErrorId)"
}

foreach ($item in @(Get-ChildItem 'sb:' | Where-Object { $_.PSObject.Properties['NodeId'] -and $_.NodeId })) {
    foreach ($value in @(Get-Content -LiteralPath "sb:\$($item.NodeId)")) {
        "TYPE $($item.NodeId) $(if ($null -eq $value) { 'null' } else { $value.GetType().FullName })"
    }
}
exit 0
