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
