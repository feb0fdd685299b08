# Shared helpers for the Pester tests: dot-source in BeforeAll.

# The built module, as every test imports it.
$script:VoxModulePath = [IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../../out/VoxScheduler/VoxScheduler.psd1'))
# The acceptance programs kept in the repository.
$script:VoxProgramsPath = [IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../programs'))

function Get-VoxPwshCommand {
    # The running pwsh as a command line for a child process. Under 'dotnet pwsh' (the local
    # tool) the process is the dotnet host, which needs pwsh.dll as its first argument.
    $processPath = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($processPath) -eq 'dotnet') {
        return , @($processPath, (Join-Path $PSHOME 'pwsh.dll'))
    }
    return , @($processPath)
}

function Invoke-VoxFreshPwsh {
    # Runs a command in a fresh pwsh and returns its output; $LASTEXITCODE is the child's.
    param([Parameter(Mandatory)] [string] $Command)
    $pwsh = Get-VoxPwshCommand
    $exe = $pwsh[0]
    $arguments = [System.Collections.Generic.List[string]]::new()
    foreach ($a in ($pwsh | Select-Object -Skip 1)) { $arguments.Add($a) }
    $arguments.AddRange([string[]]@('-NoProfile', '-NonInteractive', '-Command', $Command))
    & $exe $arguments.ToArray()
}

function Start-VoxFreshPwsh {
    # Starts a fresh pwsh running a command in the background; returns the Process.
    param([Parameter(Mandatory)] [string] $Command, [string] $StandardOutput, [string] $StandardError)
    $pwsh = Get-VoxPwshCommand
    $arguments = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $Command)
    $params = @{ FilePath = $pwsh[0]; ArgumentList = $arguments; PassThru = $true; NoNewWindow = $true }
    if ($StandardOutput) { $params.RedirectStandardOutput = $StandardOutput }
    if ($StandardError) { $params.RedirectStandardError = $StandardError }
    Start-Process @params
}
