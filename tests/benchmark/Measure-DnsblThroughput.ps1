<#
.SYNOPSIS
    Throughput, memory and completeness of Test-Dnsbl against real DNS servers on loopback.
.DESCRIPTION
    Starts its own DnsLab (tests/lab/DnsLab.psm1) and prints:
      1. the ceiling: dnsperf asking the same questions the cmdlet asks, queries/s;
      2. Test-Dnsbl over -Addresses addresses of 10.0.0.0/16 x the 20 bench zones, queries/s and
         the ratio to (1) (target >= 0.5);
      3. the same through the lab's Delayed dnsdist, which adds 50 ms to every answer
         (target >= 5,000 queries/s);
      4. peak RSS (VmHWM) of a child pwsh running Test-Dnsbl over -Addresses and -LargeAddresses
         addresses (target < 300 MB both, the second <= 1.5x the first);
      5. the count check of every run: results + errors == addresses x zones, and how many
         results are Error (timeouts: a lost UDP answer is an Error, never NotListed).

    Where the client talks to (-Target):
      Dnsdist (default): the lab's dnsdist in front of 4 rbldnsd. rbldnsd reads one UDP socket
        with a fixed 64 KiB receive buffer and silently loses a burst of more than about 118
        queries, so a client with hundreds in flight needs dnsdist's 4 MiB buffers and several
        rbldnsd behind it; it is also the path of (3), so (2) and (3) differ only by the delay.
      Rbldnsd: one rbldnsd directly (ThrottleLimit is then capped at 64 to stay below its buffer).
    The ceiling (1) is always measured against the same endpoint as (2).

    Every Test-Dnsbl run happens in a child pwsh (fresh process: a clean peak RSS and no session
    cache from an earlier run). Throughput runs use -NoCache so that cached answers cannot fake
    the figures; the memory runs use the default (session cache on), the way a user runs it.
.EXAMPLE
    dotnet pwsh ./build.ps1 Benchmark
.EXAMPLE
    ./tests/benchmark/Measure-DnsblThroughput.ps1 -Addresses 2000 -LargeAddresses 20000 -Target Rbldnsd
