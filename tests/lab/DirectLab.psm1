# DirectLab: the loopback lab for direct queries to a list's own name servers (issue 12).
#   A resolver that lists refuse (dnsdist answering their "refused" code, in front of a recursive
#   unbound), a Knot parent zone direct.test that delegates each list, and the lists' own servers
#   on port 53 of addresses of their own in 127.0.77.0/24 (NS records carry no port): two
#   rbldnsd, a lame dnsdist (answers without AA), a silent dnsdist (drops list questions), an
#   address where nothing listens, and Knot itself for answers too large for UDP.
# Needs root (port 53) and the Debian packages of DnsLab; reuses DnsLab's process plumbing.

Set-StrictMode -Version 3.0

$script:Root = Join-Path $PSScriptRoot 'direct'
# The DnsLab already loaded (build.ps1 holds it to stop its own lab), else a fresh one: a forced
# re-import would take its functions from under the caller.
$script:DnsLab = Get-Module DnsLab | Select-Object -First 1
if (-not $script:DnsLab) { $script:DnsLab = Import-Module (Join-Path $PSScriptRoot 'DnsLab.psm1') -PassThru -Global }
# Zones served by the two rbldnsd (ns-a and ns-b), each with its own NS set.
$script:RbldnsdZones = [ordered]@{
    'zen.direct.test'                    = @{ Data = 'ip4set:lists.ip4set'; Ns = 'ns-a', 'ns-b' }
    'lame.direct.test'                   = @{ Data = 'ip4set:lists.ip4set'; Ns = 'a-lame', 'ns-a' }
    'refused.direct.test'                = @{ Data = 'ip4set:lists.ip4set'; Ns = , 'ns-a' }
    'nodirect.direct.test'               = @{ Data = 'ip4set:lists.ip4set'; Ns = , 'ns-a' }
    'dead.direct.test'                   = @{ Data = 'ip4set:lists.ip4set'; Ns = 'ns-gone', 'ns-silent' }
    'dom.direct.test'                    = @{ Data = 'dnset:dom.dnset'; Ns = , 'ns-a' }
    'secretkey123abc.zen.dq.direct.test' = @{ Data = 'ip4set:lists.ip4set'; Ns = , 'ns-a' }
}

function Get-DirectLabBlock {
    # A free block of 16 addresses in 127.0.77.0/24 (port 53 free on .1-.8), held by a lock file
    # for the lab's lifetime, so that parallel sessions never share one.
    $lockDir = Join-Path ([System.IO.Path]::GetTempPath()) 'dnslab-ports'
    if (-not (Test-Path -LiteralPath $lockDir)) { $null = New-Item -ItemType Directory -Path $lockDir -Force }
    foreach ($k in 0..14) {
        $base = 16 * $k
        $lock = $null
        try {
            $lock = [System.IO.FileStream]::new((Join-Path $lockDir "direct-127.0.77.$base.lock"),
                [System.IO.FileMode]::OpenOrCreate, [System.IO.FileAccess]::ReadWrite, [System.IO.FileShare]::None)
        } catch { continue }
        $free = $true
        foreach ($i in 1..8) {
            $ep = [System.Net.IPEndPoint]::new([System.Net.IPAddress]::Parse("127.0.77.$($base + $i)"), 53)
            $udp = [System.Net.Sockets.Socket]::new('InterNetwork', 'Dgram', 'Udp')
            $tcp = [System.Net.Sockets.Socket]::new('InterNetwork', 'Stream', 'Tcp')
            try { $udp.Bind($ep); $tcp.Bind($ep) } catch { $free = $false } finally { $udp.Dispose(); $tcp.Dispose() }
            if (-not $free) { break }
        }
        if ($free) { return [pscustomobject]@{ Base = $base; Lock = $lock } }
        $lock.Dispose()
    }
    throw 'DirectLab: no free address block in 127.0.77.0/24 (port 53).'
}

