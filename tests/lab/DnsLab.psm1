# DnsLab: real DNS servers on loopback for MailBlacklist tests.
#   rbldnsd (DNSBL zones in ./zones), Knot (ordinary zones in ./knot),
#   dnsdist in front (routing, faults, latency), a second dnsdist adding 50 ms to every answer,
#   unbound (recursive resolver with stub zones) and a dnsdist dropping 5 % of queries, both in
#   front of the first rbldnsd alone.
# Needs only pwsh and the Debian packages rbldnsd knot dnsdist dnsperf knot-dnsutils unbound.
# No bash: processes are started with System.Diagnostics.Process; /bin/sh is used only for
# an optional watchdog that kills the servers if the owning pwsh process dies.

Set-StrictMode -Version 3.0

$script:LabRoot = $PSScriptRoot
# chromium renders the HTML report in its tests (Export-MailDeliveryReport.Tests.ps1).
$script:DebianPackages = @('rbldnsd', 'knot', 'dnsdist', 'dnsperf', 'knot-dnsutils', 'unbound', 'chromium')
# program -> Debian package
$script:Programs = [ordered]@{
    rbldnsd = 'rbldnsd'
    knotd   = 'knot'
    dnsdist = 'dnsdist'
    dnsperf = 'dnsperf'
    kdig    = 'knot-dnsutils'
    unbound = 'unbound'
    chromium = 'chromium'
}
$script:DqsKey = 'secretkey123abc'
$script:DqsBase = 'zen.dq.spamhaus.test'
$script:BenchZoneCount = 20
$script:LossyDropRate = 0.05

function Find-DnsLabProgram {
    <# Full path of a program, also looking in the sbin folders a non-root PATH lacks. #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)][string] $Name)
    $cmd = Get-Command -Name $Name -CommandType Application -ErrorAction Ignore | Select-Object -First 1
    if ($cmd) { return $cmd.Source }
    foreach ($folder in '/usr/sbin', '/sbin', '/usr/local/sbin') {
        $path = Join-Path $folder $Name
        if (Test-Path -LiteralPath $path -PathType Leaf) { return $path }
    }
    return $null
}

function Test-DnsLabRoot {
    if (Test-Path -LiteralPath '/proc/self/status') {
        $line = Get-Content -LiteralPath '/proc/self/status' | Where-Object { $_ -like 'Uid:*' } | Select-Object -First 1
        return (($line -split '\s+')[2] -eq '0')   # effective uid
    }
    $id = Find-DnsLabProgram id
    if ($id) { return ((& $id -u) -eq '0') }
    return $false
}

function Get-MissingDnsLabProgram {
    foreach ($name in $script:Programs.Keys) {
        if (-not (Find-DnsLabProgram $name)) { $name }
    }
}

