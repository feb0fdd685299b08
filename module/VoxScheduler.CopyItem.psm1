# Copy-VoxItem: Copy-Item that can also copy results of VoxStore drives to files
# (Copy-Item Vox:\<id> -Destination ./file).
#
# PowerShell's engine refuses a copy whose source and destination are in different providers
# (CopyItemSourceAndDestinationNotSameProvider) before any provider code runs, so the VoxStore
# provider alone cannot do it. While the module is loaded, Copy-Item is an alias of Copy-VoxItem,
# a proxy of Microsoft.PowerShell.Management\Copy-Item with that cmdlet's own parameters (dynamic
# ones included) and help. A copy from a VoxStore drive to anywhere outside the VoxStore provider
# pipes the results to Save-VoxResult, which writes them; every other copy (FileSystem to
# FileSystem, VoxStore drive to VoxStore drive, -FromSession, ...) goes to the real cmdlet with
# the same parameters and pipeline input. Remove-Module VoxScheduler removes the alias.
#
# An alias and not a function named Copy-Item: with a function of the same name, Get-Help
# Copy-Item lists two topics instead of showing the cmdlet's help.
Set-StrictMode -Version Latest

$script:CoreCopyItem = 'Microsoft.PowerShell.Management\Copy-Item'
$script:StoreProvider = 'VoxStore'

function Get-VoxCallerScriptBlock {
    # The script block bound to the caller's session state: its drives (also those made in a
    # function or a Pester block, which a module's own session state cannot see), its location
    # and its preferences, as the real cmdlet would see them.
    param([System.Management.Automation.SessionState] $State, [scriptblock] $ScriptBlock)
    $caller = [psmoduleinfo]::new($false)
    $caller.SessionState = $State
    return $caller.NewBoundScriptBlock($ScriptBlock)
}

function Get-VoxCopyProvider {
    # The name of the provider a path is in, for the caller; $null when it names no drive or
    # provider (the real Copy-Item then reports it in its own words).
    param([System.Management.Automation.SessionState] $State, [string] $Path)
    $provider = $null
    $drive = $null
    try {
        $null = $State.Path.GetUnresolvedProviderPathFromPSPath($Path, [ref] $provider, [ref] $drive)
        return $provider.Name
    }
    catch [System.Management.Automation.SessionStateException], [System.Management.Automation.ProviderInvocationException], [System.ArgumentException], [System.NotSupportedException] {
        return $null
    }
}

function Get-VoxCopySource {
    # The source paths of this call and whether they are literal.
    param([System.Collections.Generic.IDictionary[string, object]] $Bound)
    if ($Bound.ContainsKey('LiteralPath')) { return @{ Literal = $true; Paths = @($Bound['LiteralPath']) } }
    if ($Bound.ContainsKey('Path')) { return @{ Literal = $false; Paths = @($Bound['Path']) } }
    return @{ Literal = $false; Paths = @() }
}

function Get-VoxCopyDestination {
    param([System.Collections.Generic.IDictionary[string, object]] $Bound)
    # Copy-Item without -Destination copies into the current location.
    if ($Bound.ContainsKey('Destination') -and -not [string]::IsNullOrEmpty($Bound['Destination'])) { return [string] $Bound['Destination'] }
    return '.'
}

function Test-VoxCopyToFile {
    # True when this call is a copy out of the VoxStore provider: a source in a VoxStore drive,
    # the destination outside the provider. Copies between VoxStore drives stay the provider's.
    param([System.Management.Automation.SessionState] $State, [System.Collections.Generic.IDictionary[string, object]] $Bound)
    # Called for every piped item of every Copy-Item: plain loops, and the destination only
    # when a source is in a store.
    if ($Bound.ContainsKey('FromSession')) { return $false }  # the sources are in another session
    $fromStore = $false
    foreach ($path in (Get-VoxCopySource $Bound).Paths) {
        if ((Get-VoxCopyProvider $State $path) -eq $script:StoreProvider) { $fromStore = $true; break }
    }
    if (-not $fromStore) { return $false }
    return (Get-VoxCopyProvider $State (Get-VoxCopyDestination $Bound)) -ne $script:StoreProvider
}

# The helpers return errors as ErrorRecord objects among their output, and the proxy writes them:
# it runs in the caller's session state, so the caller's -ErrorAction and $ErrorActionPreference
# (also one set in the caller's own scope) apply, as they do to a cmdlet's errors.

function New-VoxCopyError {
    # An error of a command the proxy ran, as Copy-Item's own (id, category, target and details kept).
    param([System.Management.Automation.ErrorRecord] $Record)
    $id = ($Record.FullyQualifiedErrorId -split ',')[0]
    $copy = [System.Management.Automation.ErrorRecord]::new($Record.Exception, $id, $Record.CategoryInfo.Category, $Record.TargetObject)
    $copy.ErrorDetails = $Record.ErrorDetails
    $copy
}

