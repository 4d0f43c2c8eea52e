# Runs and reports for Measure-DnsblThroughput.ps1 (dot-sourced; uses its $ModulePath,
# $ZoneCount, $BenchZones, $dnsperf and Get-BenchAddress).

. (Join-Path $PSScriptRoot 'BenchPeer.ps1')

function Write-LoadAverage([string] $When) {
    # Other work on this machine moves every figure: say how busy it was.
    if (Test-Path /proc/loadavg) { "Load average $When`: $((Get-Content /proc/loadavg) -replace ' \S+ \S+$', '')" }
}

function New-BenchQueryFile([string] $Dir, [int] $Count) {
    # The A questions Test-Dnsbl asks, one per address and zone, in its order.
    $path = Join-Path $Dir "bench-queries-$Count.txt"
    if (Test-Path -LiteralPath $path) { return $path }
    $writer = [System.IO.StreamWriter]::new($path)
    try {
        for ($i = 0; $i -lt $Count; $i++) {
            $parts = (Get-BenchAddress $i).Split('.')
            $reversed = "$($parts[3]).$($parts[2]).$($parts[1]).$($parts[0])"
            foreach ($zone in $BenchZones) { $writer.WriteLine("$reversed.$zone A") }
        }
    } finally { $writer.Dispose() }
    return $path
}

function Invoke-Dnsperf([string] $Endpoint, [string] $QueryFile, [int] $Outstanding) {
    $hostPart, $portPart = $Endpoint -split ':'
    # Once through the names (more passes for small files, so that the run lasts long enough to
    # measure), at most 15 s: on a lossy path each lost query holds a slot for the 2 s timeout.
    $lines = [System.IO.File]::ReadLines($QueryFile) | Measure-Object | ForEach-Object Count
    $passes = [math]::Max(1, [math]::Ceiling(200000 / $lines))
    $argv = @('-s', $hostPart, '-p', $portPart, '-d', $QueryFile, '-n', $passes, '-l', 15, '-c', 8, '-T', 2, '-q', $Outstanding, '-t', 2)
    $out = & $dnsperf @argv 2>&1
    $get = { param($pattern) $m = ($out | Select-String $pattern); if ($m) { $m.Matches[0].Groups[1].Value } else { '0' } }
    [pscustomobject]@{
        Command = "dnsperf $($argv -join ' ' -replace [regex]::Escape($QueryFile), (Split-Path $QueryFile -Leaf))"
        Qps = [double](& $get 'Queries per second:\s+([\d.]+)')
        Sent = [long](& $get 'Queries sent:\s+(\d+)')
        Lost = [long](& $get 'Queries lost:\s+(\d+)')
    }
}

function Write-DnsperfRun($Run, [string] $Note) {
    '    {0}: {1:N0} queries/s; sent {2:N0}, lost {3:N0}{4}' -f $Run.Command, $Run.Qps, $Run.Sent, $Run.Lost, $(if ($Note) { " ($Note)" })
}