function Install-DnsLabPackage {
    <#
    .SYNOPSIS
    Installs rbldnsd, Knot, dnsdist, dnsperf, kdig and unbound with apt-get when any is missing.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param()
    $missing = @(Get-MissingDnsLabProgram)
    if ($missing.Count -eq 0) {
        Write-Verbose 'DnsLab: rbldnsd, knotd, dnsdist, dnsperf, kdig and unbound are present.'
        return
    }
    $packages = @($missing | ForEach-Object { $script:Programs[$_] } | Select-Object -Unique)
    $apt = Find-DnsLabProgram apt-get
    if (-not $apt) {
        throw ("DnsLab needs these programs, which are missing: $($missing -join ', '). " +
            "apt-get is not available here; install the Debian packages " +
            "'$($script:DebianPackages -join ' ')' (missing ones: $($packages -join ' ')) " +
            'or the equivalent packages of this system.')
    }
    $prefix = @()
    if (-not (Test-DnsLabRoot)) {
        $sudo = Find-DnsLabProgram sudo
        if (-not $sudo) {
            throw ("DnsLab needs $($missing -join ', ') (Debian packages: $($script:DebianPackages -join ' ')). " +
                'Not running as root and sudo is not available: run apt-get install as root.')
        }
        $prefix = @($sudo)
    }
    $envExe = Find-DnsLabProgram env
    if (-not $PSCmdlet.ShouldProcess(($script:DebianPackages -join ' '), 'apt-get install')) { return }
    foreach ($aptArgs in @(@('update', '-q'), (@('install', '-y', '-q', '--no-install-recommends') + $script:DebianPackages))) {
        $argv = $prefix + @($envExe, 'DEBIAN_FRONTEND=noninteractive', $apt) + $aptArgs
        Write-Verbose ("DnsLab: " + ($argv -join ' '))
        & $argv[0] @($argv | Select-Object -Skip 1) | Write-Verbose
        if ($LASTEXITCODE -ne 0) { throw "DnsLab: '$($argv -join ' ')' failed with exit code $LASTEXITCODE." }
    }
    $still = @(Get-MissingDnsLabProgram)
    if ($still.Count -gt 0) { throw "DnsLab: still missing after apt-get install: $($still -join ', ')." }
}

function Get-DnsLabBenchListing {
    <#
    .SYNOPSIS
    Addresses listed in bench<Index>.bl.test (besides the 127.0.0.2 test point).
    .DESCRIPTION
    bench<NN>.bl.test lists 10.0.x.y exactly when (x*256+y) % 100 == NN, that is about 1 %
    of 10.0.0.0/16 (655 or 656 addresses), answering 127.0.0.2. No address is in two bench zones.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)][ValidateRange(1, 20)][int] $Index)
    for ($n = $Index; $n -lt 65536; $n += 100) {
        '10.0.{0}.{1}' -f [math]::Floor($n / 256), ($n % 256)
    }
}

function Set-DnsLabMode([string] $Path, [string] $Mode) {
    if ($IsWindows) { return }
    [System.IO.File]::SetUnixFileMode($Path, [System.IO.UnixFileMode]([Convert]::ToInt32($Mode, 8)))
}

function Test-WorldTraversable([string] $Path) {
    $item = Get-Item -LiteralPath $Path
    while ($item) {
        $mode = [System.IO.File]::GetUnixFileMode($item.FullName)
        if (-not ($mode -band [System.IO.UnixFileMode]::OtherExecute)) { return $false }
        $item = $item.Parent
    }
    return $true
}

function Get-DnsLabPortLock {
    # One lock file per port: an exclusive lock (flock) held for the lab's lifetime, released by
    # the OS if the process dies. Plus a bind probe, so ports used by anything else are skipped.
    param([int] $From, [int[]] $Exclude)
    $lockDir = Join-Path ([System.IO.Path]::GetTempPath()) 'dnslab-ports'
    if (-not (Test-Path -LiteralPath $lockDir)) {
        $null = New-Item -ItemType Directory -Path $lockDir -Force
        try { Set-DnsLabMode $lockDir '1777' } catch { }
    }
    for ($port = $From; $port -le [math]::Min(65535, $From + 2000); $port++) {
        if ($Exclude -contains $port) { continue }
        $lock = $null
        try {
            $lock = [System.IO.FileStream]::new((Join-Path $lockDir "$port.lock"),
                [System.IO.FileMode]::OpenOrCreate, [System.IO.FileAccess]::ReadWrite, [System.IO.FileShare]::None)
        } catch { continue }
        if (Test-DnsLabPortFree $port) {
            return [pscustomobject]@{ Port = $port; Lock = $lock }
        }
        $lock.Dispose()
    }
    throw "DnsLab: no free port found from $From to $($From + 2000)."
}