function New-VoxCopyFailure {
    param([string] $Id, [System.Management.Automation.ErrorCategory] $Category, [object] $Target, [string] $Message)
    $exception = if ($Category -eq 'ObjectNotFound') { [System.Management.Automation.ItemNotFoundException]::new($Message) }
        else { [System.Management.Automation.PSArgumentException]::new($Message) }
    [System.Management.Automation.ErrorRecord]::new($exception, $Id, $Category, $Target)
}

function Invoke-VoxInCaller {
    # Runs a script block in the caller's session state and passes on its output and its errors
    # (the commands in it run with -ErrorAction Continue) as records for the proxy to write.
    param([System.Management.Automation.SessionState] $State, [scriptblock] $ScriptBlock, [object[]] $ArgumentList)
    $bound = Get-VoxCallerScriptBlock $State $ScriptBlock
    & $bound @ArgumentList 2>&1 | ForEach-Object {
        if ($_ -is [System.Management.Automation.ErrorRecord]) { New-VoxCopyError $_ } else { $_ }
    }
}

function Invoke-VoxCopyToFile {
    # Copies the results a call names (paths, wildcards or a piped item) to files: each item is
    # piped to Save-VoxResult, which writes it as it writes any result (bytes as bytes, text as
    # text, images by the file's extension, anything else as JSON; a folder destination names the
    # file after the result's id, or after the node's name under executions\<run>).
    param([System.Management.Automation.SessionState] $State, [System.Collections.Generic.IDictionary[string, object]] $Bound)

    $source = Get-VoxCopySource $Bound
    $fromStore = [System.Collections.Generic.List[string]]::new()
    $others = [System.Collections.Generic.List[string]]::new()
    foreach ($path in $source.Paths) {
        if ((Get-VoxCopyProvider $State $path) -eq $script:StoreProvider) { $fromStore.Add($path) } else { $others.Add($path) }
    }

    if ($others.Count -gt 0) {
        # Other sources of the same call (a file beside a result) are the real cmdlet's.
        $rest = [System.Collections.Generic.Dictionary[string, object]]::new($Bound, [System.StringComparer]::OrdinalIgnoreCase)
        # The proxy's own common parameters (error action, variables) apply to what it writes.
        foreach ($name in 'ErrorAction', 'ErrorVariable', 'WarningVariable', 'InformationVariable', 'OutVariable', 'OutBuffer', 'PipelineVariable') { $null = $rest.Remove($name) }
        $rest[$(if ($source.Literal) { 'LiteralPath' } else { 'Path' })] = $others.ToArray()
        Invoke-VoxInCaller $State { param($Command, $Parameters) & $Command @Parameters -ErrorAction Continue } @($script:CoreCopyItem, $rest)
    }

    if ($Bound.ContainsKey('ToSession')) {
        foreach ($path in $fromStore) {
            New-VoxCopyFailure 'VoxNotSupported' InvalidArgument $path ("Copy-Item -ToSession sends files, and '$path' is a stored result: " +
                "copy it to a file here first (Copy-Item '$path' -Destination <file>), then send that file.")
        }
        return
    }

    $filters = @{}
    foreach ($name in 'Filter', 'Include', 'Exclude', 'Credential') {
        if ($Bound.ContainsKey($name)) { $filters[$name] = $Bound[$name] }
    }

    $results = [System.Collections.Generic.List[object]]::new()
    foreach ($path in $fromStore) {
        $items = [System.Collections.Generic.List[object]]::new()
        Invoke-VoxInCaller $State {
                param($Path, $Literal, $Filters)
                if ($Literal) { Get-Item -LiteralPath $Path @Filters -ErrorAction Continue }
                else { Get-Item -Path $Path @Filters -ErrorAction Continue }
            } @($path, $source.Literal, $filters) | ForEach-Object {
                if ($_ -is [System.Management.Automation.ErrorRecord]) { $_ } else { $items.Add($_) }
            }
        # A wildcard or a filter copies the results it matches and passes over folders; a folder
        # named on its own is an error (folders hold executions and named nodes, not one value).
        $matching = -not $source.Literal -and ([System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($path) -or $filters.Count -gt 0)
        foreach ($item in $items) {
            if (-not $item.PSIsContainer) { $results.Add($item); continue }
            if ($matching) { continue }
            New-VoxCopyFailure 'VoxNotSupported' InvalidArgument $path ("'$path' is a folder of the store, not a result: copy the results in it, " +
                "e.g. Get-ChildItem '$path' | Where-Object { -not `$_.PSIsContainer } | Copy-Item -Destination <folder>.")
        }
    }

    if ($results.Count -eq 0) { return }
    $destination = Get-VoxCopyDestination $Bound
    $provider = $null
    $drive = $null
    try { $target = $State.Path.GetUnresolvedProviderPathFromPSPath($destination, [ref] $provider, [ref] $drive) }
    catch [System.Management.Automation.SessionStateException], [System.Management.Automation.ProviderInvocationException], [System.ArgumentException], [System.NotSupportedException] {
        $target = $null  # Save-VoxResult says why the destination is unusable
    }

    if ($null -ne $target -and $provider.Name -eq 'FileSystem' -and -not [System.IO.Directory]::Exists($target)) {
        if ($results.Count -gt 1) {
            New-VoxCopyFailure 'VoxSaveFailed' InvalidArgument $destination ("$($results.Count) results cannot all be copied to the one file '$destination': " +
                'give an existing folder as -Destination (each file is then named after its result).')
            return
        }

        $parent = [System.IO.Path]::GetDirectoryName($target)
        if (-not [string]::IsNullOrEmpty($parent) -and -not [System.IO.Directory]::Exists($parent)) {
            New-VoxCopyFailure 'VoxSaveFailed' ObjectNotFound $destination ("Cannot copy to '$destination': the folder '$parent' does not exist " +
                '(Copy-Item creates no folders for a file; create it first with New-Item -ItemType Directory).')
            return
        }
    }

    $save = @{ LiteralPath = $destination }
    foreach ($name in 'Force', 'PassThru', 'WhatIf', 'Confirm', 'Verbose', 'Debug') {
        if ($Bound.ContainsKey($name)) { $save[$name] = $Bound[$name] }
    }

    Invoke-VoxInCaller $State {
        param($Items, $Parameters)
        $Items | Save-VoxResult @Parameters -ErrorAction Continue
    } @($results.ToArray(), $save)
}

# The proxy's body: the decisions above in the shape of ProxyCommand.Create (a steppable
# pipeline of the real cmdlet, begun with the bound parameters and fed each input object).
$proxyBody = {
    begin {
        # This function runs in the caller's session state (see below); the helpers of this
        # script module (nested in the function's module) get that state to resolve paths with.
        $voxCopy = foreach ($nested in $MyInvocation.MyCommand.Module.NestedModules) { if ($nested.Name -eq 'VoxScheduler.CopyItem') { $nested } }
        $sourcesFromPipeline = -not ($PSBoundParameters.ContainsKey('Path') -or $PSBoundParameters.ContainsKey('LiteralPath'))
        $toFile = -not $sourcesFromPipeline -and (& $voxCopy { Test-VoxCopyToFile @args } $ExecutionContext.SessionState $PSBoundParameters)
        $steppablePipeline = $null
        if (-not $toFile) {
            $outBuffer = $null
            if ($PSBoundParameters.TryGetValue('OutBuffer', [ref] $outBuffer)) { $PSBoundParameters['OutBuffer'] = 1 }
            $wrappedCmd = $ExecutionContext.InvokeCommand.GetCommand('Microsoft.PowerShell.Management\Copy-Item', [System.Management.Automation.CommandTypes]::Cmdlet)
            $scriptCmd = { & $wrappedCmd @PSBoundParameters }
            $steppablePipeline = $scriptCmd.GetSteppablePipeline($MyInvocation.CommandOrigin)
            $steppablePipeline.Begin($PSCmdlet)
        }
    }

    process {
        # Piped items are judged one by one (the sources bound from this input object).
        if ($toFile -or ($sourcesFromPipeline -and (& $voxCopy { Test-VoxCopyToFile @args } $ExecutionContext.SessionState $PSBoundParameters))) {
            & $voxCopy { Invoke-VoxCopyToFile @args } $ExecutionContext.SessionState $PSBoundParameters | ForEach-Object {
                if ($_ -is [System.Management.Automation.ErrorRecord]) { $PSCmdlet.WriteError($_) } else { $_ }
            }
        }
        else {
            $steppablePipeline.Process($_)
        }
    }

    end {
        if ($null -ne $steppablePipeline) { $steppablePipeline.End() }
    }

    clean {
        if ($null -ne $steppablePipeline) { $steppablePipeline.Clean() }
    }
}

# Parameters, dynamic parameters and the CmdletBinding are the running PowerShell's own Copy-Item's
# (what ProxyCommand.Create would write), so the proxy binds exactly as the cmdlet does.
$metadata = [System.Management.Automation.CommandMetadata]::new((Get-Command -Name $script:CoreCopyItem -CommandType Cmdlet))
$proxy = [System.Management.Automation.ProxyCommand]
$definition = @(
    $proxy::GetCmdletBindingAttribute($metadata)
    "param($($proxy::GetParamBlock($metadata)))"
    "dynamicparam {$($proxy::GetDynamicParam($metadata))}"
    $proxyBody.ToString()
    "<#`n.ForwardHelpTargetName $script:CoreCopyItem`n.ForwardHelpCategory Cmdlet`n#>"
) -join "`n"
# Not bound to this module: like a function of the caller's own, it runs in the caller's session
# state, so it sees what the real cmdlet would see (drives made in the caller's function or Pester
# block, its location and its preferences); a module function sees only the module's and the
# global ones. The module's helpers are reached through the function's module.
${function:Copy-VoxItem} = [scriptblock]::Create($definition)
Remove-Variable -Name metadata, proxy, definition, proxyBody

Set-Alias -Name Copy-Item -Value Copy-VoxItem
Export-ModuleMember -Function Copy-VoxItem -Alias Copy-Item
