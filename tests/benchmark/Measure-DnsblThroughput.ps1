<#
.SYNOPSIS
    Test-Dnsbl with default settings against the set-ups users have, each beside dnsperf on the
    same server and names in the same run; peak memory; and the peer, side by side.
.DESCRIPTION
    Starts its own DnsLab (tests/lab/DnsLab.psm1) with ONE rbldnsd serving the 20 bench zones,
    and measures Test-Dnsbl with its defaults (no -ThrottleLimit, -TimeoutSec or -Retry) over
    N addresses of 10.0.0.0/16 x 20 zones:
      Plain    one plain rbldnsd (a list operator's or feed user's own server);
      Unbound  Debian unbound in front of it (stub zones), cache cold for Test-Dnsbl; dnsperf
               runs AFTER it, on the same names, so dnsperf's figure is unbound's warm cache;
      Delayed  dnsdist adding 50 ms to every answer (internet latency), in front of it;
      Lossy    dnsdist dropping 5 % of queries at random, in front of it;
      Memory   -LargeAddresses x 20 written to CSV with Export-Csv (as a scheduled job does),
               peak RSS (VmHWM) of the process;
      Peer     ../shared/bench/peer-bench.sh (needs root and unshare): PSBlackListChecker,
               unmodified, and Test-Dnsbl in a private network namespace, lookups/s side by side.
    Each Test-Dnsbl run is a fresh child pwsh (clean peak RSS, empty session cache). Every result
    is compared with the known listing rule of the bench zones (10.0.x.y is listed in benchNN
    exactly when (x*256+y) % 100 == NN): a false verdict is Listed where not listed, NotListed
    where listed, or any other status. Error results are counted apart (timeouts among them).
    The dnsperf ceiling is `dnsperf -c 8 -T 2 -q <Q>` on the A questions Test-Dnsbl asks.
.EXAMPLE
    dotnet pwsh ./build.ps1 Benchmark
.EXAMPLE
    ./tests/benchmark/Measure-DnsblThroughput.ps1 -Quick -Scenario Plain, Lossy