function Start-DnsDirectLab {
    <#
    .SYNOPSIS
    Starts the direct-query lab and returns it (pass it to Stop-DnsLab).
    .OUTPUTS
    PSCustomObject: Resolver ("127.0.77.x:53", the refused resolver), Unbound (the same without
    refusals), Catalog (the lab catalogue), Net ("127.0.77" plus the block's base, e.g. 127.0.77.0
    -> addresses .1-.8), NsA, NsB, Lame, Silent, Gone, Knot (host:53 of each server), DqsKey,
    Processes, Watchdog, Dir.
    #>
    [CmdletBinding()]
    param([ValidateRange(1, 120)][double] $TimeoutSeconds = 30)
    if (-not (& $script:DnsLab { Test-DnsLabRoot })) { throw 'DirectLab: needs root (servers on port 53).' }
    $io = [System.Collections.Generic.List[object]]::new()
    $lab = [pscustomobject]@{
        PSTypeName = 'DnsLab'
        Resolver = $null; Unbound = $null; Catalog = (Join-Path $script:Root 'catalog.json')
        Knot = $null; NsA = $null; NsB = $null; Lame = $null; Silent = $null; Gone = $null
        DqsKey = 'secretkey123abc'
        Processes = [System.Collections.Generic.List[System.Diagnostics.Process]]::new()
        Watchdog = $null; Dir = $null
        Internal = [pscustomobject]@{ Locks = [System.Collections.Generic.List[object]]::new(); Io = $io }
    }
    try {
        $block = Get-DirectLabBlock
        $lab.Internal.Locks.Add($block.Lock)
        $ip = { param($i) "127.0.77.$($block.Base + $i)" }
        $net = & $ip 0
        $net = $net.Substring(0, $net.LastIndexOf('.'))
        $lab.Knot, $lab.NsA, $lab.NsB, $lab.Lame, $lab.Silent, $lab.Gone, $lab.Resolver, $lab.Unbound =
            1..8 | ForEach-Object { "$(& $ip $_):53" }

        $dir = Join-Path '/tmp' ('dnslab-direct-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
        $null = New-Item -ItemType Directory -Path $dir
        $lab.Dir = $dir
        $zoneDir = Join-Path $dir 'zones'
        $knotDir = Join-Path $dir 'knot'
        $null = New-Item -ItemType Directory -Path $zoneDir, $knotDir
        Copy-Item -Path (Join-Path $script:Root '*.ip4set'), (Join-Path $script:Root '*.dnset') -Destination $zoneDir

        # Knot: direct.test (addresses of this block) and big.direct.test.
        $hostIp = @{ 'ns-knot' = (& $ip 1); 'ns-a' = (& $ip 2); 'ns-b' = (& $ip 3); 'a-lame' = (& $ip 4); 'ns-silent' = (& $ip 5); 'ns-gone' = (& $ip 6) }
        $parent = (Get-Content -Raw -LiteralPath (Join-Path $script:Root 'direct.test.zone.template')) -replace '\{\{NET\}\}\.(\d+)', {
            "127.0.77.$($block.Base + [int]$_.Groups[1].Value)" }
        [System.IO.File]::WriteAllText((Join-Path $knotDir 'direct.test.zone'), $parent)
        Copy-Item -LiteralPath (Join-Path $script:Root 'big.direct.test.zone') -Destination $knotDir
        $knotConf = (Get-Content -Raw -LiteralPath (Join-Path $PSScriptRoot 'knot/knot.conf.template')).
            Replace('{{LISTEN}}', "$(& $ip 1)@53").Replace('{{DIR}}', $knotDir).
            Replace('{{ZONES}}', "  - domain: `"direct.test`"`n  - domain: `"big.direct.test`"")
        $knotConfPath = Join-Path $knotDir 'knot.conf'
        [System.IO.File]::WriteAllText($knotConfPath, $knotConf)

        # rbldnsd: each zone's SOA and NS in a header dataset, then the shared data.
        $specs = foreach ($zone in $script:RbldnsdZones.Keys) {
            $z = $script:RbldnsdZones[$zone]
            $type, $file = $z.Data -split ':'
            $head = "$zone.head"
            $ns = ($z.Ns | ForEach-Object { "$_.direct.test." }) -join ' '
            [System.IO.File]::WriteAllText((Join-Path $zoneDir $head),
                "`$SOA 300 ns-a.direct.test. hostmaster.direct.test. 1 3600 900 604800 60`n`$NS 300 $ns`n")
            "${zone}:${type}:$head,$file"
        }

        # dnsdist: the refused resolver, the lame server, the silent server.
        $lua = @{
            refusing = "local lab = { listen = `"$($lab.Resolver)`", unbound = `"$($lab.Unbound)`" }"
            lame     = "local lab = { listen = `"$($lab.Lame)`" }"
            silent   = "local lab = { listen = `"$($lab.Silent)`", backend = `"$($lab.NsA)`" }"
        }
        $luaPath = @{}
        foreach ($name in $lua.Keys) {
            $luaPath[$name] = Join-Path $dir "$name.lua"
            [System.IO.File]::WriteAllText($luaPath[$name], $lua[$name] + "`n" + (Get-Content -Raw -LiteralPath (Join-Path $script:Root "$name.lua.template")))
        }

        # unbound: recursion from direct.test's Knot; the root is Knot too (it refuses every
        # other name), so nothing leaves the machine.
        $toAddr = { param($endpoint) $endpoint.Replace(':', '@') }
        $unboundConf = (Get-Content -Raw -LiteralPath (Join-Path $PSScriptRoot 'unbound.conf.template')).
            Replace('{{LISTEN}}', (& $toAddr $lab.Unbound)).Replace('{{DIR}}', $dir).Replace('{{ROOT}}', (& $toAddr $lab.Knot)).
            Replace('{{ZONES}}', "stub-zone:`n    name: `"direct.test.`"`n    stub-addr: $(& $toAddr $lab.Knot)`n")
        $unboundConfPath = Join-Path $dir 'unbound.conf'
        [System.IO.File]::WriteAllText($unboundConfPath, $unboundConf)

        & $script:DnsLab { param($d, $z, $k) foreach ($x in $d, $z, $k) { Set-DnsLabMode $x '755' } } $dir $zoneDir $knotDir
        Get-ChildItem -LiteralPath $dir -Recurse -File | ForEach-Object { & $script:DnsLab { param($f) Set-DnsLabMode $f '644' } $_.FullName }

        $passwd = Get-Content -LiteralPath '/etc/passwd' -ErrorAction Ignore
        $user = if ($passwd -match '^rbldns:') { 'rbldns' } else { 'nobody:nogroup' }
        $rbldnsd = & $script:DnsLab { Find-DnsLabProgram rbldnsd }
        $dnsdist = & $script:DnsLab { Find-DnsLabProgram dnsdist }
        $zenProbe = [pscustomobject]@{ Name = '2.0.0.127.zen.direct.test'; Type = 1 }
        $nsProbe = [pscustomobject]@{ Name = 'zen.direct.test'; Type = 2 }
        $knotProbe = [pscustomobject]@{ Name = 'direct.test'; Type = 6 }
        $servers = @(
            [pscustomobject]@{ Name = 'knotd'; Exe = (& $script:DnsLab { Find-DnsLabProgram knotd }); Endpoint = $lab.Knot; Probes = @($knotProbe); Args = @('-c', $knotConfPath) }
            foreach ($s in @(@('rbldnsd-a', $lab.NsA), @('rbldnsd-b', $lab.NsB))) {
                [pscustomobject]@{ Name = $s[0]; Exe = $rbldnsd; Endpoint = $s[1]; Probes = @($zenProbe)
                    Args = @('-n', '-w', $zoneDir, '-u', $user, '-b', ($s[1] -replace ':', '/')) + $specs }
            }
            [pscustomobject]@{ Name = 'lame'; Exe = $dnsdist; Endpoint = $lab.Lame; Probes = @($zenProbe)
                Args = @('--supervised', '--disable-syslog', '-C', $luaPath.lame) }
            [pscustomobject]@{ Name = 'silent'; Exe = $dnsdist; Endpoint = $lab.Silent; Probes = @([pscustomobject]@{ Name = 'dead.direct.test'; Type = 2 })
                Args = @('--supervised', '--disable-syslog', '-C', $luaPath.silent) }
            [pscustomobject]@{ Name = 'unbound'; Exe = (& $script:DnsLab { Find-DnsLabProgram unbound }); Endpoint = $lab.Unbound; Probes = @($nsProbe)
                Args = @('-d', '-c', $unboundConfPath) }
            [pscustomobject]@{ Name = 'refusing'; Exe = $dnsdist; Endpoint = $lab.Resolver; Probes = @($nsProbe)
                Args = @('--supervised', '--disable-syslog', '-C', $luaPath.refusing) }
        )
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        foreach ($s in $servers) {
            $p = & $script:DnsLab { param($s, $dir, $io) Start-DnsLabProcess -Name $s.Name -FilePath $s.Exe -Arguments $s.Args -Dir $dir -Io $io } $s $dir $io
            $lab.Processes.Add($p)
        }
        if (Test-Path -LiteralPath '/bin/sh') {
            $watchScript = 'd=$1; shift; read cmd; [ "$cmd" = stop ] && exit 0; kill -9 "$@" 2>/dev/null; rm -rf "$d"'
            $wargs = @('-c', $watchScript, 'dnslab-watchdog', $dir) + @($lab.Processes | ForEach-Object { "$($_.Id)" })
            $lab.Watchdog = & $script:DnsLab { param($a, $dir, $io) Start-DnsLabProcess -Name 'watchdog' -FilePath '/bin/sh' -Arguments $a -Dir $dir -Io $io } $wargs $dir $io
        }
        for ($i = 0; $i -lt $servers.Count; $i++) {
            & $script:DnsLab { param($p, $s, $dir, $t) Wait-DnsLabServer -Process $p -Endpoint $s.Endpoint -Probes $s.Probes -Dir $dir -TimeoutSeconds $t } `
                $lab.Processes[$i] $servers[$i] $dir ([math]::Max(1, $TimeoutSeconds - $sw.Elapsed.TotalSeconds))
        }
        return $lab
    } catch {
        & $script:DnsLab { param($l) Stop-DnsLab -Lab $l } $lab
        throw
    }
}

function Stop-DnsDirectLab {
    param([Parameter(Mandatory)] $Lab)
    & $script:DnsLab { param($l) Stop-DnsLab -Lab $l } $Lab
}

Export-ModuleMember -Function Start-DnsDirectLab, Stop-DnsDirectLab
