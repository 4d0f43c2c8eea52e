# The peer, side by side (dot-sourced by BenchReport.ps1; uses $ModulePath and $Root).
# peer-bench.sh lives outside the repository (../shared/bench): it runs PSBlackListChecker
# unmodified, and Test-Dnsbl (OURS_MODULE), in a private network namespace with rbldnsd on
# 127.0.0.1:53 as the system resolver, then with dnsdist adding 50 ms in front of it.

function Invoke-PeerBench([string] $Script, [int] $Direct, [int] $Delayed) {
    if (-not $Script) { $Script = Join-Path (Split-Path $Root -Parent) 'shared/bench/peer-bench.sh' }
    $why = if (-not (Test-Path -LiteralPath $Script)) { "no $Script (set -PeerBench or MAILBLACKLIST_PEER_BENCH)" }
           elseif ((& id -u) -ne '0') { 'needs root (network namespace, port 53)' }
           elseif (-not (Get-Command unshare -ErrorAction Ignore)) { 'needs unshare (util-linux)' }
    if (-not $why) {
        # peer-bench.sh also needs dig and /usr/bin/time, which the lab does not install.
        $need = @(@(@{ Tool = 'dig'; Package = 'bind9-dnsutils' }, @{ Tool = '/usr/bin/time'; Package = 'time' }) |
            Where-Object { -not (Get-Command $_.Tool -ErrorAction Ignore) } | ForEach-Object { $_.Package })
        if ($need) {
            & apt-get install -y -q --no-install-recommends @need | Out-Null
            if ($LASTEXITCODE -ne 0) { $why = "needs the Debian packages $($need -join ' ') (apt-get install failed)" }
        }
    }
    if ($why) {
        Write-Host "(6) peer: skipped: $why"
        return
    }
    $work = Join-Path ([System.IO.Path]::GetTempPath()) ('peerbench-' + (Get-Date -Format 'yyyyMMdd-HHmmss'))
    $null = New-Item -ItemType Directory -Path $work
    # The script wants one executable for pwsh; as a dotnet tool this pwsh is dotnet + pwsh.dll.
    $pwsh = (Get-Process -Id $PID).Path
    if ([System.IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') {
        $wrapper = Join-Path $work 'pwsh'
        [System.IO.File]::WriteAllText($wrapper, "#!/bin/sh`nexec '$pwsh' '$(Join-Path $PSHOME 'pwsh.dll')' `"`$@`"`n")
        [System.IO.File]::SetUnixFileMode($wrapper, [System.IO.UnixFileMode]493)   # 0755
        $pwsh = $wrapper
    }
    Write-Host "(6) peer: $Script, PSBlackListChecker vs Test-Dnsbl (defaults), $Direct addresses direct, $Delayed at +50 ms; work dir $work"
    $saved = @{}
    # peer-bench.sh counts Status Listed and Policy as found; an information-only list (the peer's
    # ips.backscatterer.org) answers Status Info, which is found too. The command therefore also
    # prints its Info count (a STATUS line in out-ours-*.txt); the count runs inside the timed block,
    # so it costs our figure, never the peer's. One comparison over the Status column, not a
    # script loop over the results: that loop cost a fresh pwsh 0.15-0.7 s of a 1.5 s run.
    $oursCmd = '$all = @($ips | Test-Dnsbl -Zone $zones -Server 127.0.0.1); Write-Host (''STATUS Info='' + @($all.Status -eq ''Info'').Count); $all'
    $vars = @{ KS = "$Direct"; KS_DELAY = "$Delayed"; OURS_MODULE = $ModulePath; OURS_CMD = $oursCmd; WORK = $work; PWSH = $pwsh; DNSPERF_SECS = '5' }
    foreach ($k in $vars.Keys) { $saved[$k] = [Environment]::GetEnvironmentVariable($k); [Environment]::SetEnvironmentVariable($k, $vars[$k]) }
    try {
        # Shown as it comes; only the verdicts below are this function's output.
        & bash $Script 2>&1 | ForEach-Object { "    $_" } | Out-Host
    } finally {
        foreach ($k in $saved.Keys) { [Environment]::SetEnvironmentVariable($k, $saved[$k]) }
    }
    $resultsFile = Join-Path $work 'results.txt'
    if (-not (Test-Path -LiteralPath $resultsFile)) {
        return [pscustomobject]@{ Scenario = 'Peer'; Figure = 'no results'; Reference = ''; Target = ''; Met = 'NO' }
    }
    # "PS peer direct 1000 rc=0 ... RESULT k=1000 zones=62 rows=.. listed=.. import_s=.. search_s=.. [unknown=..]"
    $runs = foreach ($line in Get-Content -LiteralPath $resultsFile | Where-Object { $_ -like 'PS *' }) {
        $f = $line -split ' '
        $v = @{}
        foreach ($pair in $f | Where-Object { $_ -like '*=*' }) { $k, $val = $pair -split '=', 2; $v[$k] = $val }
        $lookups = [double]$v['k'] * [double]$v['zones']
        [pscustomobject]@{
            Tool = $f[1]; Phase = $f[2]; K = [int]$f[3]; Zones = [int]$v['zones']; Rc = $v['rc']
            Lps = if ([double]$v['search_s'] -gt 0) { $lookups / [double]$v['search_s'] } else { 0 }
            Listed = [long]$v['listed']; Unknown = if ($v.ContainsKey('unknown')) { [long]$v['unknown'] } else { -1 }
            Info = Get-OursStatusCount (Join-Path $work "out-$($f[1])-$($f[2])-$($f[3]).txt") 'Info'
            # Every 10th address is listed in every zone; rows / K is the zones actually asked
            # (Test-Dnsbl asks a zone named twice once).
            WantListed = [math]::Floor(([int]$f[3] + 9) / 10) * [math]::Round([double]$v['rows'] / [int]$f[3])
        }
    }
    foreach ($phase in @(@('direct', 10), @('delay', 30))) {
        $peer = $runs | Where-Object { $_.Tool -eq 'peer' -and $_.Phase -eq $phase[0] } | Select-Object -First 1
        $ours = $runs | Where-Object { $_.Tool -eq 'ours' -and $_.Phase -eq $phase[0] } | Select-Object -First 1
        if (-not $peer -or -not $ours) { continue }
        $ratio = if ($peer.Lps -gt 0) { $ours.Lps / $peer.Lps } else { 0 }
        # Found: Listed or Policy (peer-bench.sh's count) plus Info (information-only lists).
        $found = $ours.Listed + [math]::Max(0, $ours.Info)
        $met = $ratio -ge $phase[1] -and $found -eq $ours.WantListed -and $ours.Unknown -eq 0 -and $ours.Rc -eq '0'
        [pscustomobject]@{
            Scenario = "Peer $($phase[0]) ($($ours.K) x $($ours.Zones))"
            Figure = 'Test-Dnsbl {0:N0} lookups/s, found {1:N0} of {2:N0} (Listed/Policy {3:N0}, Info {4}), unknown {5:N0}' -f $ours.Lps, $found, $ours.WantListed, $ours.Listed, $(if ($ours.Info -lt 0) { 'not counted' } else { '{0:N0}' -f $ours.Info }), $ours.Unknown
            Reference = 'PSBlackListChecker {0:N0} lookups/s, listed {1:N0} (x{2:N1})' -f $peer.Lps, $peer.Listed, $ratio
            Target = ">= $($phase[1])x, every listing, 0 unknown"; Met = if ($met) { 'yes' } else { 'NO' }
        }
    }
}

# The count of one status from the STATUS line our command printed; -1 when there is none (a run
# by hand with another OURS_CMD).
function Get-OursStatusCount([string] $Path, [string] $Status) {
    if (-not (Test-Path -LiteralPath $Path)) { return -1 }
    $line = Get-Content -LiteralPath $Path | Where-Object { $_ -like 'STATUS *' } | Select-Object -First 1
    if (-not $line) { return -1 }
    if ($line -match "(?:^| )$Status=(\d+)") { return [long]$Matches[1] }
    0
}
