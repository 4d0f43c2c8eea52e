#Requires -Version 7.2
<#
.SYNOPSIS
Starts the DNS lab, checks every zone and fault with kdig, prints a table and stops the lab.
.DESCRIPTION
Exit code 0 when every check passes. Also starts two labs at once in separate pwsh processes
(jobs) to show they get distinct ports, and checks that no lab process is left behind.
    dotnet pwsh -NoProfile -File tests/lab/verify.ps1 [-SkipParallel] [-Install]
#>
[CmdletBinding()]
param(
    [switch] $SkipParallel,
    [switch] $Install
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
Import-Module (Join-Path $PSScriptRoot 'DnsLab.psm1') -Force
if ($Install) { Install-DnsLabPackage -Verbose }
$kdig = Find-DnsLabProgram kdig
if (-not $kdig) { throw 'kdig (Debian package knot-dnsutils) is missing: run Install-DnsLabPackage.' }

function ConvertTo-Nibble([string] $Address) {
    $hex = -join ([System.Net.IPAddress]::Parse($Address).GetAddressBytes() | ForEach-Object { $_.ToString('x2') })
    $chars = $hex.ToCharArray(); [array]::Reverse($chars)
    $chars -join '.'
}
function ConvertTo-Reverse([string] $Address) {
    $o = $Address.Split('.'); [array]::Reverse($o); $o -join '.'
}

function Invoke-Kdig {
    param([string] $Endpoint, [string] $Name, [string] $Type = 'A', [double] $Timeout = 1, [switch] $Tcp)
    $hostPart, $port = $Endpoint.Split(':')
    $argv = @("@$hostPart", '-p', $port, '+retry=0', "+timeout=$Timeout", $Name, $Type)
    if ($Tcp) { $argv += '+tcp' }
    $sw = [System.Diagnostics.Stopwatch]::StartNew()
    $out = @(& $kdig @argv 2>&1 | ForEach-Object { "$_" })
    $ms = [int]$sw.Elapsed.TotalMilliseconds
    $status = if ($out -match 'status: (\w+)') { ([regex]::Match(($out -join "`n"), 'status: (\w+)')).Groups[1].Value }
              elseif ($out -match 'timeout|failed to query') { 'TIMEOUT' } else { 'ERROR' }
    $answers = [System.Collections.Generic.List[string]]::new()
    $inAnswer = $false
    foreach ($line in $out) {
        if ($line -like ';; ANSWER SECTION:*') { $inAnswer = $true; continue }
        if ($inAnswer) {
            if (-not $line.Trim() -or $line.StartsWith(';;')) { $inAnswer = $false; continue }
            $fields = $line -split '\s+', 5
            if ($fields.Count -ge 5) { $answers.Add($fields[4]) }
        }
    }
    [pscustomobject]@{ Status = $status; Answers = @($answers | Sort-Object); Ms = $ms; Raw = $out -join "`n" }
}

$results = [System.Collections.Generic.List[object]]::new()
function Test-Case {
    param(
        [string] $Case, [string] $Server, [string] $Name, [string] $Type = 'A',
        [string] $Status = 'NOERROR', [string[]] $Answers, [string] $Like,
        [int] $MinMs = 0, [int] $MaxMs = 0, [double] $Timeout = 1, [switch] $Tcp
    )
    $endpoint = $lab.$Server
    $r = Invoke-Kdig -Endpoint $endpoint -Name $Name -Type $Type -Timeout $Timeout -Tcp:$Tcp
    $ok = $r.Status -eq $Status
    if ($PSBoundParameters.ContainsKey('Answers')) {
        $ok = $ok -and ((@($Answers | Sort-Object) -join ' ') -ceq ($r.Answers -join ' '))
    }
    if ($Like) { $ok = $ok -and (($r.Answers -join ' ') -like $Like) }
    if ($MinMs) { $ok = $ok -and $r.Ms -ge $MinMs }
    if ($MaxMs) { $ok = $ok -and $r.Ms -le $MaxMs }
    $expected = $Status
    if ($PSBoundParameters.ContainsKey('Answers')) { $expected += ' ' + ($Answers -join ' ') }
    if ($Like) { $expected += " like $Like" }
    if ($MinMs) { $expected += " >=${MinMs}ms" }
    if ($MaxMs) { $expected += " <=${MaxMs}ms" }
    $results.Add([pscustomobject]@{
            Pass = if ($ok) { 'ok' } else { 'FAIL' }
            Case = $Case
            Server = $Server + $(if ($Tcp) { '/tcp' })
            Query = "$Name $Type"
            Expected = $expected
            Actual = ("$($r.Status) $($r.Answers -join ' ')").Trim()
            Ms = $r.Ms
        })
}

$overall = [System.Diagnostics.Stopwatch]::StartNew()
$lab = Start-DnsLab
Write-Host "Lab started in $($lab.StartSeconds) s: rbldnsd $($lab.RbldnsdAll -join ', '); knot $($lab.Knot); dnsdist $($lab.Dnsdist); delayed $($lab.Delayed); dead $($lab.Dead); unbound $($lab.Unbound); lossy $($lab.Lossy); dir $($lab.Dir)"
$labPids = @($lab.Processes | ForEach-Object Id) + @($lab.Watchdog | Where-Object { $_ } | ForEach-Object Id)
try {
    $t = 'Listed, see https://good.bl.test/lookup?ip='
    # good.bl.test, straight to rbldnsd and through dnsdist
    Test-Case 'good: test point 127.0.0.2 listed' Rbldnsd '2.0.0.127.good.bl.test' -Answers '127.0.0.2'
    Test-Case 'good: test point 127.0.0.1 not listed' Rbldnsd '1.0.0.127.good.bl.test' -Status NXDOMAIN -Answers @()
    Test-Case 'good: TXT template with $' Dnsdist '10.2.0.192.good.bl.test' TXT -Answers '"Listed for spam, see https://good.bl.test/lookup?ip=192.0.2.10"'
    Test-Case 'good: default TXT' Dnsdist '2.0.0.127.good.bl.test' TXT -Answers "`"${t}127.0.0.2`""
    Test-Case 'good: /24 range' Dnsdist '77.100.51.198.good.bl.test' -Answers '127.0.0.2'
    Test-Case 'good: /24 range has no TXT' Dnsdist '77.100.51.198.good.bl.test' TXT -Answers @()
    Test-Case 'good: TXT with ESC/BEL/CR bytes' Dnsdist '66.2.0.192.good.bl.test' TXT -Like '*\027`[31mRED\027`[0m*\007*\013*'
    Test-Case 'good: unlisted address' Dnsdist '1.2.0.192.good.bl.test' -Status NXDOMAIN -Answers @()
    Test-Case 'good: IPv6 name -> NXDOMAIN' Dnsdist "$(ConvertTo-Nibble '2001:db8::2').good.bl.test" -Status NXDOMAIN -Answers @()
    Test-Case 'good: ::ffff:7f00:2 via ip4set' Dnsdist "$(ConvertTo-Nibble '::ffff:7f00:2').good.bl.test" -Answers '127.0.0.2'
    foreach ($i in 1..($lab.RbldnsdAll.Count - 1)) {
        $lab | Add-Member -Force -NotePropertyName "Rbldnsd$($i + 1)" -NotePropertyValue $lab.RbldnsdAll[$i]
        Test-Case "rbldnsd #$($i + 1) answers" "Rbldnsd$($i + 1)" '2.0.0.127.good.bl.test' -Answers '127.0.0.2'
    }

    # spamhaus.bl.test (zen look-alike, several datasets merged)
    Test-Case 'spamhaus: test point = .2 .4 .10' Dnsdist '2.0.0.127.spamhaus.bl.test' -Answers '127.0.0.2', '127.0.0.4', '127.0.0.10'
    Test-Case 'spamhaus: 127.0.0.1 not listed' Dnsdist '1.0.0.127.spamhaus.bl.test' -Status NXDOMAIN -Answers @()
    Test-Case 'spamhaus: SBL' Dnsdist '2.2.0.192.spamhaus.bl.test' -Answers '127.0.0.2'
    Test-Case 'spamhaus: SBL TXT' Dnsdist '2.2.0.192.spamhaus.bl.test' TXT -Answers '"https://www.spamhaus.org/sbl/query/SBL12345"'
    Test-Case 'spamhaus: XBL' Dnsdist '4.2.0.192.spamhaus.bl.test' -Answers '127.0.0.4'
    Test-Case 'spamhaus: PBL (policy)' Dnsdist '10.2.0.192.spamhaus.bl.test' -Answers '127.0.0.10'
    Test-Case 'spamhaus: PBL .11' Dnsdist '11.2.0.192.spamhaus.bl.test' -Answers '127.0.0.11'
    Test-Case 'spamhaus: AuthBL' Dnsdist '20.2.0.192.spamhaus.bl.test' -Answers '127.0.0.20'
    Test-Case 'spamhaus: XBL+PBL' Dnsdist '40.2.0.192.spamhaus.bl.test' -Answers '127.0.0.4', '127.0.0.10'
    Test-Case 'spamhaus: error .250 bad key' Dnsdist '250.2.0.192.spamhaus.bl.test' -Answers '127.255.255.250'
    Test-Case 'spamhaus: error .252 typo' Dnsdist '252.2.0.192.spamhaus.bl.test' -Answers '127.255.255.252'
    Test-Case 'spamhaus: error .254 open resolver' Dnsdist '254.2.0.192.spamhaus.bl.test' -Answers '127.255.255.254'
    Test-Case 'spamhaus: error .255 excessive' Dnsdist '255.2.0.192.spamhaus.bl.test' -Answers '127.255.255.255'
    Test-Case 'spamhaus: IPv6 2001:db8::2' Dnsdist "$(ConvertTo-Nibble '2001:db8::2').spamhaus.bl.test" -Answers '127.0.0.2'
    # rbldnsd answers ::ffff:a.b.c.d nibble names from the zone's IPv4 datasets too, so the
    # IPv6 test point gets the IPv4 test point's codes (.2 .4 .10) here.
    Test-Case 'spamhaus: IPv6 test point' Dnsdist "$(ConvertTo-Nibble '::ffff:7f00:2').spamhaus.bl.test" -Answers '127.0.0.2', '127.0.0.4', '127.0.0.10'
    Test-Case 'spamhaus: IPv6 ::ffff:7f00:1 not' Dnsdist "$(ConvertTo-Nibble '::ffff:7f00:1').spamhaus.bl.test" -Status NXDOMAIN -Answers @()

    # DQS form
    Test-Case 'DQS: good key zone' Dnsdist '2.0.0.127.SECRETKEY123abc.zen.dq.spamhaus.test' -Answers '127.0.0.2', '127.0.0.4', '127.0.0.10'
    Test-Case 'DQS: good key, rbldnsd direct' Rbldnsd '2.2.0.192.secretkey123abc.zen.dq.spamhaus.test' -Answers '127.0.0.2'
    Test-Case 'DQS: wrong key (dnsdist)' Dnsdist '2.0.0.127.wrongkey.zen.dq.spamhaus.test' -Answers '127.255.255.250'

    # broken lists
    Test-Case 'everything: lists 127.0.0.1' Dnsdist '1.0.0.127.everything.bl.test' -Answers '127.0.0.2'
    Test-Case 'everything: lists anything' Dnsdist '5.113.0.203.everything.bl.test' -Answers '127.0.0.2'
    Test-Case 'notestpoint: 127.0.0.2 NOT listed' Dnsdist '2.0.0.127.notestpoint.bl.test' -Status NXDOMAIN -Answers @()
    Test-Case 'notestpoint: lists 192.0.2.10' Dnsdist '10.2.0.192.notestpoint.bl.test' -Answers '127.0.0.2'
    Test-Case 'outside: test point -> 146.112.61.108' Dnsdist '2.0.0.127.outside.bl.test' -Answers '146.112.61.108'
    Test-Case 'outside: 127.0.0.1 -> 146.112.61.108' Dnsdist '1.0.0.127.outside.bl.test' -Answers '146.112.61.108'
    Test-Case 'errors: test point ok' Dnsdist '2.0.0.127.errors.bl.test' -Answers '127.0.0.2'
    Test-Case 'errors: 127.0.0.1 not listed' Dnsdist '1.0.0.127.errors.bl.test' -Status NXDOMAIN -Answers @()
    Test-Case 'errors: 192.0.2.9 -> 127.0.0.1' Dnsdist '9.2.0.192.errors.bl.test' -Answers '127.0.0.1'

    # IPv6-only list
    Test-Case 'v6: test point ::ffff:7f00:2' Dnsdist "$(ConvertTo-Nibble '::ffff:7f00:2').v6.bl.test" -Answers '127.0.0.2'
    Test-Case 'v6: ::ffff:7f00:1 not listed' Dnsdist "$(ConvertTo-Nibble '::ffff:7f00:1').v6.bl.test" -Status NXDOMAIN -Answers @()
    Test-Case 'v6: 2001:db8::66' Dnsdist "$(ConvertTo-Nibble '2001:db8::66').v6.bl.test" -Answers '127.0.0.2'
    Test-Case 'v6: 2001:db8::66 TXT' Dnsdist "$(ConvertTo-Nibble '2001:db8::66').v6.bl.test" TXT -Answers '"IPv6 spam source 2001:db8::66"'
    Test-Case 'v6: IPv4 name -> NXDOMAIN' Dnsdist '2.0.0.127.v6.bl.test' -Status NXDOMAIN -Answers @()

    # domain list
    Test-Case 'dom: test point TEST' Dnsdist 'test.dom.bl.test' -Answers '127.0.0.2'
    Test-Case 'dom: INVALID not listed' Dnsdist 'invalid.dom.bl.test' -Status NXDOMAIN -Answers @()
    Test-Case 'dom: bad.example' Dnsdist 'bad.example.dom.bl.test' -Answers '127.0.1.2'
    Test-Case 'dom: bad.example TXT' Dnsdist 'bad.example.dom.bl.test' TXT -Answers '"Low reputation domain"'
    Test-Case 'dom: phish.example' Dnsdist 'phish.example.dom.bl.test' -Answers '127.0.1.4'

    # bench zones
    $benchHit = (Get-DnsLabBenchListing -Index 7 | Select-Object -Skip 100 -First 1)
    Test-Case 'bench07: test point' Dnsdist '2.0.0.127.bench07.bl.test' -Answers '127.0.0.2'
    Test-Case "bench07: $benchHit listed" Dnsdist "$(ConvertTo-Reverse $benchHit).bench07.bl.test" -Answers '127.0.0.2'
    Test-Case 'bench07: 10.0.0.0 not listed' Dnsdist '0.0.0.10.bench07.bl.test' -Status NXDOMAIN -Answers @()
    Test-Case 'bench20: test point' Delayed '2.0.0.127.bench20.bl.test' -Answers '127.0.0.2' -MinMs 45

    # faults (dnsdist rules)
    Test-Case 'servfail.bl.test' Dnsdist '2.0.0.127.servfail.bl.test' -Status SERVFAIL
    Test-Case 'refused.bl.test' Dnsdist '2.0.0.127.refused.bl.test' -Status REFUSED
    Test-Case 'drop.bl.test times out' Dnsdist '2.0.0.127.drop.bl.test' -Status TIMEOUT -MinMs 900
    Test-Case 'slow.bl.test 1500 ms' Dnsdist '2.0.0.127.slow.bl.test' -Answers '127.0.0.2' -MinMs 1450 -Timeout 3
    Test-Case 'slow.bl.test, 1 s client timeout' Dnsdist '2.0.0.127.slow.bl.test' -Status TIMEOUT -Timeout 1
    Test-Case 'rbldnsd has no TCP' Dnsdist '2.0.0.127.good.bl.test' -Status TIMEOUT -Tcp
    Test-Case 'Delayed: +50 ms' Delayed '2.0.0.127.good.bl.test' -Answers '127.0.0.2' -MinMs 45
    Test-Case 'Delayed: fast path is fast' Dnsdist '2.0.0.127.good.bl.test' -Answers '127.0.0.2' -MaxMs 45
    Test-Case 'Dead: nothing listens' Dead '2.0.0.127.good.bl.test' -Status TIMEOUT

    # Knot
    Test-Case 'knot: MX' Knot 'mail.test' MX -Answers '10 mx1.mail.test.'
    Test-Case 'knot: MX via dnsdist' Dnsdist 'mail.test' MX -Answers '10 mx1.mail.test.'
    Test-Case 'knot: MX via dnsdist, TCP' Dnsdist 'mail.test' MX -Answers '10 mx1.mail.test.' -Tcp
    Test-Case 'knot: mx1 A' Dnsdist 'mx1.mail.test' A -Answers '192.0.2.25'
    Test-Case 'knot: mx1 AAAA' Dnsdist 'mx1.mail.test' AAAA -Answers '2001:db8::25'
    Test-Case 'knot: SPF TXT' Dnsdist 'mail.test' TXT -Answers '"v=spf1 ip4:192.0.2.25 -all"'
    Test-Case 'knot: DMARC TXT' Dnsdist '_dmarc.mail.test' TXT -Answers '"v=DMARC1; p=reject"'
    Test-Case 'knot: PTR' Dnsdist '25.2.0.192.in-addr.arpa' PTR -Answers 'mx1.mail.test.'
    Test-Case 'knot: PTR via Delayed' Delayed '25.2.0.192.in-addr.arpa' PTR -Answers 'mx1.mail.test.' -MinMs 45
    Test-Case 'knot: no PTR for .26' Dnsdist '26.2.0.192.in-addr.arpa' PTR -Status NXDOMAIN -Answers @()

    # unbound: stub zones to rbldnsd, Knot and (fault zones) dnsdist; nothing else is reachable
    Test-Case 'unbound: test point' Unbound '2.0.0.127.good.bl.test' -Answers '127.0.0.2' -Timeout 2
    Test-Case 'unbound: 127.0.0.1 not listed' Unbound '1.0.0.127.good.bl.test' -Status NXDOMAIN -Answers @() -Timeout 2
    Test-Case "unbound: bench07 $benchHit" Unbound "$(ConvertTo-Reverse $benchHit).bench07.bl.test" -Answers '127.0.0.2' -Timeout 2
    Test-Case 'unbound: spamhaus TXT' Unbound '2.2.0.192.spamhaus.bl.test' TXT -Answers '"https://www.spamhaus.org/sbl/query/SBL12345"' -Timeout 2
    Test-Case 'unbound: DQS good key' Unbound '2.2.0.192.secretkey123abc.zen.dq.spamhaus.test' -Answers '127.0.0.2' -Timeout 2
    Test-Case 'unbound: DQS wrong key (dnsdist)' Unbound '2.0.0.127.wrongkey.zen.dq.spamhaus.test' -Answers '127.255.255.250' -Timeout 2
    Test-Case 'unbound: servfail.bl.test' Unbound '2.0.0.127.servfail.bl.test' -Status SERVFAIL -Timeout 2
    Test-Case 'unbound: knot MX' Unbound 'mail.test' MX -Answers '10 mx1.mail.test.' -Timeout 2
    Test-Case 'unbound: knot PTR (192.0.2/24 default zone off)' Unbound '25.2.0.192.in-addr.arpa' PTR -Answers 'mx1.mail.test.' -Timeout 2
    Test-Case 'unbound: knot IPv6 PTR' Unbound '0.6.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.5.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa' PTR -Answers 'implicit.ms.test.' -Timeout 2
    Test-Case 'unbound: no internet (root is Blind)' Unbound 'www.example.com' -Status SERVFAIL -Timeout 3

    # Lossy: dnsdist dropping 5 % at random. 2,000 distinct names through dnsperf; the loss must
    # be near 5 % (binomial sd about 0.5 %: 2..9 % is far outside chance), and none straight
    # from the same rbldnsd.
    foreach ($target in 'Lossy', 'Rbldnsd') {
        $file = Join-Path $lab.Dir "loss-$target.txt"
        [System.IO.File]::WriteAllLines($file, [string[]]@(foreach ($n in 0..1999) { "$($n % 250).$([math]::Floor($n / 250)).0.10.bench01.bl.test A" }))
        $perf = & (Find-DnsLabProgram dnsperf) -s 127.0.0.1 -p $lab.$target.Split(':')[1] -d $file -n 1 -q 20 -t 1 2>&1
        $lost = [int]($perf | Select-String 'Queries lost:\s+(\d+)').Matches[0].Groups[1].Value
        $pct = 100.0 * $lost / 2000
        $ok = if ($target -eq 'Lossy') { $pct -ge 2 -and $pct -le 9 } else { $lost -eq 0 }
        $results.Add([pscustomobject]@{
                Pass = if ($ok) { 'ok' } else { 'FAIL' }; Case = "loss of 2,000 queries via $target"; Server = $target
                Query = 'dnsperf -q 20'; Expected = if ($target -eq 'Lossy') { '2..9 % lost' } else { '0 lost' }
                Actual = ('{0} lost ({1:N1} %)' -f $lost, $pct); Ms = 0
            })
    }
} finally {
    $stopSw = [System.Diagnostics.Stopwatch]::StartNew()
    Stop-DnsLab -Lab $lab
    $stopSeconds = [math]::Round($stopSw.Elapsed.TotalSeconds, 2)
}

$results | Format-Table -AutoSize -Wrap Pass, Case, Server, Query, Expected, Actual, Ms | Out-String -Width 250 | Write-Host
$failed = @($results | Where-Object Pass -ne 'ok')
$left = @($labPids | Where-Object { Get-Process -Id $_ -ErrorAction Ignore })
Write-Host ("{0} checks, {1} failed; start {2} s, stop {3} s; lab dir removed: {4}; processes left: {5}" -f
    $results.Count, $failed.Count, $lab.StartSeconds, $stopSeconds, (-not (Test-Path -LiteralPath $lab.Dir)), $left.Count)

if (-not $SkipParallel) {
    # Two labs at the same time in two pwsh processes: ports must not collide.
    $module = Join-Path $PSScriptRoot 'DnsLab.psm1'
    $jobs = foreach ($n in 1, 2) {
        Start-Job -ArgumentList $module -ScriptBlock {
            param($module)
            Import-Module $module
            $lab = Start-DnsLab
            try {
                $answer = & (Find-DnsLabProgram kdig) "@127.0.0.1" -p $lab.Dnsdist.Split(':')[1] +short '2.0.0.127.good.bl.test' A
                Start-Sleep -Seconds 2   # overlap with the other lab
                [pscustomobject]@{
                    Endpoints = @($lab.RbldnsdAll) + @($lab.Knot, $lab.Dnsdist, $lab.Delayed, $lab.Dead, $lab.Blind, $lab.Unbound, $lab.Lossy)
                    Answer = "$answer"; Start = $lab.StartSeconds; Pids = @($lab.Processes.Id)
                }
            } finally { Stop-DnsLab $lab }
        }
    }
    $out = @($jobs | Wait-Job -Timeout 60 | Receive-Job)
    $jobs | Remove-Job -Force
    $all = @($out | ForEach-Object Endpoints)
    $distinct = @($all | Select-Object -Unique)
    $parallelOk = $out.Count -eq 2 -and $all.Count -eq $distinct.Count -and @($out | Where-Object Answer -ne '127.0.0.2').Count -eq 0
    $leftParallel = @($out | ForEach-Object Pids | Where-Object { Get-Process -Id $_ -ErrorAction Ignore })
    foreach ($o in $out) { Write-Host "parallel lab: start $($o.Start) s, ports $(($o.Endpoints | ForEach-Object { $_.Split(':')[1] }) -join ','), answer $($o.Answer)" }
    Write-Host "parallel labs: $(if ($parallelOk) { 'ok, no port shared' } else { 'FAIL' }); processes left: $($leftParallel.Count)"
    if (-not $parallelOk -or $leftParallel.Count) { $failed += 'parallel' }
}

Write-Host "verify total $([math]::Round($overall.Elapsed.TotalSeconds, 1)) s"
if ($failed.Count -or $left.Count) { exit 1 }
exit 0