function Invoke-BenchWorker {
    param([string] $Server, [int] $Count, [int] $Throttle, [string] $CsvPath)
    # This pwsh again; as a dotnet tool the process is dotnet itself, running pwsh.dll.
    $pwsh = (Get-Process -Id $PID).Path
    $argv = @()
    if ([System.IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { $argv += Join-Path $PSHOME 'pwsh.dll' }
    $argv += @('-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'Measure-DnsblThroughput.ps1'), '-Worker',
        '-ModulePath', $ModulePath, '-Server', $Server, '-Count', $Count, '-Throttle', $Throttle)
    if ($CsvPath) { $argv += @('-CsvPath', $CsvPath) }
    $out = & $pwsh @argv
    if ($LASTEXITCODE -ne 0) { throw "Benchmark worker failed (exit $LASTEXITCODE): $out" }
    $run = ($out | Where-Object { $_ -like '{*' } | Select-Object -Last 1) | ConvertFrom-Json
    $run | Add-Member -NotePropertyName Addresses -NotePropertyValue $Count
    $run | Add-Member -NotePropertyName Qps -NotePropertyValue ($run.Sent / $run.Seconds)
    $run | Add-Member -NotePropertyName CountOk -NotePropertyValue (($run.Results + $run.Errors) -eq [long]$Count * $ZoneCount)
    return $run
}

function Write-OurRun([string] $Label, $Run) {
    '    {0}: {1:N2} s, {2:N0} queries sent (TXT {3:N0}, from cache {4:N0}) = {5:N0} queries/s, {6:N0} results/s; peak RSS {7:N1} MB' -f `
        $Label, $Run.Seconds, $Run.Sent, $Run.Txt, $Run.Cached, $Run.Qps, ($Run.Results / $Run.Seconds), $Run.PeakRssMB
    # CPU per lookup (one result = one zone for one input) is what the load of the machine moves least.
    '      CPU {0:N2} s (user + system, all threads) = {1:N1} us per lookup' -f $Run.CpuSeconds, (1e6 * $Run.CpuSeconds / [math]::Max(1, $Run.Results))
    '      results {0:N0} + error records {1:N0} = {2:N0} of {3:N0} ({4}); Listed {5:N0} (expected {6:N0}, found {7:N0}), NotListed {8:N0}, Error {9:N0} (timeouts {10:N0}), other {11:N0}; false verdicts {12:N0}' -f `
        $Run.Results, $Run.Errors, ($Run.Results + $Run.Errors), ([long]$Run.Addresses * $ZoneCount), $(if ($Run.CountOk) { 'OK' } else { 'MISMATCH' }),
        $Run.Listed, $Run.ExpectedListed, $Run.FoundListed, $Run.NotListed, $Run.ErrorResults, $Run.Timeouts, $Run.Other, $Run.False
}

function Get-ScenarioVerdict([string] $Name, [object[]] $Perf, [object[]] $Ours) {
    # Every scenario also needs complete output and no false verdict: those are defects anywhere.
    $best = $Ours | Sort-Object Qps -Descending | Select-Object -First 1
    $ceiling = if ($Perf) { ($Perf | Measure-Object Qps -Maximum).Maximum } else { 0 }
    $errors = ($Ours | Measure-Object ErrorResults -Maximum).Maximum
    $wrong = ($Ours | Measure-Object False -Maximum).Maximum
    $complete = @($Ours | Where-Object { -not $_.CountOk }).Count -eq 0
    $results = [long]$best.Addresses * $ZoneCount
    $figure = '{0:N0} q/s, Error {1:N0}, false {2:N0}' -f $best.Qps, $errors, $wrong
    $reference = if ($ceiling) { 'dnsperf {0:N0} q/s (ratio {1:N2})' -f $ceiling, ($best.Qps / $ceiling) } else { '' }
    switch ($Name) {
        'Plain' { $target = 'ratio >= 0.4, 0 Error'; $met = $best.Qps -ge 0.4 * $ceiling -and $errors -eq 0 }
        'Unbound' { $target = '0 Error (dnsperf: warm cache)'; $met = $errors -eq 0 }
        'Delayed' { $target = '>= 5,000 q/s, 0 Error'; $met = $best.Qps -ge 5000 -and $errors -eq 0 }
        'Lossy' {
            $target = '0 false, Error <= 0.1 %'
            $figure += ' ({0:N3} %)' -f (100.0 * $errors / $results)
            $met = $errors -le 0.001 * $results
        }
        'Memory' {
            $target = 'peak RSS < 300 MB'
            $figure = '{0:N1} MB peak RSS, {1:N0} q/s, Error {2:N0}, false {3:N0}' -f $best.PeakRssMB, $best.Qps, $errors, $wrong
            $met = $best.PeakRssMB -lt 300
        }
    }
    $met = $met -and $wrong -eq 0 -and $complete
    [pscustomobject]@{
        Scenario = "$Name ($('{0:N0}' -f $best.Addresses) x $ZoneCount)"; Figure = $figure; Reference = $reference
        Target = $target; Met = if ($met) { 'yes' } else { 'NO' }
    }
}
