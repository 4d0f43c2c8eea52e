# Shared test setup: dot-source in BeforeAll. The module under test is the built one (out/),
# and the DNS lab is the one build.ps1 started; both are named by environment variables, so a
# test file can also run alone against a lab started by hand (see tests/lab/DnsLab.psm1).
$script:ModulePath = if ($env:MAILBLACKLIST_TEST_MODULE) { $env:MAILBLACKLIST_TEST_MODULE } else {
    Join-Path $PSScriptRoot '../out/MailBlacklist/MailBlacklist.psd1'
}
Import-Module $script:ModulePath -Force
if (-not $env:MAILBLACKLIST_TEST_LAB) { throw 'MAILBLACKLIST_TEST_LAB is not set: run the tests through ./build.ps1 Test, or start the lab with tests/lab/DnsLab.psm1.' }
$script:Lab = $env:MAILBLACKLIST_TEST_LAB | ConvertFrom-Json
$script:LabCatalog = Join-Path $PSScriptRoot 'lab/catalog.json'
$script:Corpus = Join-Path $PSScriptRoot 'corpus/bounces'

# Runs a child pwsh of the same installation (a dotnet tool: pwsh.dll run by dotnet).
function Invoke-ChildPwsh([string] $Command) {
    $dll = Join-Path $PSHOME 'pwsh.dll'
    if (Test-Path $dll) { & dotnet $dll -NoProfile -NonInteractive -Command $Command 2>&1 }
    else { & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command $Command 2>&1 }
}

# Ctrl+C as a user presses it: starts the prepared command, waits until it has DNS queries on the
# wire, stops it, and checks that it ended within a second and that no query outlived it (without
# cancellation the queries would wait out their whole budget). The one timing bound in the suite:
# it is the behaviour asked for, not a speed figure.
function Assert-StopsWithQueriesOnTheWire([powershell] $Ps, [int] $StartSeconds = 10) {
    $handle = $Ps.BeginInvoke()
    $deadline = [DateTime]::UtcNow.AddSeconds($StartSeconds)
    while ([MailBlacklist.Engine.Dns.QueryService]::Outstanding -eq 0 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
    [MailBlacklist.Engine.Dns.QueryService]::Outstanding | Should -BeGreaterThan 0
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $Ps.Stop()   # returns when the pipeline has stopped
    $watch.Stop()
    $watch.Elapsed.TotalSeconds | Should -BeLessThan 1
    $handle.IsCompleted | Should -BeTrue
    $Ps.InvocationStateInfo.State | Should -Be 'Stopped'
    # A few seconds for the cancelled tasks to unwind on a loaded 2-core machine.
    $deadline = [DateTime]::UtcNow.AddSeconds(8)
    while ([MailBlacklist.Engine.Dns.QueryService]::Outstanding -ne 0 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
    [MailBlacklist.Engine.Dns.QueryService]::Outstanding | Should -Be 0
}