function Test-DnsLabPortFree([int] $Port) {
    $endpoint = [System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, $Port)
    $udp = [System.Net.Sockets.Socket]::new('InterNetwork', 'Dgram', 'Udp')
    $tcp = [System.Net.Sockets.Socket]::new('InterNetwork', 'Stream', 'Tcp')
    try {
        $udp.Bind($endpoint)
        $tcp.Bind($endpoint)
        return $true
    } catch {
        return $false
    } finally {
        $udp.Dispose(); $tcp.Dispose()
    }
}

function Send-DnsLabQuery {
    # Minimal UDP DNS client for readiness checks: returns @{ RCode; AnswerCount } or $null.
    param([string] $Endpoint, [string] $Name, [uint16] $Type = 1, [int] $TimeoutMs = 300)
    $hostPart, $portPart = $Endpoint -split ':'
    $id = [uint16](Get-Random -Maximum 65535)
    $packet = [System.Collections.Generic.List[byte]]::new()
    $packet.AddRange([byte[]]@(($id -shr 8), ($id -band 0xFF), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0))
    foreach ($label in $Name.TrimEnd('.').Split('.')) {
        $bytes = [System.Text.Encoding]::ASCII.GetBytes($label)
        $packet.Add([byte]$bytes.Length); $packet.AddRange($bytes)
    }
    $packet.AddRange([byte[]]@(0, ($Type -shr 8), ($Type -band 0xFF), 0, 1))
    $client = [System.Net.Sockets.UdpClient]::new()
    try {
        $client.Client.ReceiveTimeout = $TimeoutMs
        $client.Connect($hostPart, [int]$portPart)
        $null = $client.Send($packet.ToArray(), $packet.Count)
        $remote = [System.Net.IPEndPoint]::new([System.Net.IPAddress]::Any, 0)
        $deadline = [DateTime]::UtcNow.AddMilliseconds($TimeoutMs)
        while ([DateTime]::UtcNow -lt $deadline) {
            $reply = $client.Receive([ref]$remote)
            if ($reply.Length -ge 12 -and $reply[0] -eq ($id -shr 8) -and $reply[1] -eq ($id -band 0xFF)) {
                return [pscustomobject]@{ RCode = $reply[3] -band 0x0F; AnswerCount = $reply[6] * 256 + $reply[7] }
            }
        }
    } catch [System.Net.Sockets.SocketException] {
        return $null   # timeout or ICMP port unreachable
    } finally {
        $client.Dispose()
    }
    return $null
}

function Start-DnsLabProcess {
    param([string] $Name, [string] $FilePath, [string[]] $Arguments, [string] $Dir, $Io)
    $psi = [System.Diagnostics.ProcessStartInfo]::new($FilePath)
    foreach ($a in $Arguments) { $psi.ArgumentList.Add($a) }
    $psi.UseShellExecute = $false
    $psi.WorkingDirectory = $Dir
    $psi.RedirectStandardInput = $true
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($psi)
    # Copy output to log files entirely inside .NET (no script block runs on a pool thread).
    foreach ($stream in @(@('out', $process.StandardOutput.BaseStream), @('err', $process.StandardError.BaseStream))) {
        # bufferSize 1 = unbuffered, so the log is readable while the process runs.
        $file = [System.IO.FileStream]::new((Join-Path $Dir "$Name.$($stream[0]).log"), 'Create', 'Write', 'ReadWrite', 1)
        $Io.Add([pscustomobject]@{ File = $file; Task = $stream[1].CopyToAsync($file, 4096) })
    }
    $process | Add-Member -NotePropertyName LabName -NotePropertyValue $Name
    $process | Add-Member -NotePropertyName LabCommand -NotePropertyValue (@($FilePath) + $Arguments -join ' ')
    return $process
}

function Get-DnsLabLogTail([string] $Dir, [string] $Name) {
    $text = foreach ($kind in 'out', 'err') {
        $path = Join-Path $Dir "$Name.$kind.log"
        if (Test-Path -LiteralPath $path) {
            try {
                $fs = [System.IO.FileStream]::new($path, 'Open', 'Read', 'ReadWrite')
                try { [System.IO.StreamReader]::new($fs).ReadToEnd() } finally { $fs.Dispose() }
            } catch { }
        }
    }
    (($text -join "`n") -split "`n" | Where-Object { $_ } | Select-Object -Last 15) -join "`n"
}

