# One Test-Dnsbl run in a child pwsh (dot-sourced by Measure-DnsblThroughput.ps1 -Worker, which
# defines $ModulePath, $Server, $Count, $Throttle, $CsvPath, $CatalogPath, $BenchZones,
# Get-BenchAddress and Test-BenchListed). Prints one JSON line with the figures.

Import-Module $ModulePath
$list = [string[]]::new($Count)
for ($i = 0; $i -lt $Count; $i++) { $list[$i] = Get-BenchAddress $i }
# Only what the lab needs: its zones, its catalogue, its server. Everything else is the default.
$params = @{ Zone = $BenchZones; Server = $Server; CatalogPath = $CatalogPath }
if ($Throttle -gt 0) { $params.ThrottleLimit = $Throttle }
$verboseFile = [System.IO.Path]::GetTempFileName()
$timeoutText = 'No answer from the resolver'
# CPU time of this process (all threads, user + system) over the scan: unlike queries/s it
# hardly depends on what else the shared machine is doing.
$self = [System.Diagnostics.Process]::GetCurrentProcess()
$cpu0 = $self.TotalProcessorTime
$sw = [System.Diagnostics.Stopwatch]::StartNew()
if ($CsvPath) {
    # As a scheduled job does: results stream straight into a CSV file.
    $list | Test-Dnsbl @params -Verbose -ErrorVariable errs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue 4> $verboseFile |
        Export-Csv -LiteralPath $CsvPath -NoTypeInformation
} else {
    $out = $list | Test-Dnsbl @params -Verbose -ErrorVariable errs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue 4> $verboseFile
}
$seconds = $sw.Elapsed.TotalSeconds
$self.Refresh()
$cpuSeconds = ($self.TotalProcessorTime - $cpu0).TotalSeconds
# Peak RSS before the checking below adds its own.
$hwm = (Get-Content /proc/self/status | Where-Object { $_ -like 'VmHWM:*' }) -replace '\D', ''

# Tallies in C#, compiled after the measurement (Roslyn costs memory): two million results
# through a PowerShell function take about a minute.
# The listing rule is the one of Test-BenchListed (and of Get-DnsLabBenchListing).
Add-Type -TypeDefinition @'
public sealed class BenchTally
{
    public long Results, ErrorResults, Timeouts, Listed, NotListed, Other, False, ExpectedListed, FoundListed;

    public static bool IsListed(string address, string zone)
    {
        var o = address.Split('.');
        if (o.Length != 4 || o[0] != "10" || o[1] != "0") return false;
        return (int.Parse(o[2]) * 256 + int.Parse(o[3])) % 100 == int.Parse(zone.Substring(5, 2));
    }

    public void Add(string address, string zone, string status, bool timeout)
    {
        Results++;
        bool expected = IsListed(address, zone);
        if (expected) ExpectedListed++;
        switch (status)
        {
            case "Listed": Listed++; if (expected) FoundListed++; else False++; break;
            case "NotListed": NotListed++; if (expected) False++; break;
            case "Error": ErrorResults++; if (timeout) Timeouts++; break;
            // The bench zones catalogue only a verdict code: Policy, Info or ZoneUnhealthy there is wrong.
            default: Other++; False++; break;
        }
    }
}
'@
$stats = [BenchTally]::new()
# The C# rule and the script's rule must agree (the script's mirrors the lab's generator).
foreach ($probe in '10.0.0.7', '10.0.1.13', '10.0.0.8', '10.1.0.7') {
    if ([BenchTally]::IsListed($probe, 'bench07.bl.test') -ne (Test-BenchListed $probe 'bench07.bl.test')) { throw "BenchTally disagrees on $probe" }
}


if ($CsvPath) {
    # Input, InputKind, Zone, ZoneName, Status come first and are plain words: split on the quotes.
    $reader = [System.IO.StreamReader]::new($CsvPath)
    try {
        $header = $reader.ReadLine().Trim('"') -split '","'
        $iInput = [array]::IndexOf($header, 'Input'); $iZone = [array]::IndexOf($header, 'Zone'); $iStatus = [array]::IndexOf($header, 'Status')
        while ($null -ne ($line = $reader.ReadLine())) {
            $f = $line.Substring(1) -split '","', 6
            $stats.Add($f[$iInput], $f[$iZone], $f[$iStatus], $line.Contains($timeoutText))
        }
    } finally { $reader.Dispose() }
} else {
    foreach ($r in $out) { $stats.Add($r.Input, $r.Zone, "$($r.Status)", $r.Detail.StartsWith($timeoutText)) }
}

$sent = 0; $txt = 0; $cached = 0
foreach ($line in Get-Content -LiteralPath $verboseFile) {
    if ($line -match 'Queries sent: (\d+) \(TXT: (\d+)\); answered from cache: (\d+)') {
        $sent = [long]$Matches[1]; $txt = [long]$Matches[2]; $cached = [long]$Matches[3]
    }
}
Remove-Item -LiteralPath $verboseFile
$figures = [ordered]@{ Seconds = $seconds; CpuSeconds = $cpuSeconds; Errors = $errs.Count; Sent = $sent; Txt = $txt; Cached = $cached
    PeakRssMB = [math]::Round([long]$hwm / 1024, 1) }
foreach ($k in 'Results', 'ErrorResults', 'Timeouts', 'Listed', 'NotListed', 'Other', 'False', 'ExpectedListed', 'FoundListed') { $figures[$k] = $stats.$k }
[pscustomobject]$figures | ConvertTo-Json -Compress
