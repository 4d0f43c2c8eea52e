<#
.SYNOPSIS
    The one entry point: build, test, package and benchmark MailBlacklist.
.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 Test
#>
[CmdletBinding()]
param(
    # Build: publish the installable module to out/MailBlacklist.
    # Test: Build, run the engine's xUnit tests, start the loopback DNS lab, run Pester, stop the lab.
    # Package: Build, then write out/packages/MailBlacklist.<version>.nupkg.
    # BounceCorpus: Build, then measure Get-BounceReason against tests/corpus/bounces.
    # Benchmark: Build, then tests/benchmark/Measure-DnsblThroughput.ps1 (its own lab and, as root,
    # the peer bench in ../shared/bench; prints figures beside dnsperf and the peer).
    # BounceSpeed: Build, then tests/benchmark/Measure-BounceSpeed.ps1 (Get-BounceReason beside p5-sisimai).
    [ValidateSet('Build', 'Test', 'Package', 'Clean', 'BounceCorpus', 'Benchmark', 'BounceSpeed')]
    [string[]] $Task = 'Build',
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',
    # Pester -FullNameFilter, to run part of the suite.
    [string[]] $TestName,
    # Benchmark: the small version (about 1/10 of the addresses), and which scenarios to run
    # (Plain, Unbound, Delayed, Lossy, Memory, Peer; default all).
    [switch] $Quick,
    [string[]] $Scenario
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$env:NO_COLOR = '1'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'

$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleOut = Join-Path $Out 'MailBlacklist'

function Invoke-Native {
    param([string] $File, [string[]] $Arguments)
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

function Invoke-Clean {
    if (Test-Path $Out) { Remove-Item $Out -Recurse -Force }
}

function Invoke-Build {
    if (Test-Path $ModuleOut) { Remove-Item $ModuleOut -Recurse -Force }
    # One private folder per framework (bin/net8.0 for PowerShell 7, bin/net472 for Windows
    # PowerShell 5.1): the cmdlets, the engine, the loader and every dependency. The module
    # root holds only what PowerShell reads by name: manifest, psm1, formats, help, catalogue.
    foreach ($framework in 'net8.0', 'net472') {
        Invoke-Native dotnet @('publish', (Join-Path $Root 'src/MailBlacklist/MailBlacklist.csproj'),
            '-c', $Configuration, '-f', $framework, '-o', (Join-Path $ModuleOut "bin/$framework"),
            '--nologo', '-v', 'q', '-clp:NoSummary')
        # PowerShell never needs these; they only confuse a reader of the module folder.
        Get-ChildItem (Join-Path $ModuleOut "bin/$framework") -Filter '*.deps.json' | Remove-Item
        # The catalogue is the user's to read and copy: one copy, at the module root.
        Move-Item (Join-Path $ModuleOut "bin/$framework/catalog.json") $ModuleOut -Force
    }
    Copy-Item (Join-Path $Root 'MailBlacklist.psd1'), (Join-Path $Root 'MailBlacklist.psm1'),
        (Join-Path $Root 'src/MailBlacklist/MailBlacklist.Format.ps1xml') $ModuleOut
    foreach ($culture in 'en-US', 'ja-JP') {
        $dest = Join-Path $ModuleOut $culture
        New-Item -ItemType Directory -Force $dest | Out-Null
        Copy-Item (Join-Path $Root "$culture/*") $dest -Recurse -Force
    }
    # Get-Help looks in the UI culture's folder, then its parent: a bare "ja" (LANG=ja) never
    # reaches ja-JP, so the Japanese help also goes to ja.
    $ja = Join-Path $ModuleOut 'ja'
    New-Item -ItemType Directory -Force $ja | Out-Null
    Copy-Item (Join-Path $Root 'ja-JP/*') $ja -Recurse -Force
    Write-Host "Built $ModuleOut"
}

function Get-PesterModulePath {
    # Pester comes from NuGet (PSGallery is not always reachable); the project pins the version.
    $proj = Join-Path $Root 'tests/Dependencies.proj'
    Invoke-Native dotnet @('restore', $proj, '--nologo', '-v', 'q')
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else {
        ((dotnet nuget locals global-packages -l) -replace '^global-packages:\s*', '').Trim()
    }
    # The isolation tests load other versions of our libraries from here.
    $env:MAILBLACKLIST_TEST_NUGET = $packages
    $version = ([xml](Get-Content $proj -Raw)).Project.ItemGroup.PackageDownload |
        Where-Object Include -eq 'Pester' | ForEach-Object { $_.Version.Trim('[', ']') }
    Join-Path $packages "pester/$version/tools/Pester.psd1"
}

function Invoke-EngineTest {
    # The engine's xUnit tests (tests/Engine.Tests) need no lab and no PowerShell. Their counts join
    # Pester's in the summary line; a failure is reported and counted, not thrown, so Pester still runs.
    $results = Join-Path $Out 'engine-tests'
    if (Test-Path $results) { Remove-Item $results -Recurse -Force }
    & dotnet test (Join-Path $Root 'tests/Engine.Tests/Engine.Tests.csproj') -c $Configuration --nologo `
        --logger 'trx;LogFileName=engine.trx' --results-directory $results | Out-Host
    $trx = Join-Path $results 'engine.trx'
    if (-not (Test-Path $trx)) {
        Write-Host 'Engine tests did not run (build failed?): counted as one failure.'
        return [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 }
    }
    $c = ([xml](Get-Content $trx -Raw)).TestRun.ResultSummary.Counters
    # xUnit's skips (with their reasons in the .trx) are neither executed nor counted as notExecuted.
    [pscustomobject]@{ Passed = [int]$c.passed; Failed = [int]$c.failed + [int]$c.error + [int]$c.timeout + [int]$c.aborted
        Skipped = [int]$c.total - [int]$c.executed }
}

function Invoke-Test {
    # Package builds the module too; the tests install that package as a user would.
    Invoke-Package
    # A -TestName filter names Pester tests: the engine's own run only with the whole suite.
    $engine = if ($TestName) { [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 0 } } else { Invoke-EngineTest }
    $env:MAILBLACKLIST_TEST_PACKAGES = Join-Path $Out 'packages'
    $pester = Get-PesterModulePath
    Import-Module $pester -Force
    Import-Module (Join-Path $Root 'tests/lab/DnsLab.psm1') -Force
    Install-DnsLabPackage
    $lab = Start-DnsLab
    try {
        # Tests read the lab's addresses and the module path from the environment, so that a test
        # file can also be run alone against a lab started by hand.
        $env:MAILBLACKLIST_TEST_LAB = $lab | Select-Object Rbldnsd, Knot, Dnsdist, Delayed, Dead, Blind, Unbound, Lossy | ConvertTo-Json -Compress
        $env:MAILBLACKLIST_TEST_MODULE = Join-Path $ModuleOut 'MailBlacklist.psd1'
        $config = New-PesterConfiguration
        $config.Run.Path = Join-Path $Root 'tests'
        $config.Run.PassThru = $true
        $config.Output.Verbosity = 'Normal'
        $config.Output.RenderMode = 'Plaintext'
        if ($TestName) { $config.Filter.FullName = $TestName }
        # Tests see PowerShell's default error handling, as a user would, not this script's Stop.
        $ErrorActionPreference = 'Continue'
        Set-StrictMode -Off
        $result = Invoke-Pester -Configuration $config
        $ErrorActionPreference = 'Stop'
    }
    finally {
        Stop-DnsLab -Lab $lab
    }
    if (-not $TestName) {
        Write-Host "Engine (xUnit): $($engine.Passed) passed, $($engine.Failed) failed, $($engine.Skipped) skipped; Pester: $($result.PassedCount) passed, $($result.FailedCount) failed, $($result.SkippedCount) skipped"
    }
    $line = "$($result.PassedCount + $engine.Passed) passed, $($result.FailedCount + $engine.Failed) failed, $($result.SkippedCount + $engine.Skipped) skipped"
    Write-Host $line
    if ($engine.Failed -gt 0 -or $result.FailedCount -gt 0 -or $result.PassedCount -eq 0 -or $result.Result -ne 'Passed') { exit 1 }
}

function Invoke-Benchmark {
    Invoke-Build
    $bench = @{ ModulePath = (Join-Path $ModuleOut 'MailBlacklist.psd1'); Quick = $Quick }
    if ($Scenario) { $bench.Scenario = $Scenario }
    & (Join-Path $Root 'tests/benchmark/Measure-DnsblThroughput.ps1') @bench
}

function Invoke-BounceSpeed {
    Invoke-Build
    & (Join-Path $Root 'tests/benchmark/Measure-BounceSpeed.ps1') -ModulePath (Join-Path $ModuleOut 'MailBlacklist.psd1')
}

function Invoke-Package {
    Invoke-Build
    $repo = Join-Path $Out 'packages'
    New-Item -ItemType Directory -Force $repo | Out-Null
    Get-ChildItem $repo -Filter 'MailBlacklist.*.nupkg' | Remove-Item
    $name = "MailBlacklistBuild$PID"
    Register-PSResourceRepository -Name $name -Uri $repo -Trusted
    try { Publish-PSResource -Path $ModuleOut -Repository $name }
    finally { Unregister-PSResourceRepository -Name $name }
    Get-ChildItem $repo -Filter '*.nupkg' | ForEach-Object { Write-Host "Packaged $($_.FullName)" }
}

function Invoke-BounceCorpus {
    Invoke-Build
    & (Join-Path $Root 'tests/Measure-BounceCorpus.ps1') -ModulePath (Join-Path $ModuleOut 'MailBlacklist.psd1')
}

foreach ($t in $Task) {
    switch ($t) {
        'Clean' { Invoke-Clean }
        'Build' { Invoke-Build }
        'Test' { Invoke-Test }
        'Package' { Invoke-Package }
        'BounceCorpus' { Invoke-BounceCorpus }
        'Benchmark' { Invoke-Benchmark }
        'BounceSpeed' { Invoke-BounceSpeed }
    }
}
