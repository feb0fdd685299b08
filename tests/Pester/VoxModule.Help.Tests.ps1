#requires -Version 7.6
# Help (#13 defect 14): every example of the cmdlet and provider help and of the README's module
# section runs as written in a fresh copy of the repository's examples, with no error; the
# provider has its own help; defaults are shown where they exist; no -Online page is promised.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'VoxModule.Helpers.ps1')
    Initialize-VoxTestSession
    $script:Repo = [IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../..'))

    # A fresh clone as far as the examples can tell: the examples folder and the built module
    # where the README imports it from, nothing else; its own default store.
    function New-VoxSandbox([string] $Name) {
        $sandbox = Join-Path $TestDrive $Name
        $null = New-Item -ItemType Directory $sandbox
        Copy-Item (Join-Path $script:Repo 'examples') -Destination $sandbox -Recurse
        return $sandbox
    }

    # Runs each example in its own scope of one fresh pwsh, in order; returns one line per
    # example: "EXAMPLE <n> OK" or "EXAMPLE <n> FAIL <errors>".
    function Invoke-VoxExamples([string] $Sandbox, [string[]] $Examples, [switch] $NoImport) {
        $script = [System.Text.StringBuilder]::new()
        [void] $script.AppendLine("`$env:VOXSCHEDULER_STORE = '$(Join-Path $Sandbox 'default-store')'")
        [void] $script.AppendLine("Set-Location '$Sandbox'")
        if (-not $NoImport) { [void] $script.AppendLine("Import-Module '$script:VoxModulePath' -ErrorAction Stop") }
        for ($i = 0; $i -lt $Examples.Count; $i++) {
            [void] $script.AppendLine("`$Error.Clear()")
            [void] $script.AppendLine("try { & {`n$($Examples[$i])`n} *>&1 | Out-Null } catch { }")
            [void] $script.AppendLine("if (`$Error.Count) { 'EXAMPLE $i FAIL ' + ((`$Error | ForEach-Object { `$_.ToString() }) -join ' | ') } else { 'EXAMPLE $i OK' }")
        }
        $file = Join-Path $TestDrive "examples-$([guid]::NewGuid().ToString('n')).ps1"
        Set-Content -LiteralPath $file -Value $script.ToString()
        Invoke-VoxFreshPwsh ". '$file'"
    }

    $source = Import-PowerShellDataFile (Join-Path $script:Repo 'docs/help/VoxScheduler.help.psd1')
    $script:HelpExamples = foreach ($name in $source.Keys | Sort-Object) {
        $entry = $source[$name]
        foreach ($e in $entry.Examples) { [pscustomobject]@{ Topic = $name; Code = $e.Code; Requires = $e['Requires'] } }
        foreach ($task in $entry.Tasks) { foreach ($e in $task.Examples) { [pscustomobject]@{ Topic = $name; Code = $e.Code; Requires = $e['Requires'] } } }
    }
    # Examples that need a running cluster (Requires = 'Cluster') are run by VoxModule.Cluster.Tests.ps1 against its own cluster.
    $script:HelpExamples = @($script:HelpExamples | Where-Object { -not $_.Requires })
}

Describe 'Help examples' {
    It 'runs every example of the cmdlet and provider help as written, without an error' {
        $script:HelpExamples.Count | Should -BeGreaterThan 35
        $sandbox = New-VoxSandbox 'help-clone'
        $out = Invoke-VoxExamples $sandbox ([string[]] $script:HelpExamples.Code)
        $results = @($out | Where-Object { $_ -like 'EXAMPLE *' })
        $results.Count | Should -Be $script:HelpExamples.Count -Because ($out -join "`n")
        $failed = for ($i = 0; $i -lt $results.Count; $i++) {
            if ($results[$i] -notlike "EXAMPLE $i OK") { "$($script:HelpExamples[$i].Topic): $($script:HelpExamples[$i].Code)`n    -> $($results[$i])" }
        }
        $failed | Should -BeNullOrEmpty
    }

    It 'runs the README''s module example block as written, line by line, without an error' {
        $readme = Get-Content -Raw (Join-Path $script:Repo 'README.md')
        $section = $readme.Substring($readme.IndexOf('## Using the PowerShell module'))
        $block = [regex]::Match($section, '```powershell\r?\n(?<code>.*?)```', 'Singleline').Groups['code'].Value
        $lines = @($block -split '\r?\n' | Where-Object { $_.Trim() })
        $lines.Count | Should -BeGreaterThan 5
        $lines[0] | Should -BeLike 'Import-Module ./out/VoxScheduler/VoxScheduler.psd1*'
        $sandbox = New-VoxSandbox 'readme-clone'
        Copy-Item (Split-Path $script:VoxModulePath) -Destination (New-Item -ItemType Directory (Join-Path $sandbox 'out')).FullName -Recurse
        # The lines share one scope, as when pasted into a session ($e, the lab: drive).
        $out = Invoke-VoxExamples $sandbox @($lines -join "`n") -NoImport
        $out | Should -Contain 'EXAMPLE 0 OK' -Because ($out -join "`n")
        Join-Path $sandbox 'sum.json' | Should -Exist
        Get-Content -Raw (Join-Path $sandbox 'sum-copy.json') | Should -Be (Get-Content -Raw (Join-Path $sandbox 'sum.json'))
    }
}

Describe 'Help pages' {
    It 'has provider help for VoxStore, not a cmdlet''s page' {
        $help = Get-Help VoxStore
        $help.Category | Should -Be 'Provider'
        $help.Name | Should -Be 'VoxStore'
        ($help | Out-String) | Should -Match '-Create'
    }

    It 'shows the defaults that exist instead of None' {
        (Get-Help Submit-VoxDag -Parameter MaxRetries).defaultValue | Should -Be '3'
        (Get-Help Submit-VoxDag -Parameter MaxConcurrency).defaultValue | Should -Be '4'
        (Get-Help Submit-VoxDag -Parameter NodeTimeout).defaultValue | Should -Be 'no limit'
        (Get-Help Submit-VoxDag -Parameter Wait).defaultValue | Should -Be 'False'
        (Get-Help Show-VoxDag -Parameter As).defaultValue | Should -Be 'Mermaid'
        (Get-Help Get-VoxProgress -Parameter Interval).defaultValue | Should -Be '1 s'
        (Get-Help Register-VoxOperation -Parameter Purity).defaultValue | Should -Be 'Pure'
        (Get-Help Submit-VoxDag -Parameter Name).defaultValue | Should -Be 'None'
    }

    It 'promises no online page that does not exist' {
        # Copy-VoxItem (and Copy-Item, its alias) forwards to the help of Microsoft.PowerShell.Management\Copy-Item, whose page exists.
        $realCopy = (Get-Command Microsoft.PowerShell.Management\Copy-Item).HelpUri
        foreach ($command in Get-Command -Module VoxScheduler) {
            if ($command.Name -in 'Copy-VoxItem', 'Copy-Item') { $command.HelpUri | Should -Be $realCopy; continue }
            $command.HelpUri | Should -BeNullOrEmpty -Because $command.Name
        }
        (Get-Module VoxScheduler).HelpInfoUri | Should -BeNullOrEmpty
    }
}