#>
[CmdletBinding(DefaultParameterSetName = 'Main')]
param(
    # Addresses x 20 zones for Plain, Unbound and Lossy.
    [Parameter(ParameterSetName = 'Main')][ValidateRange(100, 65536)][int] $Addresses = 10000,
    # Addresses x 20 zones through dnsdist +50 ms.
    [Parameter(ParameterSetName = 'Main')][ValidateRange(100, 65536)][int] $DelayedAddresses = 2000,
    # Addresses x 20 zones for the peak-RSS run (past 10.0.255.255 it goes on in 10.1/16, unlisted).
    [Parameter(ParameterSetName = 'Main')][ValidateRange(100, 10000000)][int] $LargeAddresses = 100000,
    [Parameter(ParameterSetName = 'Main')][ValidateSet('Plain', 'Unbound', 'Delayed', 'Lossy', 'Memory', 'Peer')]
    [string[]] $Scenario = @('Plain', 'Unbound', 'Delayed', 'Lossy', 'Memory', 'Peer'),
    # A small version in about two minutes: 1,000 / 500 / 10,000 addresses, peer 100 / 10.
    [Parameter(ParameterSetName = 'Main')][switch] $Quick,
    # Runs of Test-Dnsbl and dnsperf for Plain (best of each), since other work moves both.
    [Parameter(ParameterSetName = 'Main')][ValidateRange(1, 5)][int] $Repeat = 2,
    # Only for experiments: 0 = the cmdlet's default (what the targets are about).
    [Parameter(ParameterSetName = 'Main')][int] $ThrottleLimit = 0,
    # peer-bench.sh; default $env:MAILBLACKLIST_PEER_BENCH, else ../shared/bench/peer-bench.sh.
    [Parameter(ParameterSetName = 'Main')][string] $PeerBench = $env:MAILBLACKLIST_PEER_BENCH,
    [Parameter(ParameterSetName = 'Main')][ValidateRange(10, 100000)][int] $PeerAddresses = 1000,
    [Parameter(ParameterSetName = 'Main')][ValidateRange(10, 100000)][int] $PeerDelayedAddresses = 100,
    # The installed module to measure (default: out/MailBlacklist, as built by build.ps1).
    [Parameter(ParameterSetName = 'Main')][Parameter(ParameterSetName = 'Worker')][string] $ModulePath,

    # Internal: one Test-Dnsbl run in this (child) process; prints one JSON line.
    [Parameter(ParameterSetName = 'Worker', Mandatory)][switch] $Worker,
    [Parameter(ParameterSetName = 'Worker', Mandatory)][string] $Server,
    [Parameter(ParameterSetName = 'Worker', Mandatory)][int] $Count,
    [Parameter(ParameterSetName = 'Worker')][int] $Throttle,
    # Write the results here with Export-Csv instead of collecting them.
    [Parameter(ParameterSetName = 'Worker')][string] $CsvPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$Root = Split-Path (Split-Path $PSScriptRoot -Parent) -Parent
if (-not $ModulePath) { $ModulePath = Join-Path $Root 'out/MailBlacklist/MailBlacklist.psd1' }
$CatalogPath = Join-Path $Root 'tests/lab/catalog.json'
$ZoneCount = 20
$BenchZones = 1..$ZoneCount | ForEach-Object { 'bench{0:D2}.bl.test' -f $_ }

# The i-th benchmark address: 10.0.0.0, 10.0.0.1, ... (past 10.0.255.255 it goes on in 10.1/16,
# which no bench zone lists).
function Get-BenchAddress([int] $Index) {
    '10.{0}.{1}.{2}' -f ($Index -shr 16), (($Index -shr 8) -band 255), ($Index -band 255)
}

# The bench zones' listing rule (see Get-DnsLabBenchListing), from the address and zone names.
function Test-BenchListed([string] $Address, [string] $Zone) {
    $o = $Address.Split('.')
    if ($o[0] -ne '10' -or $o[1] -ne '0') { return $false }
    return ((([int]$o[2] * 256 + [int]$o[3]) % 100) -eq [int]$Zone.Substring(5, 2))
}

if ($Worker) {
    . (Join-Path $PSScriptRoot 'BenchWorker.ps1')
    return
}

. (Join-Path $PSScriptRoot 'BenchReport.ps1')
if ($Quick) {
    foreach ($p in @(@('Addresses', 1000), @('DelayedAddresses', 500), @('LargeAddresses', 10000), @('PeerAddresses', 100), @('PeerDelayedAddresses', 10))) {
        if (-not $PSBoundParameters.ContainsKey($p[0])) { Set-Variable -Name $p[0] -Value $p[1] }
    }
}
if (-not (Test-Path -LiteralPath $ModulePath)) { throw "Module not found at ${ModulePath}: run ./build.ps1 Build first." }
Import-Module (Join-Path $Root 'tests/lab/DnsLab.psm1') -Force
Install-DnsLabPackage
$dnsperf = Find-DnsLabProgram dnsperf
if (-not $dnsperf) { throw 'dnsperf is missing (Debian package dnsperf).' }
# Details are matched in English (timeouts); the child processes inherit this.
$env:LANG = 'C.UTF-8'; $env:LC_ALL = 'C.UTF-8'

$cores = [Environment]::ProcessorCount
$cpu = if (Test-Path /proc/cpuinfo) { (Get-Content /proc/cpuinfo | Where-Object { $_ -like 'model name*' } | Select-Object -First 1) -replace '^.*:\s*', '' } else { '' }
"Machine: $cores cores ($cpu), $([System.Runtime.InteropServices.RuntimeInformation]::OSDescription)"
"pwsh $($PSVersionTable.PSVersion), module $ModulePath"
"Test-Dnsbl settings: $(if ($ThrottleLimit -gt 0) { "-ThrottleLimit $ThrottleLimit (NOT the default)" } else { 'defaults (no -ThrottleLimit, -TimeoutSec, -Retry)' }); every run a fresh pwsh"
Write-LoadAverage 'before the run'

$summary = [System.Collections.Generic.List[object]]::new()
$labScenarios = @($Scenario | Where-Object { $_ -ne 'Peer' })
if ($labScenarios.Count -gt 0) {
    $lab = Start-DnsLab -RbldnsdCount 1
    try {
        "Lab: rbldnsd $($lab.Rbldnsd) (one process, 20 bench zones); unbound $($lab.Unbound); dnsdist +50 ms $($lab.Delayed); dnsdist 5 % drop $($lab.Lossy)"
        $plan = [ordered]@{
            Plain   = @{ Endpoint = $lab.Rbldnsd; Count = $Addresses; Q = 100; Label = "(1) one plain rbldnsd $($lab.Rbldnsd)" }
            Unbound = @{ Endpoint = $lab.Unbound; Count = $Addresses; Q = 500; Label = "(2) unbound $($lab.Unbound) -> rbldnsd (stub zones)" }
            Delayed = @{ Endpoint = $lab.Delayed; Count = $DelayedAddresses; Q = 1000; Label = "(3) dnsdist +50 ms $($lab.Delayed) -> rbldnsd" }
            Lossy   = @{ Endpoint = $lab.Lossy; Count = $Addresses; Q = 100; Label = "(4) dnsdist dropping 5 % $($lab.Lossy) -> rbldnsd" }
        }
        foreach ($name in $plan.Keys) {
            if ($name -notin $Scenario) { continue }
            $s = $plan[$name]
            ''
            "$($s.Label): $('{0:N0}' -f $s.Count) addresses x $ZoneCount zones"
            $queryFile = New-BenchQueryFile -Dir $lab.Dir -Count $s.Count
            $perfRuns = [System.Collections.Generic.List[object]]::new()
            $ourRuns = [System.Collections.Generic.List[object]]::new()
            $times = if ($name -eq 'Plain') { $Repeat } else { 1 }
            if ($name -eq 'Unbound') {
                # Test-Dnsbl first, on unbound's cold cache; dnsperf then finds it warm.
                $ourRuns.Add((Invoke-BenchWorker -Server $s.Endpoint -Count $s.Count -Throttle $ThrottleLimit))
                $perfRuns.Add((Invoke-Dnsperf -Endpoint $s.Endpoint -QueryFile $queryFile -Outstanding $s.Q))
            } else {
                for ($i = 0; $i -lt $times; $i++) {
                    $perfRuns.Add((Invoke-Dnsperf -Endpoint $s.Endpoint -QueryFile $queryFile -Outstanding $s.Q))
                    $ourRuns.Add((Invoke-BenchWorker -Server $s.Endpoint -Count $s.Count -Throttle $ThrottleLimit))
                }
            }
            foreach ($p in $perfRuns) { Write-DnsperfRun $p $(if ($name -eq 'Unbound') { 'warm cache, after Test-Dnsbl' } else { '' }) }
            $i = 0
            foreach ($r in $ourRuns) { $i++; Write-OurRun "Test-Dnsbl$(if ($ourRuns.Count -gt 1) { " run $i" })$(if ($name -eq 'Unbound') { ', cold cache' })" $r }
            $summary.Add((Get-ScenarioVerdict -Name $name -Perf $perfRuns -Ours $ourRuns))
            Write-LoadAverage "after $name"
        }

        if ('Memory' -in $Scenario) {
            ''
            "(5) memory: $('{0:N0}' -f $LargeAddresses) addresses x $ZoneCount zones | Export-Csv, one plain rbldnsd $($lab.Rbldnsd)"
            $csv = Join-Path $lab.Dir 'bench-results.csv'
            $run = Invoke-BenchWorker -Server $lab.Rbldnsd -Count $LargeAddresses -Throttle $ThrottleLimit -CsvPath $csv
            Write-OurRun 'Test-Dnsbl | Export-Csv' $run
            '    CSV {0:N1} MB' -f ((Get-Item -LiteralPath $csv).Length / 1MB)
            Remove-Item -LiteralPath $csv
            $summary.Add((Get-ScenarioVerdict -Name 'Memory' -Perf @() -Ours @($run)))
        }
    } finally {
        Stop-DnsLab -Lab $lab
    }
}

if ('Peer' -in $Scenario) {
    ''
    $peer = Invoke-PeerBench -Script $PeerBench -Direct $PeerAddresses -Delayed $PeerDelayedAddresses
    foreach ($v in $peer) { $summary.Add($v) }
}

''
'Summary (targets from issue 8; same run, this machine):'
$summary | Format-Table -AutoSize Scenario, Figure, Reference, Target, Met | Out-String -Width 220
$notMet = @($summary | Where-Object Met -eq 'NO')
if ($notMet.Count -gt 0) { "Targets not met: $(($notMet | ForEach-Object Scenario) -join ', ')" } else { 'All measured targets met.' }