#>
[CmdletBinding(DefaultParameterSetName = 'Main')]
param(
    [Parameter(ParameterSetName = 'Main')][ValidateRange(100, 65536)][int] $Addresses = 10000,
    [Parameter(ParameterSetName = 'Main')][ValidateRange(100, 1000000)][int] $LargeAddresses = 100000,
    [Parameter(ParameterSetName = 'Main')][ValidateSet('Dnsdist', 'Rbldnsd')][string] $Target = 'Dnsdist',
    [Parameter(ParameterSetName = 'Main')][int] $ThrottleLimit = 0,   # 0 = the cmdlet's default
    [Parameter(ParameterSetName = 'Main')][switch] $SkipMemory,
    # The installed module to measure (default: out/MailBlacklist, as built by build.ps1).
    [Parameter(ParameterSetName = 'Main')][Parameter(ParameterSetName = 'Worker')][string] $ModulePath,

    # Internal: one Test-Dnsbl run in this (child) process; prints one JSON line.
    [Parameter(ParameterSetName = 'Worker', Mandatory)][switch] $Worker,
    [Parameter(ParameterSetName = 'Worker', Mandatory)][string] $Server,
    [Parameter(ParameterSetName = 'Worker', Mandatory)][int] $Count,
    [Parameter(ParameterSetName = 'Worker')][int] $Throttle,
    [Parameter(ParameterSetName = 'Worker')][switch] $NoCache
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$Root = Split-Path (Split-Path $PSScriptRoot -Parent) -Parent
if (-not $ModulePath) { $ModulePath = Join-Path $Root 'out/MailBlacklist/MailBlacklist.psd1' }
$CatalogPath = Join-Path $Root 'tests/lab/catalog.json'
$ZoneCount = 20
$BenchZones = 1..$ZoneCount | ForEach-Object { 'bench{0:D2}.bl.test' -f $_ }

# The i-th benchmark address: 10.0.0.0, 10.0.0.1, ... (past 10.0.255.255 it goes on in 10.1/16,
# which no bench zone lists: the large memory run stays distinct, no answer comes from a cache).
function Get-BenchAddress([int] $Index) {
    '10.{0}.{1}.{2}' -f ($Index -shr 16), (($Index -shr 8) -band 255), ($Index -band 255)
}

if ($Worker) {
    Import-Module $ModulePath
    $list = [string[]]::new($Count)
    for ($i = 0; $i -lt $Count; $i++) { $list[$i] = Get-BenchAddress $i }
    $params = @{ Zone = $BenchZones; Server = $Server; CatalogPath = $CatalogPath; TimeoutSec = 2; Retry = 1 }
    if ($Throttle -gt 0) { $params.ThrottleLimit = $Throttle }
    if ($NoCache) { $params.NoCache = $true }
    $verboseFile = [System.IO.Path]::GetTempFileName()
    $stats = @{ Results = 0L; ErrorResults = 0L; Timeouts = 0L; Listed = 0L; NotListed = 0L; Other = 0L }
    $timeoutText = 'No answer from the resolver'
    $sw = [System.Diagnostics.Stopwatch]::StartNew()
    $list | Test-Dnsbl @params -Verbose -ErrorVariable errs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue 4> $verboseFile |
        ForEach-Object {
            $stats.Results++
            switch ($_.Status) {
                'Listed' { $stats.Listed++ }
                'NotListed' { $stats.NotListed++ }
                'Error' { $stats.ErrorResults++; if ($_.Detail.StartsWith($timeoutText)) { $stats.Timeouts++ } }
                default { $stats.Other++ }
            }
        }
    $seconds = $sw.Elapsed.TotalSeconds
    $verbose = Get-Content -LiteralPath $verboseFile
    Remove-Item -LiteralPath $verboseFile
    $sent = 0; $txt = 0; $cached = 0
    foreach ($line in $verbose) {
        if ($line -match 'Queries sent: (\d+) \(TXT: (\d+)\); answered from cache: (\d+)') {
            $sent = [long]$Matches[1]; $txt = [long]$Matches[2]; $cached = [long]$Matches[3]
        }
    }
    $hwm = (Get-Content /proc/self/status | Where-Object { $_ -like 'VmHWM:*' }) -replace '\D', ''
    [pscustomobject]@{
        Seconds = $seconds; Results = $stats.Results; Errors = $errs.Count; ErrorResults = $stats.ErrorResults
        Timeouts = $stats.Timeouts; Listed = $stats.Listed; NotListed = $stats.NotListed; Other = $stats.Other
        Sent = $sent; Txt = $txt; Cached = $cached; PeakRssMB = [math]::Round([long]$hwm / 1024, 1)
    } | ConvertTo-Json -Compress
    return
}

function Invoke-BenchWorker {
    param([string] $Server, [int] $Count, [int] $Throttle, [switch] $NoCache)
    # This pwsh again; as a dotnet tool the process is dotnet itself, running pwsh.dll.
    $pwsh = (Get-Process -Id $PID).Path
    $argv = @()
    if ([System.IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { $argv += Join-Path $PSHOME 'pwsh.dll' }
    $argv += @('-NoProfile', '-NonInteractive', '-File', $PSCommandPath, '-Worker', '-ModulePath', $ModulePath,
        '-Server', $Server, '-Count', $Count, '-Throttle', $Throttle)
    if ($NoCache) { $argv += '-NoCache' }
    $out = & $pwsh @argv
    if ($LASTEXITCODE -ne 0) { throw "Benchmark worker failed (exit $LASTEXITCODE): $out" }
    $run = ($out | Where-Object { $_ -like '{*' } | Select-Object -Last 1) | ConvertFrom-Json
    $run | Add-Member -NotePropertyName Addresses -NotePropertyValue $Count
    $run | Add-Member -NotePropertyName Qps -NotePropertyValue ($run.Sent / $run.Seconds)
    return $run
}

function Write-Run([string] $Label, $Run) {
    $expected = [long]$Run.Addresses * $ZoneCount
    $ok = ($Run.Results + $Run.Errors) -eq $expected
    '{0}: {1:N0} addresses x {2} zones in {3:N2} s; {4:N0} queries sent (TXT {5:N0}, from cache {6:N0}) = {7:N0} queries/s' -f `
        $Label, $Run.Addresses, $ZoneCount, $Run.Seconds, $Run.Sent, $Run.Txt, $Run.Cached, $Run.Qps
    '    count check: {0:N0} results + {1:N0} errors = {2:N0}, expected {3:N0}: {4}; Listed {5:N0}, NotListed {6:N0}, Error {7:N0} (timeouts {8:N0}), other {9:N0}; peak RSS {10:N1} MB' -f `
        $Run.Results, $Run.Errors, ($Run.Results + $Run.Errors), $expected, $(if ($ok) { 'OK' } else { 'MISMATCH' }),
        $Run.Listed, $Run.NotListed, $Run.ErrorResults, $Run.Timeouts, $Run.Other, $Run.PeakRssMB
    if (-not $ok) { $script:Failures.Add("$Label count check") }
}

$script:Failures = [System.Collections.Generic.List[string]]::new()
if (-not (Test-Path -LiteralPath $ModulePath)) { throw "Module not found at ${ModulePath}: run ./build.ps1 Build first." }
Import-Module (Join-Path $Root 'tests/lab/DnsLab.psm1') -Force
Install-DnsLabPackage
$dnsperf = Find-DnsLabProgram dnsperf
if (-not $dnsperf) { throw 'dnsperf is missing (Debian package dnsperf).' }

$cores = [Environment]::ProcessorCount
$cpu = if (Test-Path /proc/cpuinfo) { (Get-Content /proc/cpuinfo | Where-Object { $_ -like 'model name*' } | Select-Object -First 1) -replace '^.*:\s*', '' } else { '' }
"Machine: $cores cores ($cpu), $([System.Runtime.InteropServices.RuntimeInformation]::OSDescription)"
"pwsh $($PSVersionTable.PSVersion), module $ModulePath"
if (Test-Path /proc/loadavg) { "Load average before the run (other work on this machine skews every figure): $((Get-Content /proc/loadavg) -replace ' \S+ \S+$', '')" }

$lab = Start-DnsLab
try {
    $endpoint = if ($Target -eq 'Rbldnsd') { $lab.Rbldnsd } else { $lab.Dnsdist }
    $throttle = $ThrottleLimit
    if ($Target -eq 'Rbldnsd' -and ($throttle -le 0 -or $throttle -gt 64)) { $throttle = 64 }
    $how = if ($Target -eq 'Rbldnsd') { "one rbldnsd at $endpoint" } else { "dnsdist at $endpoint in front of $(@($lab.RbldnsdAll).Count) rbldnsd" }
    "Target: $how; Test-Dnsbl -ThrottleLimit $(if ($throttle -gt 0) { $throttle } else { 'default' })"

    # (1) The ceiling: the A questions Test-Dnsbl asks (one per address and zone), once each.
    $queryFile = Join-Path $lab.Dir 'bench-queries.txt'
    $writer = [System.IO.StreamWriter]::new($queryFile)
    try {
        for ($i = 0; $i -lt $Addresses; $i++) {
            $parts = (Get-BenchAddress $i).Split('.')
            $reversed = "$($parts[3]).$($parts[2]).$($parts[1]).$($parts[0])"
            foreach ($zone in $BenchZones) { $writer.WriteLine("$reversed.$zone A") }
        }
    } finally { $writer.Dispose() }
    $hostPart, $portPart = $endpoint -split ':'
    $outstanding = if ($Target -eq 'Rbldnsd') { 100 } else { 500 }
    $ceilingRuns = foreach ($n in 1..2) {
        $perf = & $dnsperf -s $hostPart -p $portPart -d $queryFile -n 1 -q $outstanding -b 4096 -t 2 2>&1
        $qps = ($perf | Select-String 'Queries per second:\s+([\d.]+)').Matches[0].Groups[1].Value
        $lost = ($perf | Select-String 'Queries lost:\s+(\d+)').Matches[0].Groups[1].Value
        [pscustomobject]@{ Qps = [double]$qps; Lost = [long]$lost }
    }
    $ceiling = ($ceilingRuns | Measure-Object Qps -Maximum).Maximum
    '(1) ceiling: dnsperf -q {0} against {1}: {2:N0} queries/s (best of 2; lost {3})' -f $outstanding, $how, $ceiling, (($ceilingRuns | ForEach-Object Lost) -join ', ')

    # (2) Test-Dnsbl, no cache, against the same endpoint; best of 2 like the ceiling, because
    # other work on the machine moves both figures.
    $runs2 = foreach ($n in 1..2) { Invoke-BenchWorker -Server $endpoint -Count $Addresses -Throttle $throttle -NoCache }
    $n = 0
    foreach ($r in $runs2) { $n++; Write-Run "(2) Test-Dnsbl -NoCache, run $n" $r }
    $run2 = $runs2 | Sort-Object Qps -Descending | Select-Object -First 1
    $ratio = $run2.Qps / $ceiling
    '    best of 2: {0:N0} queries/s' -f $run2.Qps
    '    ratio to the ceiling: {0:N2} (target >= 0.5): {1}' -f $ratio, $(if ($ratio -ge 0.5) { 'met' } else { 'NOT met' })
    if ($ratio -lt 0.5) { $script:Failures.Add('(2) ratio') }

    # (3) The same through dnsdist adding 50 ms to every answer.
    $run3 = Invoke-BenchWorker -Server $lab.Delayed -Count $Addresses -Throttle $ThrottleLimit -NoCache
    Write-Run "(3) Test-Dnsbl -NoCache via Delayed (+50 ms) $($lab.Delayed)" $run3
    '    target >= 5,000 queries/s: {0}' -f $(if ($run3.Qps -ge 5000) { 'met' } else { 'NOT met' })
    if ($run3.Qps -lt 5000) { $script:Failures.Add('(3) delayed qps') }

    # (4) Peak memory, session cache on (the default).
    if (-not $SkipMemory) {
        $small = Invoke-BenchWorker -Server $endpoint -Count $Addresses -Throttle $throttle
        Write-Run "(4a) memory, $('{0:N0}' -f $Addresses) addresses, cache on" $small
        $large = Invoke-BenchWorker -Server $endpoint -Count $LargeAddresses -Throttle $throttle
        Write-Run "(4b) memory, $('{0:N0}' -f $LargeAddresses) addresses, cache on" $large
        $growth = $large.PeakRssMB / $small.PeakRssMB
        '(4) peak RSS: {0:N1} MB for {1:N0} addresses, {2:N1} MB for {3:N0} (x{4:N2}); target < 300 MB both, <= 1.5x: {5}' -f `
            $small.PeakRssMB, $Addresses, $large.PeakRssMB, $LargeAddresses, $growth,
            $(if ($small.PeakRssMB -lt 300 -and $large.PeakRssMB -lt 300 -and $growth -le 1.5) { 'met' } else { 'NOT met' })
        if (-not ($small.PeakRssMB -lt 300 -and $large.PeakRssMB -lt 300 -and $growth -le 1.5)) { $script:Failures.Add('(4) memory') }
    }
    '(5) count check: results + errors == addresses x zones in every run above: {0}' -f $(if ($script:Failures -like '*count*') { 'FAILED' } else { 'OK' })
}
finally {
    Stop-DnsLab -Lab $lab
}
if ($script:Failures.Count -gt 0) {
    "Targets not met: $($script:Failures -join ', ')"
} else {
    'All targets met.'
}
