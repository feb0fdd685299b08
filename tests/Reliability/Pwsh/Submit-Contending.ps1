<#
.SYNOPSIS
    Reliability suite helper: imports the built module, submits one program file to a store
    through a VoxStore drive and prints one line per goal in VoxHost's format
    (GOAL name status sha256-of-encoded-value node-id error), then END status.
#>
param(
    [Parameter(Mandatory)] [string] $Module,
    [Parameter(Mandatory)] [string] $Program,
    [Parameter(Mandatory)] [string] $Store,
    [string] $Backend = 'sqlite'
)

$ErrorActionPreference = 'Stop'
Import-Module $Module
$null = New-PSDrive -Name ct -PSProvider VoxStore -Root $Store -Backend $Backend -Create
# The engine loads in the module's own load context, where type literals do not look: take the
# codec from the loaded engine assembly.
$engine = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'VoxScheduler.Engine' } | Select-Object -First 1
$codec = $engine.GetType('VoxScheduler.Values.ValueCodec', $true)
$sha = [System.Security.Cryptography.SHA256]::Create()
$failed = 0
foreach ($r in @(Submit-VoxDag -Path $Program -Store 'ct:' -Wait)) {
    $digest = '-'
    if ($r.Status -in 'Completed', 'Cached') {
        # The value as the engine holds it (a sequence comes wrapped for Export-Csv).
        $bytes = $codec::Encode($r.Value.psobject.BaseObject)
        $digest = [Convert]::ToHexString($sha.ComputeHash($bytes)).ToLowerInvariant()
    }
    else {
        $failed++
    }
    "GOAL $($r.Goal) $($r.Status) $digest $($r.NodeId) $($r.Error)"
}
if ($failed -gt 0) { 'END Failed'; exit 3 }
'END Completed'
exit 0
