#requires -Version 7.6
<#
.SYNOPSIS
    Generates the module's MAML help (en-US/VoxScheduler.dll-Help.xml) from the built cmdlets.

.DESCRIPTION
    Binary cmdlets cannot use comment-based help and platyPS is not available here, so this
    script writes MAML itself: syntax and parameters come from the cmdlets' metadata (read by
    importing the built module in a child pwsh, so this process never loads the dll), parameter
    descriptions from the cmdlets' XML doc comments, and synopsis, description and examples from
    docs/help/VoxScheduler.help.psd1. Called by build.ps1's build task. Fails when a cmdlet has
    no synopsis, no example, or a parameter without a description.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [switch] $InChild
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot
$ModulePath = [IO.Path]::GetFullPath($ModulePath, (Get-Location).ProviderPath)

if (-not $InChild) {
    # Import the built module only in a fresh process: assemblies never unload.
    $exe = [Environment]::ProcessPath
    $prefix = @(if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
    & $exe @prefix -NoProfile -NonInteractive -File $PSCommandPath -ModulePath $ModulePath -InChild
    if ($LASTEXITCODE -ne 0) { throw "Help generation failed (exit code $LASTEXITCODE)." }
    return
}

$manifest = Join-Path $ModulePath 'VoxScheduler.psd1'
Import-Module $manifest -ErrorAction Stop
$source = Import-PowerShellDataFile (Join-Path $root 'docs/help/VoxScheduler.help.psd1')
$commonParameters = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
$standard = @{
    WhatIf  = 'Shows what would happen if the cmdlet runs. The cmdlet is not run.'
    Confirm = 'Prompts you for confirmation before running the cmdlet.'
}

# Parameter descriptions: the /// <summary> above each [Parameter] property, per source file.
function Get-DocComments([string] $File) {
    $map = @{}
    if (-not (Test-Path $File)) { return $map }
    $text = Get-Content -Raw $File
    $pattern = '///\s*<summary>(?<doc>(?:(?!</summary>).)*)</summary>\s*(?<attrs>(?:\[[^\r\n]*\]\s*)+)public\s+[^\s]+\s+(?<name>\w+)\s*\{'
    foreach ($m in [regex]::Matches($text, $pattern, 'Singleline')) {
        if ($m.Groups['attrs'].Value -notmatch '\[Parameter') { continue }
        $doc = ($m.Groups['doc'].Value -replace '\s*///\s*', ' ' -replace '<[^>]+>', '' -replace '\s+', ' ').Trim()
        $map[$m.Groups['name'].Value] = [System.Net.WebUtility]::HtmlDecode($doc)
    }
    return $map
}
$commandsDir = Join-Path $root 'src/Cmdlets/Commands'
$baseDocs = @{}
foreach ($base in 'VoxCmdletBase', 'VoxAsyncCmdlet', 'VoxDagInputCmdlet', 'VoxExecutionCmdlet') {
    $baseDocs[$base] = Get-DocComments (Join-Path $commandsDir "$base.cs")
}

function X([string] $text) { [System.Security.SecurityElement]::Escape($text) }
function Paras([string] $text) {
    ($text -split '\r?\n\s*\r?\n' | Where-Object { $_.Trim() } | ForEach-Object { "<maml:para>$(X ($_.Trim() -replace '\s*\r?\n\s*', ' '))</maml:para>" }) -join ''
}
function TypeName([type] $type) {
    if ($type -eq [System.Management.Automation.SwitchParameter]) { return 'SwitchParameter' }
    return $type.Name
}

$problems = [System.Collections.Generic.List[string]]::new()
$sb = [System.Text.StringBuilder]::new()
[void] $sb.AppendLine('<?xml version="1.0" encoding="utf-8"?>')
[void] $sb.AppendLine('<helpItems schema="maml" xmlns="http://msh">')
foreach ($command in Get-Command -Module VoxScheduler -CommandType Cmdlet | Sort-Object Name) {
    $name = $command.Name
    $help = $source[$name]
    if (-not $help) { $problems.Add("$name has no entry in docs/help/VoxScheduler.help.psd1"); continue }
    if (-not $help.Synopsis) { $problems.Add("$name has no synopsis") }
    if (-not $help.Examples) { $problems.Add("$name has no example") }
    $className = $command.ImplementingType.Name
    $docs = Get-DocComments (Join-Path $commandsDir "$className.cs")
    # A cmdlet split into partial files (SubmitVoxDagCommand.Cluster.cs) documents parameters there too.
    foreach ($part in Get-ChildItem -Path $commandsDir -Filter "$className.*.cs" -File) {
        $more = Get-DocComments $part.FullName
        foreach ($k in $more.Keys) { if (-not $docs.ContainsKey($k)) { $docs[$k] = $more[$k] } }
    }
    $baseType = $command.ImplementingType.BaseType
    while ($baseType -and $baseDocs.ContainsKey($baseType.Name)) {
        foreach ($k in $baseDocs[$baseType.Name].Keys) { if (-not $docs.ContainsKey($k)) { $docs[$k] = $baseDocs[$baseType.Name][$k] } }
        $baseType = $baseType.BaseType
    }
    if ($help.ContainsKey('Parameters')) { foreach ($k in $help.Parameters.Keys) { $docs[$k] = $help.Parameters[$k] } }
    foreach ($k in $standard.Keys) { if (-not $docs.ContainsKey($k)) { $docs[$k] = $standard[$k] } }

    # A fresh instance holds the defaults the cmdlet's properties start with.
    $instance = $null
    try { $instance = [Activator]::CreateInstance($command.ImplementingType) } catch { $instance = $null }

    function DefaultText($p, [string] $desc) {
        # What the description says the default is ("(default 4)", "default: no limit"), else the
        # property's own starting value when it means something, else None (a switch: False).
        if ($desc -match '\(default:?\s+(?<d>[^;)]+?)\s*(?:[;)]|$)' -or $desc -match '[;,.]\s*default:?\s+(?<d>[^;.)]+)' -or $desc -match '(?<d>\w+) \(default\)') { return $Matches['d'].Trim() }
        if ($p.ParameterType -eq [System.Management.Automation.SwitchParameter]) { return 'False' }
        if ($null -eq $instance -or -not $instance.PSObject.Properties[$p.Name]) { return 'None' }
        $start = $instance.($p.Name)
        if ($null -eq $start -or ($start -is [string] -and $start -eq '') -or ($start -is [array] -and $start.Count -eq 0)) { return 'None' }
        if ($start -is [ValueType] -and $start -isnot [enum] -and $start -eq [Activator]::CreateInstance($start.GetType())) { return 'None' }
        if ($start -is [int] -and $start -lt 0) { return 'None' }   # a "not given" marker, not a value
        return [string] $start
    }

    function ParameterXml($p, [string] $position, [bool] $required) {
        $pipeline = @()
        if ($p.ValueFromPipeline) { $pipeline += 'ByValue' }
        if ($p.ValueFromPipelineByPropertyName) { $pipeline += 'ByPropertyName' }
        $pipelineText = if ($pipeline) { "True ($($pipeline -join ', '))" } else { 'False' }
        $globbing = [bool] ($p.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
        $aliases = if ($p.Aliases.Count) { $p.Aliases -join ', ' } else { 'none' }
        $type = TypeName $p.ParameterType
        $desc = $docs[$p.Name]
        if (-not $desc) { $problems.Add("$name -$($p.Name) has no description") }
        $value = if ($type -ne 'SwitchParameter') { "<command:parameterValue required=`"true`" variableLength=`"false`">$(X $type)</command:parameterValue>" } else { '' }
        $set = [System.Management.Automation.ValidateSetAttribute]
        $validSet = $p.Attributes | Where-Object { $_ -is $set } | Select-Object -First 1
        $values = if ($validSet) { '<command:parameterValueGroup>' + (($validSet.ValidValues | ForEach-Object { "<command:parameterValue required=`"false`" variableLength=`"false`">$(X $_)</command:parameterValue>" }) -join '') + '</command:parameterValueGroup>' } else { '' }
        return "<command:parameter required=`"$($required.ToString().ToLowerInvariant())`" variableLength=`"true`" globbing=`"$($globbing.ToString().ToLowerInvariant())`" pipelineInput=`"$pipelineText`" position=`"$position`" aliases=`"$(X $aliases)`"><maml:name>$($p.Name)</maml:name><maml:description>$(Paras $desc)</maml:description>$values$value<dev:type><maml:name>$(X $p.ParameterType.FullName)</maml:name><maml:uri /></dev:type><dev:defaultValue>$(X (DefaultText $p $desc))</dev:defaultValue></command:parameter>"
    }

    [void] $sb.AppendLine('<command:command xmlns:maml="http://schemas.microsoft.com/maml/2004/10" xmlns:command="http://schemas.microsoft.com/maml/dev/command/2004/10" xmlns:dev="http://schemas.microsoft.com/maml/dev/2004/10" xmlns:MSHelp="http://msdn.microsoft.com/mshelp">')
    [void] $sb.AppendLine("<command:details><command:name>$name</command:name><command:verb>$($command.Verb)</command:verb><command:noun>$($command.Noun)</command:noun><maml:description>$(Paras $help.Synopsis)</maml:description></command:details>")
    [void] $sb.AppendLine("<maml:description>$(Paras $help.Description)</maml:description>")
    [void] $sb.AppendLine('<command:syntax>')
    foreach ($set in $command.ParameterSets | Sort-Object { -not $_.IsDefault }) {
        [void] $sb.Append("<command:syntaxItem><maml:name>$name</maml:name>")
        foreach ($p in $set.Parameters | Where-Object { $_.Name -notin $commonParameters -or $_.Name -in 'WhatIf', 'Confirm' }) {
            $position = if ($p.Position -ge 0) { "$($p.Position)" } else { 'named' }
            [void] $sb.Append((ParameterXml $p $position $p.IsMandatory))
        }
        [void] $sb.AppendLine('</command:syntaxItem>')
    }
    [void] $sb.AppendLine('</command:syntax>')
    [void] $sb.AppendLine('<command:parameters>')
    $seen = @{}
    foreach ($set in $command.ParameterSets) {
        foreach ($p in $set.Parameters) {
            if ($seen.ContainsKey($p.Name) -or ($p.Name -in $commonParameters -and $p.Name -notin 'WhatIf', 'Confirm')) { continue }
            $seen[$p.Name] = $true
            $sets = @($command.ParameterSets | Where-Object { $_.Parameters.Name -contains $p.Name })
            $required = @($sets | ForEach-Object { ($_.Parameters | Where-Object Name -eq $p.Name).IsMandatory }) -notcontains $false
            $position = if ($p.Position -ge 0) { "$($p.Position)" } else { 'named' }
            [void] $sb.Append((ParameterXml $p $position $required))
        }
    }
    [void] $sb.AppendLine('</command:parameters>')
    $inputs = @($command.Parameters.Values | Where-Object { $_.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and ($_.ValueFromPipeline -or $_.ValueFromPipelineByPropertyName) } })
    [void] $sb.Append('<command:inputTypes>')
    foreach ($p in $inputs) {
        [void] $sb.Append("<command:inputType><dev:type><maml:name>$(X $p.ParameterType.FullName)</maml:name></dev:type><maml:description><maml:para>Bound to -$($p.Name).</maml:para></maml:description></command:inputType>")
    }
    if (-not $inputs) { [void] $sb.Append('<command:inputType><dev:type><maml:name>None</maml:name></dev:type><maml:description><maml:para>This cmdlet takes no pipeline input.</maml:para></maml:description></command:inputType>') }
    [void] $sb.AppendLine('</command:inputTypes>')
    [void] $sb.Append('<command:returnValues>')
    foreach ($t in $command.OutputType) {
        [void] $sb.Append("<command:returnValue><dev:type><maml:name>$(X $t.Name)</maml:name></dev:type><maml:description><maml:para /></maml:description></command:returnValue>")
    }
    [void] $sb.AppendLine('</command:returnValues>')
    [void] $sb.AppendLine('<command:examples>')
    $i = 0
    foreach ($example in $help.Examples) {
        $i++
        [void] $sb.AppendLine("<command:example><maml:title>-------------------------- Example $i --------------------------</maml:title><dev:code>$(X $example.Code)</dev:code><dev:remarks>$(Paras $example.Remarks)</dev:remarks></command:example>")
    }
    [void] $sb.AppendLine('</command:examples>')
    [void] $sb.AppendLine('<command:relatedLinks><maml:navigationLink><maml:linkText>about_VoxScheduler</maml:linkText><maml:uri /></maml:navigationLink></command:relatedLinks>')
    [void] $sb.AppendLine('</command:command>')
}

# Provider help (Get-Help VoxStore): PowerShell finds it in the provider assembly's help file, this one.
$provider = $source['VoxStore']
if (-not $provider) { $problems.Add('VoxStore (the provider) has no entry in docs/help/VoxScheduler.help.psd1') }
else {
    [void] $sb.AppendLine('<providerHelp>')
    [void] $sb.AppendLine("<Name>VoxStore</Name><Drives><para>Vox</para></Drives><Synopsis>$(X $provider.Synopsis)</Synopsis>")
    [void] $sb.AppendLine("<DetailedDescription>$((Paras $provider.Description) -replace 'maml:', '')</DetailedDescription>")
    [void] $sb.AppendLine('<Capabilities><para>ShouldProcess, Filter, Include, Exclude</para></Capabilities><Filters><para>-Filter, -Include and -Exclude match wildcards against a result''s id and operator.</para></Filters><Notes><para /></Notes>')
    [void] $sb.AppendLine('<Tasks>')
    foreach ($task in $provider.Tasks) {
        [void] $sb.Append("<Task><Title>$(X $task.Title)</Title><Description><para /></Description><Examples>")
        $i = 0
        foreach ($example in $task.Examples) {
            $i++
            [void] $sb.Append("<Example><Title>-------------------------- EXAMPLE $i --------------------------</Title><Introduction><para /></Introduction><Code>$(X $example.Code)</Code><Remarks>$((Paras $example.Remarks) -replace 'maml:', '')</Remarks></Example>")
        }
        [void] $sb.AppendLine('</Examples></Task>')
    }
    [void] $sb.AppendLine('</Tasks><DynamicParameters>')
    foreach ($d in $provider.DynamicParameters) {
        [void] $sb.AppendLine("<DynamicParameter><Name>$(X $d.Name)</Name><CmdletSupported>$(X $d.Cmdlets)</CmdletSupported><Type><Name>$(X $d.Type)</Name></Type><Description><para>$(X $d.Description)</para></Description></DynamicParameter>")
    }
    [void] $sb.AppendLine('</DynamicParameters><RelatedLinks><navigationLink><linkText>about_VoxScheduler</linkText><uri /></navigationLink></RelatedLinks></providerHelp>')
}
[void] $sb.AppendLine('</helpItems>')

if ($problems.Count) { throw "Help is incomplete:`n  $($problems -join "`n  ")" }
$target = Join-Path $ModulePath 'en-US'
New-Item -ItemType Directory -Path $target -Force | Out-Null
$file = Join-Path $target 'VoxScheduler.dll-Help.xml'
[xml] $sb.ToString() | Out-Null   # well-formed, or fail the build
Set-Content -Path $file -Value $sb.ToString() -Encoding utf8NoBOM
Write-Host "Help written: $file"
