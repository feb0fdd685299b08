#requires -Version 7.6
# Every acceptance program of tests/programs through Submit-VoxDag -Wait, checked against its
# .expected.json (goals, failed goals, saved files, validation errors).
BeforeDiscovery {
    $programsPath = [IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../programs'))
    $programs = Get-ChildItem $programsPath -Filter '*.imgql' | ForEach-Object {
        $expected = [IO.Path]::ChangeExtension($_.FullName, '.expected.json')
        $spec = Get-Content -Raw $expected | ConvertFrom-Json
        # One test per section the expectation has, so no test passes vacuously.
        $has = { param($n) [bool] $spec.PSObject.Properties[$n] }
        @{
            Name = $_.BaseName; Program = $_.FullName; Expected = $expected
            GoalCases = @(if (& $has 'goals') { @{} }); FailedCases = @(if (& $has 'failed') { @{} })
            FileCases = @(if (& $has 'files') { @{} }); ValidationCases = @(if (& $has 'validation_errors') { @{} })
        }
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'VoxModule.Helpers.ps1')
    Initialize-VoxTestSession
}

Describe 'Acceptance program <Name>' -ForEach $programs {
    BeforeAll {
        $script:Spec = Get-Content -Raw $Expected | ConvertFrom-Json
        $script:Tolerance = if ($script:Spec.PSObject.Properties['tolerance']) { [double] $script:Spec.tolerance } else { 0 }
        # Each program runs in its own folder (its save goals write there) on its own store.
        $script:RunDir = Join-Path $TestDrive $Name
        $null = New-Item -ItemType Directory $script:RunDir -Force
        Copy-Item $Program $script:RunDir
        Push-Location $script:RunDir
        try {
            $script:Results = @(Submit-VoxDag -Path (Split-Path $Program -Leaf) -Store (Join-Path $TestDrive "$Name-store") -Wait -ErrorVariable runErrors -ErrorAction SilentlyContinue)
        }
        finally { Pop-Location }
        $script:Errors = @($runErrors)
    }

    It 'produces every expected goal value' -ForEach $GoalCases {
        foreach ($goal in $script:Spec.goals) {
            $result = $script:Results | Where-Object Goal -ceq $goal.name
            $result | Should -Not -BeNullOrEmpty -Because "goal '$($goal.name)' must be reported"
            $result.Status | Should -BeIn 'Completed', 'Cached' -Because "goal '$($goal.name)' must succeed ($($result.Error))"
            Test-VoxValueEqual $result.Value $goal.value $script:Tolerance | Should -BeTrue -Because "goal '$($goal.name)' is $($goal.value | ConvertTo-Json -Compress), not $($result.Value | ConvertTo-Json -Compress)"
        }
    }

    It 'fails the expected goals with their messages' -ForEach $FailedCases {
        foreach ($f in $script:Spec.failed) {
            $result = $script:Results | Where-Object Goal -ceq $f.name
            $result | Should -Not -BeNullOrEmpty -Because "failed goal '$($f.name)' must be reported"
            $result.Status | Should -BeIn 'Failed', 'Skipped'
            $result.Error | Should -Not -BeNullOrEmpty
            $result.Error | Should -BeLike "*$($f.message_contains)*"
        }
    }

    It 'reports no error records for a valid program but one VoxGoalFailed per failed goal' -ForEach @(if (-not $ValidationCases) { @{} }) {
        $script:Errors | Where-Object { $_.FullyQualifiedErrorId -notlike 'VoxGoalFailed,*' } | Should -BeNullOrEmpty
        $failedGoals = @($script:Results | Where-Object Status -in 'Failed', 'Skipped')
        @($script:Errors | Where-Object { $_.FullyQualifiedErrorId -like 'VoxGoalFailed,*' }).Count | Should -Be $failedGoals.Count
        $script:Results | Should -Not -BeNullOrEmpty
    }

    It 'writes the expected files relative to the PowerShell location' -ForEach $FileCases {
        foreach ($file in $script:Spec.files.PSObject.Properties) {
            $path = Join-Path $script:RunDir $file.Name
            Test-Path -LiteralPath $path | Should -BeTrue -Because "$($file.Name) must be saved"
            if ($file.Name -like '*.json') {
                $actual = Get-Content -Raw -LiteralPath $path | ConvertFrom-Json -NoEnumerate
                ($actual | ConvertTo-Json -Compress -Depth 20) | Should -Be ($file.Value | ConvertTo-Json -Compress -Depth 20)
            }
            else {
                Get-Content -Raw -LiteralPath $path | Should -BeExactly $file.Value
            }
        }
    }

    It 'rejects the program with one VoxProgramInvalid error per expected diagnostic' -ForEach $ValidationCases {
        $script:Results | Should -BeNullOrEmpty
        foreach ($v in $script:Spec.validation_errors) {
            $match = $script:Errors | Where-Object {
                $_.FullyQualifiedErrorId -like 'VoxProgramInvalid,*' -and $_.Exception.Line -eq $v.line -and $_.Exception.Column -eq $v.column
            }
            $match | Should -Not -BeNullOrEmpty -Because "an error at $($v.line):$($v.column) is expected"
            ($match | Select-Object -First 1).Exception.Message | Should -BeLike "*$($v.message_contains)*"
            ($match | Select-Object -First 1).Exception.Message | Should -Match "$([regex]::Escape($Name)).imgql:$($v.line):$($v.column)"
        }
    }
}