function Wait-DnsLabServer {
    param($Process, [string] $Endpoint, [object[]] $Probes, [string] $Dir, [double] $TimeoutSeconds)
    $sw = [System.Diagnostics.Stopwatch]::StartNew()
    $pending = [System.Collections.Generic.List[object]]::new($Probes)
    while ($true) {
        if ($Process.HasExited) {
            Start-Sleep -Milliseconds 200   # lets the log copy reach the end of the stream
            $cmd = $Process.LabCommand
            if ($cmd.Length -gt 160) { $cmd = $cmd.Substring(0, 160) + '...' }
            throw "DnsLab: $($Process.LabName) exited with code $($Process.ExitCode) while starting ($cmd).`n$(Get-DnsLabLogTail $Dir $Process.LabName)"
        }
        foreach ($probe in @($pending)) {
            $answer = Send-DnsLabQuery -Endpoint $Endpoint -Name $probe.Name -Type $probe.Type -TimeoutMs 250
            if ($answer -and $answer.RCode -eq 0 -and $answer.AnswerCount -gt 0) { $null = $pending.Remove($probe) }
        }
        if ($pending.Count -eq 0) { return }
        if ($sw.Elapsed.TotalSeconds -gt $TimeoutSeconds) {
            throw "DnsLab: $($Process.LabName) on $Endpoint did not answer $($pending[0].Name) within $TimeoutSeconds s.`n$(Get-DnsLabLogTail $Dir $Process.LabName)"
        }
        Start-Sleep -Milliseconds 50
    }
}

function New-DnsLabBenchZone([string] $ZoneDir) {
    $specs = foreach ($i in 1..$script:BenchZoneCount) {
        $nn = '{0:D2}' -f $i
        $sb = [System.Text.StringBuilder]::new()
        $null = $sb.AppendLine("# bench$nn.bl.test, generated by Start-DnsLab: 10.0.x.y listed when (x*256+y) % 100 == $i")
        $null = $sb.AppendLine('$SOA 0 ns.bl.test hostmaster.bl.test 0 1h 15m 1w 5m')
        $null = $sb.AppendLine(":127.0.0.2:Listed in bench$nn, see https://bench.bl.test/`$")
        $null = $sb.AppendLine('127.0.0.2')
        foreach ($address in Get-DnsLabBenchListing -Index $i) { $null = $sb.AppendLine($address) }
        $file = "bench$nn.ip4set"
        [System.IO.File]::WriteAllText((Join-Path $ZoneDir $file), $sb.ToString())
        "bench$nn.bl.test:ip4set:$file"
    }
    return $specs
}

