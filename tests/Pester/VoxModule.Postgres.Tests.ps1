#requires -Version 7.6
# A VoxStore drive over a namespace of a PostgreSQL database (the cluster's shared store, issue 16):
# a real PostgreSQL on a free loopback port, started from Debian's binaries by this file
# (tools/ClusterServers.psm1) and stopped at the end. Without the binaries the tests are skipped
# and say why, unless CI requires them (VOXSCHEDULER_REQUIRE_POSTGRES=1): then they fail.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'VoxModule.Helpers.ps1')
    Initialize-VoxTestSession
    Import-Module (Join-Path $PSScriptRoot '../../tools/ClusterServers.psm1') -Force
    $script:SkipReason = $null
    if (-not (Find-VoxPostgresBin)) {
        if ($env:VOXSCHEDULER_REQUIRE_POSTGRES -eq '1') { throw 'PostgreSQL server binaries are required (VOXSCHEDULER_REQUIRE_POSTGRES=1) but missing: run tools/install-cluster-deps.sh.' }
        $script:SkipReason = 'no PostgreSQL server binaries (Debian: apt-get install postgresql; tools/install-cluster-deps.sh installs them)'
        return
    }
    $temp = [IO.Path]::GetTempPath()
    # Servers of test runs that died without stopping theirs (same layout as the xunit fixture's).
    Remove-VoxAbandonedServer -Parent $temp -Filter 'vox-pg-*'
    $script:PgFolder = Join-Path $temp ('vox-pg-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
    $script:Pg = Start-VoxPostgres -Folder $script:PgFolder -OwnerProcessId $PID -NoSync
    $script:ConnectionFile = $script:Pg.ConnectionFile
    # The same server named without its secret, for -Credential.
    $full = (Get-Content -Raw -LiteralPath $script:ConnectionFile).Trim()
    $script:Password = ($full -split ';' | Where-Object { $_ -like 'Password=*' }) -replace '^Password=', ''
    $script:NoSecretFile = Join-Path $TestDrive 'connection-without-secret'
    Set-Content -LiteralPath $script:NoSecretFile -Value (($full -split ';' | Where-Object { $_ -notlike 'Password=*' -and $_ -notlike 'Username=*' }) -join ';')
    function New-Namespace { 'pester/' + [guid]::NewGuid().ToString('N').Substring(0, 10) }
}

AfterAll {
    Get-PSDrive -PSProvider VoxStore -ErrorAction SilentlyContinue | Where-Object Name -like 'pg*' | Remove-PSDrive -ErrorAction SilentlyContinue
    if ($script:PgFolder) {
        Stop-VoxPostgres -Folder $script:PgFolder
        Remove-Item -LiteralPath $script:PgFolder -Recurse -Force -ErrorAction SilentlyContinue
    }
}

Describe 'A VoxStore drive over a postgres namespace' {
    BeforeEach {
        if ($script:SkipReason) { Set-ItResult -Skipped -Because $script:SkipReason }
    }

    It 'runs a program into the namespace, serves a rerun from it and reads it back through the drive' {
        if ($script:SkipReason) { return }
        $ns = New-Namespace
        $null = New-PSDrive -Name pg1 -PSProvider VoxStore -Root $ns -Backend postgres -ConnectionFile $script:ConnectionFile -Create
        $first = Submit-VoxDag -Program 'print "m" 6 * 7' -Store pg1: -Wait
        $first.Value | Should -Be 42
        $first.Status | Should -Be 'Completed'
        (Submit-VoxDag -Program 'print "m" 6 * 7' -Store pg1: -Wait).Status | Should -Be 'Cached'

        (Get-PSDrive pg1).Backend | Should -Be 'postgres'
        (Get-PSDrive pg1).StorePath | Should -Be $ns
        $item = Get-ChildItem pg1:\ | Where-Object Operator -eq default.mul
        $item.NodeId | Should -Be $first.NodeId
        Get-Content "pg1:\$($first.NodeId)" | Should -Be 42
        $executions = @(Get-ChildItem pg1:\executions)
        $executions.Count | Should -Be 2
        (Get-VoxExecution -Store pg1: | Measure-Object).Count | Should -Be 2
        (Get-VoxResult -Id $first.ExecutionId).Value | Should -Be 42
        Remove-Item "pg1:\$($first.NodeId)" -Confirm:$false
        Test-Path "pg1:\$($first.NodeId)" | Should -BeFalse
    }

    It 'keeps namespaces apart: another namespace does not see the results' {
        if ($script:SkipReason) { return }
        $a = New-Namespace
        $b = New-Namespace
        $null = New-PSDrive -Name pg2 -PSProvider VoxStore -Root $a -Backend postgres -ConnectionFile $script:ConnectionFile -Create
        $null = New-PSDrive -Name pg3 -PSProvider VoxStore -Root $b -Backend postgres -ConnectionFile $script:ConnectionFile -Create
        $r = Submit-VoxDag -Program 'print "s" 40 + 2' -Store pg2: -Wait
        Test-Path "pg2:\$($r.NodeId)" | Should -BeTrue
        Test-Path "pg3:\$($r.NodeId)" | Should -BeFalse
        (Submit-VoxDag -Program 'print "s" 40 + 2' -Store pg3: -Wait).Status | Should -Be 'Completed'
    }

    It 'opens an existing namespace only, unless -Create' {
        if ($script:SkipReason) { return }
        $ns = New-Namespace
        { New-PSDrive -Name pg4 -PSProvider VoxStore -Root $ns -Backend postgres -ConnectionFile $script:ConnectionFile -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*There is no postgres store*-Create*'
        Get-PSDrive -Name pg4 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'takes the user name and password from -Credential' {
        if ($script:SkipReason) { return }
        $credential = [pscredential]::new('vox', (ConvertTo-SecureString $script:Password -AsPlainText -Force))
        $null = New-PSDrive -Name pg5 -PSProvider VoxStore -Root (New-Namespace) -Backend postgres -ConnectionFile $script:NoSecretFile -Credential $credential -Create
        (Submit-VoxDag -Program 'print "c" 2 * 21' -Store pg5: -Wait).Value | Should -Be 42
        # The drive keeps no credential for others to read.
        (Get-PSDrive pg5).Credential.UserName | Should -BeNullOrEmpty
    }

    It 'refuses a credential or a connection file on a folder drive' {
        if ($script:SkipReason) { return }
        $credential = [pscredential]::new('vox', (ConvertTo-SecureString 'x' -AsPlainText -Force))
        { New-PSDrive -Name pg6 -PSProvider VoxStore -Root (Join-Path $TestDrive 'folder') -Credential $credential -Create -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*for -Backend postgres*'
    }

    It 'says where it looks for the connection string when there is none, in a fresh process' {
        if ($script:SkipReason) { return }
        $command = "`$env:VOXSCHEDULER_POSTGRES = `$null; Import-Module '$script:VoxModulePath'; try { New-PSDrive -Name pgx -PSProvider VoxStore -Root ns -Backend postgres -Create -ErrorAction Stop } catch { `$_.FullyQualifiedErrorId; `$_.Exception.Message }"
        $output = (Invoke-VoxFreshPwsh -Command $command) -join "`n"
        $output | Should -BeLike '*VoxStoreUnavailable*'
        $output | Should -BeLike '*VOXSCHEDULER_POSTGRES*'
        $output | Should -BeLike '*-Credential*'
    }
}