function New-DnsLabUnboundConf {
    # unbound.conf from the template: one stub zone per lab zone, so unbound iterates to the lab
    # servers exactly as it would to a list's own name servers. Returns the file's path.
    param($Lab, [string] $Dir, [string[]] $RbldnsdZones, [string[]] $KnotZones)
    $toAddr = { param($endpoint) $endpoint.Replace(':', '@') }
    $stubs = [ordered]@{}
    foreach ($zone in $RbldnsdZones) { $stubs[$zone.ToLowerInvariant()] = & $toAddr $Lab.Rbldnsd }
    foreach ($zone in $KnotZones) { $stubs[$zone.ToLowerInvariant()] = & $toAddr $Lab.Knot }
    # Zones made by dnsdist rules (faults, 1.5 s latency, the DQS wrong-key answer) go to
    # Dnsdist; the good DQS key zone stays on rbldnsd (the more specific stub wins).
    foreach ($zone in 'servfail.bl.test', 'refused.bl.test', 'drop.bl.test', 'slow.bl.test', $script:DqsBase) {
        $stubs[$zone] = & $toAddr $Lab.Dnsdist
    }
    $zoneText = ($stubs.Keys | ForEach-Object {
            "stub-zone:`n    name: `"$_.`"`n    stub-addr: $($stubs[$_])`n"
        }) -join "`n"
    $conf = (Get-Content -Raw -LiteralPath (Join-Path $script:LabRoot 'unbound.conf.template')).
        Replace('{{LISTEN}}', (& $toAddr $Lab.Unbound)).Replace('{{DIR}}', $Dir).
        Replace('{{ROOT}}', (& $toAddr $Lab.Blind)).Replace('{{ZONES}}', $zoneText)
    $path = Join-Path $Dir 'unbound.conf'
    [System.IO.File]::WriteAllText($path, $conf)
    return $path
}

function Start-DnsLab {
    <#
    .SYNOPSIS
    Starts rbldnsd, Knot, four dnsdist instances and unbound on 127.0.0.1 and returns the lab.
    .OUTPUTS
    PSCustomObject with Rbldnsd, Knot, Dnsdist, Delayed, Dead, Blind, Unbound, Lossy
    ("127.0.0.1:port"), RbldnsdAll (every rbldnsd endpoint), Processes, Watchdog, Dir,
    StartSeconds. Pass it to Stop-DnsLab.
    Blind is a resolver without internet: NXDOMAIN for every name, the DNS root included.
    Unbound is a recursive resolver (cold cache) with a stub zone per lab zone: rbldnsd zones go
    to Rbldnsd alone, ordinary zones to Knot, the dnsdist-only fault zones to Dnsdist.
    Lossy is a dnsdist in front of Rbldnsd alone (and Knot) that drops 5 % of queries at random.
    .PARAMETER RbldnsdCount
    rbldnsd processes behind both dnsdist instances. rbldnsd fixes its UDP receive buffer at
    64 KiB (about 118 queries); a burst beyond that per process is silently lost.
    #>
    [CmdletBinding()]
    param(
        [ValidateRange(1024, 63000)][int] $BasePort = 15353,
        [ValidateRange(1, 120)][double] $TimeoutSeconds = 30,
        [ValidateRange(1, 16)][int] $RbldnsdCount = 4
    )
    $sw = [System.Diagnostics.Stopwatch]::StartNew()
    $missing = @(Get-MissingDnsLabProgram | Where-Object { $_ -in 'rbldnsd', 'knotd', 'dnsdist', 'unbound' })
    if ($missing.Count -gt 0) {
        throw "DnsLab: missing $($missing -join ', '). Run Install-DnsLabPackage (Debian packages: $($script:DebianPackages -join ' '))."
    }
    $isRoot = Test-DnsLabRoot
    $io = [System.Collections.Generic.List[object]]::new()
    $lab = [pscustomobject]@{
        PSTypeName   = 'DnsLab'
        Rbldnsd      = $null
        RbldnsdAll   = $null
        Knot         = $null
        Dnsdist      = $null
        Delayed      = $null
        Dead         = $null
        Blind        = $null
        Unbound      = $null
        Lossy        = $null
        Processes    = [System.Collections.Generic.List[System.Diagnostics.Process]]::new()
        Watchdog     = $null
        Dir          = $null
        StartSeconds = $null
        Internal     = [pscustomobject]@{ Locks = [System.Collections.Generic.List[object]]::new(); Io = $io }
    }
    try {
        # Ports: knot, dnsdist, delayed, dead, blind, unbound, lossy, then one per rbldnsd.
        $ports = @()
        $next = $BasePort
        foreach ($i in 1..(7 + $RbldnsdCount)) {
            $reserved = Get-DnsLabPortLock -From $next -Exclude $ports
            $lab.Internal.Locks.Add($reserved.Lock)
            $ports += $reserved.Port
            $next = $reserved.Port + 1
        }
        $ep = $ports | ForEach-Object { "127.0.0.1:$_" }
        $lab.Knot, $lab.Dnsdist, $lab.Delayed, $lab.Dead, $lab.Blind, $lab.Unbound, $lab.Lossy = $ep[0..6]
        $rbldnsdPorts = @($ports[7..(6 + $RbldnsdCount)])
        $lab.RbldnsdAll = @($ep[7..(6 + $RbldnsdCount)])
        $lab.Rbldnsd = $lab.RbldnsdAll[0]

        # Fresh world-readable directory (rbldnsd drops root privileges before reading zones).
        $tempBase = [System.IO.Path]::GetTempPath()
        if ($isRoot -and -not (Test-WorldTraversable $tempBase)) { $tempBase = '/tmp' }
        $dir = Join-Path $tempBase ('dnslab-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
        $null = New-Item -ItemType Directory -Path $dir
        $lab.Dir = $dir
        $zoneDir = Join-Path $dir 'zones'
        $knotDir = Join-Path $dir 'knot'
        $null = New-Item -ItemType Directory -Path $zoneDir, $knotDir
        Copy-Item -Path (Join-Path $script:LabRoot 'zones/*') -Destination $zoneDir
        Copy-Item -Path (Join-Path $script:LabRoot 'knot/*.zone') -Destination $knotDir
        $benchSpecs = New-DnsLabBenchZone $zoneDir

        $zoneSpecs = @(Get-Content -LiteralPath (Join-Path $zoneDir 'zones.txt') |
                ForEach-Object { $_.Trim() } | Where-Object { $_ -and -not $_.StartsWith('#') }) + $benchSpecs
        $knotZones = @(Get-ChildItem -LiteralPath $knotDir -Filter '*.zone' | ForEach-Object { $_.Name -replace '\.zone$', '' })

        # Knot configuration from the template.
        $zoneList = ($knotZones | ForEach-Object { "  - domain: `"$_`"" }) -join "`n"
        $knotConf = (Get-Content -Raw -LiteralPath (Join-Path $script:LabRoot 'knot/knot.conf.template')).
            Replace('{{LISTEN}}', "127.0.0.1@$($ports[0])").Replace('{{DIR}}', $knotDir).Replace('{{ZONES}}', $zoneList)
        $knotConfPath = Join-Path $knotDir 'knot.conf'
        [System.IO.File]::WriteAllText($knotConfPath, $knotConf)

        # dnsdist configurations: a Lua table `lab` followed by the template.
        $template = Get-Content -Raw -LiteralPath (Join-Path $script:LabRoot 'dnsdist.lua.template')
        $luaList = { param($items) '{' + (($items | ForEach-Object { '"' + $_ + '"' }) -join ', ') + '}' }
        $dnsdistConf = @{}
        # name, listen, delay ms, NXDOMAIN for all, drop rate, rbldnsd behind it
        $variants = @(
            @('dnsdist', $lab.Dnsdist, 0, 'false', 0, $lab.RbldnsdAll),
            @('delayed', $lab.Delayed, 50, 'false', 0, $lab.RbldnsdAll),
            @('blind', $lab.Blind, 0, 'true', 0, $lab.RbldnsdAll),
            @('lossy', $lab.Lossy, 0, 'false', $script:LossyDropRate, @($lab.Rbldnsd))
        )
        foreach ($variant in $variants) {
            $header = @(
                "-- generated by Start-DnsLab"
                "local lab = {"
                "  listen = `"$($variant[1])`","
                "  rbldnsd = $(& $luaList $variant[5]),"
                "  knot = `"$($lab.Knot)`","
                "  knotZones = $(& $luaList @($knotZones | ForEach-Object { "$_." })),"
                "  delayMs = $($variant[2]),"
                "  nxdomainAll = $($variant[3]),"
                "  dropRate = $([string]::Format([cultureinfo]::InvariantCulture, '{0}', $variant[4])),"
                "  slowMs = 1500,"
                "  dqsBase = `"$($script:DqsBase).`","
                "  dqsKey = `"$($script:DqsKey).$($script:DqsBase).`","
                "}"
            ) -join "`n"
            $path = Join-Path $dir "$($variant[0]).lua"
            [System.IO.File]::WriteAllText($path, $header + "`n" + $template)
            $dnsdistConf[$variant[0]] = $path
        }

        $unboundConfPath = New-DnsLabUnboundConf -Lab $lab -Dir $dir -RbldnsdZones @($zoneSpecs | ForEach-Object { ($_ -split ':')[0] }) -KnotZones $knotZones

        Set-DnsLabMode $dir '755'
        foreach ($d in $zoneDir, $knotDir) { Set-DnsLabMode $d '755' }
        Get-ChildItem -LiteralPath $dir -Recurse -File | ForEach-Object { Set-DnsLabMode $_.FullName '644' }

        # rbldnsd refuses to run as root: drop to rbldns (Debian package user) or nobody.
        $rbldnsdArgs = @('-n', '-w', $zoneDir)
        if ($isRoot) {
            $passwd = Get-Content -LiteralPath '/etc/passwd' -ErrorAction Ignore
            $group = Get-Content -LiteralPath '/etc/group' -ErrorAction Ignore
            $user = if ($passwd -match '^rbldns:') { 'rbldns' }
                    elseif ($group -match '^nogroup:') { 'nobody:nogroup' } else { 'nobody' }
            $rbldnsdArgs += @('-u', $user)
        }
        $rbldnsd = Find-DnsLabProgram rbldnsd
        $rblProbe = [pscustomobject]@{ Name = '2.0.0.127.good.bl.test'; Type = 1 }    # A
        $knotProbe = [pscustomobject]@{ Name = "$($knotZones[0])"; Type = 6 }        # SOA
        $dnsdist = Find-DnsLabProgram dnsdist
        $servers = @(
            for ($i = 0; $i -lt $RbldnsdCount; $i++) {
                [pscustomobject]@{ Name = "rbldnsd$(if ($i) { $i + 1 })"; Exe = $rbldnsd; Endpoint = $lab.RbldnsdAll[$i]; Probes = @($rblProbe)
                    Args = $rbldnsdArgs + @('-b', "127.0.0.1/$($rbldnsdPorts[$i])") + $zoneSpecs }
            }
            [pscustomobject]@{ Name = 'knotd'; Exe = (Find-DnsLabProgram knotd); Endpoint = $lab.Knot; Probes = @($knotProbe)
                Args = @('-c', $knotConfPath) }
            [pscustomobject]@{ Name = 'dnsdist'; Exe = $dnsdist; Endpoint = $lab.Dnsdist; Probes = @($rblProbe, $knotProbe)
                Args = @('--supervised', '--disable-syslog', '-C', $dnsdistConf['dnsdist']) }
            [pscustomobject]@{ Name = 'delayed'; Exe = $dnsdist; Endpoint = $lab.Delayed; Probes = @($rblProbe, $knotProbe)
                Args = @('--supervised', '--disable-syslog', '-C', $dnsdistConf['delayed']) }
            [pscustomobject]@{ Name = 'blind'; Exe = $dnsdist; Endpoint = $lab.Blind; Probes = @()
                Args = @('--supervised', '--disable-syslog', '-C', $dnsdistConf['blind']) }
            # Readiness probes only; 5 % of them are dropped and simply retried.
            [pscustomobject]@{ Name = 'lossy'; Exe = $dnsdist; Endpoint = $lab.Lossy; Probes = @($rblProbe, $knotProbe)
                Args = @('--supervised', '--disable-syslog', '-C', $dnsdistConf['lossy']) }
            # Last: its stub zones point at the servers above, which are up by the time it is probed.
            [pscustomobject]@{ Name = 'unbound'; Exe = (Find-DnsLabProgram unbound); Endpoint = $lab.Unbound; Probes = @($rblProbe, $knotProbe)
                Args = @('-d', '-c', $unboundConfPath) }
        )
        foreach ($s in $servers) {
            $lab.Processes.Add((Start-DnsLabProcess -Name $s.Name -FilePath $s.Exe -Arguments $s.Args -Dir $dir -Io $io))
        }

        # Watchdog: a /bin/sh blocked reading a pipe from this process. If pwsh dies without
        # Stop-DnsLab, the kernel closes the pipe, `read` sees end of file and the watchdog kills
        # the servers and removes the directory. Stop-DnsLab writes "stop" to end it quietly.
        if (Test-Path -LiteralPath '/bin/sh') {
            $watchScript = 'd=$1; shift; read cmd; [ "$cmd" = stop ] && exit 0; kill -9 "$@" 2>/dev/null; rm -rf "$d"'
            $wargs = @('-c', $watchScript, 'dnslab-watchdog', $dir) + @($lab.Processes | ForEach-Object { "$($_.Id)" })
            $lab.Watchdog = Start-DnsLabProcess -Name 'watchdog' -FilePath '/bin/sh' -Arguments $wargs -Dir $dir -Io $io
        }

        for ($i = 0; $i -lt $servers.Count; $i++) {
            Wait-DnsLabServer -Process $lab.Processes[$i] -Endpoint $servers[$i].Endpoint -Probes $servers[$i].Probes -Dir $dir `
                -TimeoutSeconds ([math]::Max(1, $TimeoutSeconds - $sw.Elapsed.TotalSeconds))
        }
        $lab.StartSeconds = [math]::Round($sw.Elapsed.TotalSeconds, 2)
        Write-Verbose "DnsLab started in $($lab.StartSeconds) s in $dir"
        return $lab
    } catch {
        Stop-DnsLab -Lab $lab
        throw
    }
}

function Stop-DnsLab {
    <#
    .SYNOPSIS
    Kills the lab's processes, waits for them to exit, removes its directory and releases its ports.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory, ValueFromPipeline)] $Lab)
    process {
        $all = @()
        if ($Lab.Watchdog) {
            # End it first, so it can never act on reused PIDs.
            try {
                if (-not $Lab.Watchdog.HasExited) {
                    $Lab.Watchdog.StandardInput.WriteLine('stop')
                    $Lab.Watchdog.StandardInput.Flush()
                    $null = $Lab.Watchdog.WaitForExit(2000)
                }
            } catch { }
            $all += $Lab.Watchdog
        }
        $all += @($Lab.Processes)
        foreach ($p in $all) {
            try { if (-not $p.HasExited) { $p.Kill($true) } } catch { }
        }
        foreach ($p in $all) {
            try {
                if (-not $p.WaitForExit(5000)) { Write-Warning "DnsLab: $($p.LabName) (pid $($p.Id)) did not exit." }
                $p.StandardInput.Dispose()
            } catch { }
        }
        foreach ($entry in @($Lab.Internal.Io)) {
            try { $null = $entry.Task.Wait(2000) } catch { }
            try { $entry.File.Dispose() } catch { }
        }
        $Lab.Internal.Io.Clear()
        if ($Lab.Dir -and (Test-Path -LiteralPath $Lab.Dir)) {
            Remove-Item -LiteralPath $Lab.Dir -Recurse -Force -ErrorAction Continue
        }
        foreach ($lock in @($Lab.Internal.Locks)) { try { $lock.Dispose() } catch { } }
        $Lab.Internal.Locks.Clear()
    }
}

Export-ModuleMember -Function Install-DnsLabPackage, Start-DnsLab, Stop-DnsLab, Get-DnsLabBenchListing, Find-DnsLabProgram
