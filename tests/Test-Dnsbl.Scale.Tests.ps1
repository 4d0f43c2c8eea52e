# Test-Dnsbl at scale: streaming, order, cancellation, deduplication, caching, the count rule,
# progress and the free-volume warning; default settings against one plain rbldnsd, unbound and a
# lossy server; forged answers; and the module's UDP DNS client against every outcome the lab's
# real servers give. No speed asserts: waits are bounded only to fail instead of hang, and the one
# timing bound is the behaviour asked of Ctrl+C (stopped within a second).
BeforeAll {
    . $PSScriptRoot/Common.ps1
    Import-Module (Join-Path $PSScriptRoot 'lab/DnsLab.psm1') -Force   # Get-DnsLabBenchListing
    $script:Lab_ = @{ Server = $Lab.Dnsdist; CatalogPath = $LabCatalog; TimeoutSec = 1; Retry = 0; NoCache = $true }

    function Get-QueryLine([object[]] $Verbose) {
        $line = $Verbose | Where-Object { $_ -match 'Queries sent: (\d+) \(TXT: (\d+)\); answered from cache: (\d+)' } | Select-Object -Last 1
        $null = $line -match 'Queries sent: (\d+) \(TXT: (\d+)\); answered from cache: (\d+)'
        [pscustomobject]@{ Sent = [int]$Matches[1]; Txt = [int]$Matches[2]; Cached = [int]$Matches[3] }
    }

    function Invoke-Captured([scriptblock] $Script) {
        $all = & $Script *>&1
        [pscustomobject]@{
            Output   = @($all | Where-Object { $_ -is [MailBlacklist.DnsblResult] -or $_ -is [bool] })
            Errors   = @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            Warnings = @($all | Where-Object { $_ -is [System.Management.Automation.WarningRecord] } | ForEach-Object Message)
            Verbose  = @($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        }
    }

    # 10.0.x.y is listed in bench<NN> exactly when (x*256+y) % 100 == NN.
    function Get-BenchAddress([int] $Index) { '10.0.{0}.{1}' -f ($Index -shr 8), ($Index -band 255) }
}

Describe 'Test-Dnsbl streams its results' {
    It 'writes the first result before the last input has arrived' {
        $events = [System.Collections.Generic.List[string]]::new()
        & {
            foreach ($i in 1..5) {
                $events.Add("in $i")
                "192.0.2.$(10 + $i)"
                Start-Sleep -Milliseconds 300   # a slow producer: the next input comes later
            }
        } | Test-Dnsbl -Zone good.bl.test @Lab_ | ForEach-Object { $events.Add("out $($_.Input)") }
        $events.Count | Should -Be 10
        $events.IndexOf('out 192.0.2.11') | Should -BeLessThan $events.IndexOf('in 5')
        $events.IndexOf('out 192.0.2.11') | Should -BeGreaterThan $events.IndexOf('in 1')
    }

    It 'writes results in input order even when answers arrive in another order' {
        # Through the delayed dnsdist many queries are in flight at once and finish in any order.
        $inputs = 0..299 | ForEach-Object { Get-BenchAddress ($_ * 7) }
        $r = $inputs | Test-Dnsbl -Zone bench01.bl.test, bench07.bl.test -Server $Lab.Delayed -CatalogPath $LabCatalog -TimeoutSec 2 -Retry 1 -NoCache
        $r.Count | Should -Be 600
        $r.Input | Select-Object -Unique | Should -Be $inputs
        $r.Zone | Select-Object -First 4 | Should -Be @('bench01.bl.test', 'bench07.bl.test', 'bench01.bl.test', 'bench07.bl.test')
    }
}

Describe 'Test-Dnsbl gives exactly one answer per input and zone' {
    It 'checks 2,000 addresses x 20 bench zones with every verdict right' {
        $zones = 1..20 | ForEach-Object { 'bench{0:D2}.bl.test' -f $_ }
        $count = 2000
        $c = Invoke-Captured { 0..($count - 1) | ForEach-Object { Get-BenchAddress $_ } | Test-Dnsbl -Zone $zones -Server $Lab.Dnsdist -CatalogPath $LabCatalog -TimeoutSec 2 -Retry 2 -NoCache -Verbose }
        $c.Output.Count + $c.Errors.Count | Should -Be ($count * 20)
        $c.Errors.Count | Should -Be 0
        $wrong = 0; $i = 0
        foreach ($r in $c.Output) {
            $index = [math]::Floor($i / 20); $zone = ($i % 20) + 1; $i++
            $expected = if ($index % 100 -eq $zone) { 'Listed' } else { 'NotListed' }
            if ($r.Input -ne (Get-BenchAddress $index) -or $r.Status -ne $expected) { $wrong++ }
        }
        $wrong | Should -Be 0
        # TXT only for the hits: one address in five is listed in one of the 20 zones.
        (Get-QueryLine $c.Verbose).Txt | Should -Be ($count / 5)
    }

    It 'counts results and errors as inputs x zones when lookups fail and inputs are bad' {
        $inputs = @('192.0.2.10', 'bogus', '192.0.2.99', '', '192.0.2.2', '300.1.1.1', '127.0.0.2')
        $zones = 'good.bl.test', 'drop.bl.test', 'servfail.bl.test', 'refused.bl.test', 'spamhaus.bl.test'
        $c = Invoke-Captured { $inputs | Test-Dnsbl -Zone $zones -Server $Lab.Dnsdist -CatalogPath $LabCatalog -TimeoutSec 0.5 -Retry 0 -NoCache }
        $valid = 4; $bad = 3
        $c.Output.Count | Should -Be ($valid * $zones.Count)
        $c.Errors.Count | Should -Be $bad
        ($c.Output.Count + $c.Errors.Count) | Should -Be ($valid * $zones.Count + $bad)
        $failing = $c.Output | Where-Object Zone -in 'drop.bl.test', 'servfail.bl.test', 'refused.bl.test'
        $failing.Count | Should -Be ($valid * 3)
        $failing.Status | Sort-Object -Unique | Should -Be 'Error'
        ($c.Output | Where-Object { $_.Zone -eq 'good.bl.test' -and $_.Input -eq '192.0.2.10' }).Status | Should -Be 'Listed'
    }
}

Describe 'Test-Dnsbl adapts to the server it asks' {
    BeforeAll {
        $script:BenchZones = 1..20 | ForEach-Object { 'bench{0:D2}.bl.test' -f $_ }
        # 2,000 x 20 with the default settings (no -ThrottleLimit, -TimeoutSec or -Retry): the
        # command, not the user, must find how much the server takes.
        function Test-BenchRun([string] $Server, [int] $Count = 2000) {
            $c = Invoke-Captured { 0..($Count - 1) | ForEach-Object { Get-BenchAddress $_ } | Test-Dnsbl -Zone $BenchZones -Server $Server -CatalogPath $LabCatalog -NoCache }
            $wrong = 0; $errors = 0; $i = 0
            foreach ($r in $c.Output) {
                $index = [math]::Floor($i / 20); $zone = ($i % 20) + 1; $i++
                $expected = if ($index % 100 -eq $zone) { 'Listed' } else { 'NotListed' }
                if ($r.Status -eq 'Error') { $errors++ }
                elseif ($r.Input -ne (Get-BenchAddress $index) -or $r.Zone -ne $BenchZones[$zone - 1] -or $r.Status -ne $expected) { $wrong++ }
            }
            [pscustomobject]@{ Results = $c.Output.Count; Errors = $errors; Wrong = $wrong; ErrorRecords = $c.Errors.Count }
        }
    }

    It 'checks 2,000 x 20 against one plain rbldnsd with default settings: no errors, every verdict exact' {
        # One rbldnsd holds about 118 queries in its socket buffer; 512 sent at once used to lose
        # the rest and report them as Error.
        $run = Test-BenchRun $Lab.Rbldnsd
        $run.Results | Should -Be 40000
        $run.ErrorRecords | Should -Be 0
        $run.Errors | Should -Be 0
        $run.Wrong | Should -Be 0
    }

    It 'checks 2,000 x 20 through unbound (stub zones to rbldnsd, cold cache) with default settings: no errors, every verdict exact' {
        $run = Test-BenchRun $Lab.Unbound
        $run.Results | Should -Be 40000
        $run.Errors | Should -Be 0
        $run.Wrong | Should -Be 0
    }

    It 'recovers from 5% dropped queries: no false verdict, at most 0.1% Error' {
        $run = Test-BenchRun $Lab.Lossy
        $run.Results | Should -Be 40000
        $run.Wrong | Should -Be 0
        $run.Errors | Should -BeLessOrEqual 40
    }
    It 'gives up on a server that answers nothing (no ICMP either) without sending it every query' {
        # A bound socket that never reads: what a firewall dropping everything looks like.
        $hole = [System.Net.Sockets.Socket]::new('InterNetwork', 'Dgram', 'Udp')
        $hole.ReceiveBufferSize = 4MB
        $hole.Bind([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, 0))
        try {
            $server = '127.0.0.1:{0}' -f $hole.LocalEndPoint.Port
            $inputs = 0..199 | ForEach-Object { Get-BenchAddress $_ }
            $r = $inputs | Test-Dnsbl -Zone bench01.bl.test, bench02.bl.test -Server $server -CatalogPath $LabCatalog -TimeoutSec 0.3 -Retry 0 -NoCache -WarningAction SilentlyContinue
            $r.Count | Should -Be 400
            $r.Status | Sort-Object -Unique | Should -Be 'Error'
            # After a few queries ran out their budget unanswered, one probe at a time went out
            # (with its resends); the rest failed without being sent.
            $received = 0
            $buffer = [byte[]]::new(512)
            while ($hole.Available -gt 0) { $null = $hole.Receive($buffer); $received++ }
            $received | Should -BeLessThan 200
        }
        finally { $hole.Dispose() }
    }

    It 'moves to the second server at once when the first is <Name>, and says so per server with -Verbose' -ForEach @(
        @{ Name = 'the lab''s Dead port (nothing listens)'; Kind = 'Dead' }
        @{ Name = 'silent (a socket that never reads: no ICMP either)'; Kind = 'Hole' }
    ) {
        $hole = [System.Net.Sockets.Socket]::new('InterNetwork', 'Dgram', 'Udp')
        $hole.ReceiveBufferSize = 4MB
        $hole.Bind([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, 0))
        try {
            $first = if ($Kind -eq 'Dead') { $Lab.Dead } else { '127.0.0.1:{0}' -f $hole.LocalEndPoint.Port }
            $inputs = 0..299 | ForEach-Object { Get-BenchAddress $_ }
            # Default -TimeoutSec and -Retry: a query that waited out its budget on the first
            # server would take 6 s; one retransmission timeout (about 0.5 s) is what it should cost.
            $sw = [System.Diagnostics.Stopwatch]::StartNew()
            $c = Invoke-Captured { $inputs | Test-Dnsbl -Zone $BenchZones[0..9] -Server $first, $Lab.Rbldnsd -CatalogPath $LabCatalog -NoCache -Verbose }
            $seconds = $sw.Elapsed.TotalSeconds
            $c.Output.Count | Should -Be 3000
            @($c.Output | Where-Object Status -eq 'Error').Count | Should -Be 0
            @($c.Output | Where-Object Status -eq 'Listed').Count | Should -Be 30
            $c.Output.Resolver | Sort-Object -Unique | Should -Be $Lab.Rbldnsd
            $seconds | Should -BeLessThan 5
            # The verbose line per server: the first answered nothing, the second everything.
            $firstLine = $c.Verbose | Where-Object { $_ -like "DNS server ${first}:*" }
            $firstLine | Should -Match 'answered 0,'
            # The first got only the queries of its first window and one probe at a time after it.
            $firstLine | Should -Match 'sent (\d+),'
            [int]($firstLine -replace '^.* sent (\d+),.*$', '$1') | Should -BeLessThan 100
            $c.Verbose | Where-Object { $_ -like "DNS server $($Lab.Rbldnsd):*" } | Should -Match 'unanswered 0\.$'
        }
        finally { $hole.Dispose() }
    }
}

Describe 'The UDP client never takes a forged answer' {
    BeforeAll {
        Add-Type -Path (Join-Path $PSScriptRoot 'ForgingResolver.cs')
        $upstream = [System.Net.IPEndPoint]::Parse($Lab.Rbldnsd)
        # Every true answer comes 3 ms after seven forgeries from the resolver's own address and
        # port and two from another port.
        $script:Forger = [ForgingResolver]::new($upstream, 3)
    }
    AfterAll { $Forger.Dispose() }

    It 'gives every verdict right while each answer is preceded by forged ones' {
        $zones = 1..5 | ForEach-Object { 'bench{0:D2}.bl.test' -f $_ }
        $count = 500
        $c = Invoke-Captured { 0..($count - 1) | ForEach-Object { Get-BenchAddress $_ } | Test-Dnsbl -Zone $zones -Server $Forger.Endpoint -CatalogPath $LabCatalog -TimeoutSec 2 -Retry 0 -NoCache }
        $c.Output.Count | Should -Be ($count * 5)
        $bad = 0; $listed = 0; $i = 0
        foreach ($r in $c.Output) {
            $index = [math]::Floor($i / 5); $zone = ($i % 5) + 1; $i++
            $expected = if ($index % 100 -eq $zone) { 'Listed' } else { 'NotListed' }
            if ($expected -eq 'Listed') { $listed++ }
            if ($r.Status -ne $expected) { $bad++ }
        }
        $listed | Should -Be 25
        $bad | Should -Be 0
        # The attack really happened: nine forgeries per query went out before each true answer.
        $Forger.Forged | Should -BeGreaterOrEqual ($Forger.Queries * 9)
        $Forger.Relayed | Should -BeGreaterOrEqual ($count * 5)
    }

    It 'takes neither a question-less NXDOMAIN nor a "listed" without a question as the answer' {
        $stack = [MailBlacklist.Engine.Dns.ResolverFactory]::Create([MailBlacklist.Engine.Dns.ResolverOptions]@{
                Servers = @($Forger.Endpoint); Timeout = [timespan]::FromSeconds(2); Retries = 0 })
        try {
            $listed = $stack.Resolver.QueryAsync('2.0.0.127.bench01.bl.test', 'A', [System.Threading.CancellationToken]::None).GetAwaiter().GetResult()
            $listed.Outcome | Should -Be 'Answer'
            $listed.Records.Data | Should -Be '127.0.0.2'
            $clean = $stack.Resolver.QueryAsync('1.0.0.127.bench01.bl.test', 'A', [System.Threading.CancellationToken]::None).GetAwaiter().GetResult()
            $clean.Outcome | Should -Be 'NxDomain'
        }
        finally { $stack.Dispose() }
    }

    It 'sends from several random source ports' {
        # The forger saw the queries of the tests above; a fixed port would show as one.
        $Forger.SourcePorts | Should -BeGreaterOrEqual 4
    }
}

Describe 'Test-Dnsbl does no repeated work' {
    It 'asks once for an address piped twice' {
        $c = Invoke-Captured { '192.0.2.97', '192.0.2.97', '192.0.2.97' | Test-Dnsbl -Zone good.bl.test @Lab_ -Verbose }
        $c.Output.Count | Should -Be 3
        $q = Get-QueryLine $c.Verbose
        # Apex SOA, two test points, and the address once (the copies share the first's answer).
        $q.Sent | Should -Be 4
        $q.Txt | Should -Be 0
    }

    It 'answers a second command in the session from the cache, and -NoCache turns that off' {
        $p = @{ Zone = 'good.bl.test'; Server = $Lab.Dnsdist; CatalogPath = $LabCatalog; TimeoutSec = 1; Retry = 0 }
        $address = '192.0.2.{0}' -f (Get-Random -Minimum 100 -Maximum 200)
        $first = Invoke-Captured { Test-Dnsbl -IPAddress $address @p -Verbose }
        $second = Invoke-Captured { Test-Dnsbl -IPAddress $address @p -Verbose }
        $third = Invoke-Captured { Test-Dnsbl -IPAddress $address @p -NoCache -Verbose }
        $second.Output.Status | Should -Be $first.Output.Status
        (Get-QueryLine $first.Verbose).Sent | Should -BeGreaterThan 0
        $q2 = Get-QueryLine $second.Verbose
        $q2.Sent | Should -Be 0
        $q2.Cached | Should -Be 4
        $q3 = Get-QueryLine $third.Verbose
        $q3.Sent | Should -Be 4
        $q3.Cached | Should -Be 0
    }
}

Describe 'Test-Dnsbl stops at once' {
    It 'ends a stopped command and leaves no query running' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                param($module, $server, $catalog)
                Import-Module $module
                1..5000 | ForEach-Object { '10.9.{0}.{1}' -f ($_ -shr 8), ($_ -band 255) } |
                    Test-Dnsbl -Zone drop.bl.test, good.bl.test -Server $server -CatalogPath $catalog -TimeoutSec 10 -Retry 3 -NoCache
            }).AddArgument($ModulePath).AddArgument($Lab.Dnsdist).AddArgument($LabCatalog)
            # drop.bl.test never answers: queries wait behind the window and out a 40 s budget.
            Assert-StopsWithQueriesOnTheWire $ps
        }
        finally { $ps.Dispose() }
    }
}

Describe 'Test-Dnsbl tells what it is doing and what it costs' {
    It 'reports progress with done/total and rate on a command that takes more than a moment' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                param($module, $server, $catalog)
                Import-Module $module
                # 300 queries at 200/s: about a second and a half.
                1..100 | ForEach-Object { "192.0.2.$_" } | Test-Dnsbl -Zone good.bl.test, spamhaus.bl.test, bench01.bl.test -Server $server -CatalogPath $catalog -TimeoutSec 1 -Retry 0 -NoCache -MaxQueriesPerSecond 200
            }).AddArgument($ModulePath).AddArgument($Lab.Dnsdist).AddArgument($LabCatalog)
            $out = $ps.Invoke()
            $out.Count | Should -Be 300
            $progress = @($ps.Streams.Progress)
            $progress.Count | Should -BeGreaterThan 0
            ($progress | Where-Object RecordType -eq 'Processing' | Select-Object -First 1).StatusDescription | Should -Match 'of 100 inputs done, [\d,.]+ queries/s'
            ($progress | Select-Object -Last 1).RecordType | Should -Be 'Completed'
        }
        finally { $ps.Dispose() }
    }

    It 'warns once when a command is about to exceed a list''s free-use volume' {
        $catalog = Get-Content -Raw $LabCatalog | ConvertFrom-Json
        ($catalog.zones | Where-Object name -eq 'good.bl.test').freeQueriesPerDay = 5
        $path = Join-Path ([System.IO.Path]::GetTempPath()) "mailblacklist-volume-$PID.json"
        $catalog | ConvertTo-Json -Depth 10 | Set-Content -LiteralPath $path -Encoding utf8
        try {
            $c = Invoke-Captured { 1..10 | ForEach-Object { "192.0.2.$_" } | Test-Dnsbl -Zone good.bl.test -Server $Lab.Dnsdist -CatalogPath $path -TimeoutSec 1 -Retry 0 -NoCache }
            $c.Output.Count | Should -Be 10
            $volume = @($c.Warnings | Where-Object { $_ -match 'free-use volume' })
            $volume.Count | Should -Be 1
            $volume[0] | Should -Match 'good\.bl\.test'
        }
        finally { Remove-Item -LiteralPath $path -ErrorAction Ignore }
    }
}

Describe 'The UDP DNS client' {
    BeforeAll {
        # The resolver stack a command gets (the UDP client with DnsClient.NET behind it).
        function New-Resolver([string] $Server, [double] $TimeoutSec = 1, [int] $Retry = 0) {
            [MailBlacklist.Engine.Dns.ResolverFactory]::Create([MailBlacklist.Engine.Dns.ResolverOptions]@{
                    Servers = @($Server); Timeout = [timespan]::FromSeconds($TimeoutSec); Retries = $Retry; MaxInFlight = 512 }).Resolver
        }
        function Invoke-Query($Resolver, [string] $Name, [string] $Type) {
            $Resolver.QueryAsync($Name, $Type, [System.Threading.CancellationToken]::None).GetAwaiter().GetResult()
        }
        $script:Rbl = New-Resolver $Lab.Rbldnsd
        $script:Knot = New-Resolver $Lab.Knot
        $script:Front = New-Resolver $Lab.Dnsdist -TimeoutSec 0.5
    }
    AfterAll {
        $Rbl, $Knot, $Front | ForEach-Object { $_.Dispose() }
    }

    It 'reads <Name> <Type> from <Via> as <Outcome> <Data>' -ForEach @(
        @{ Via = 'Rbl'; Name = '2.0.0.127.good.bl.test'; Type = 'A'; Outcome = 'Answer'; Data = '127.0.0.2' }
        @{ Via = 'Rbl'; Name = '10.2.0.192.GOOD.bl.test'; Type = 'Txt'; Outcome = 'Answer'; Data = 'Listed for spam, see https://good.bl.test/lookup?ip=192.0.2.10' }
        @{ Via = 'Rbl'; Name = '2.0.0.127.spamhaus.bl.test'; Type = 'A'; Outcome = 'Answer'; Data = '127.0.0.10 127.0.0.2 127.0.0.4' }
        @{ Via = 'Rbl'; Name = '1.0.0.127.good.bl.test'; Type = 'A'; Outcome = 'NxDomain'; Data = '' }
        @{ Via = 'Knot'; Name = 'mail.test'; Type = 'Txt'; Outcome = 'Answer'; Data = 'v=spf1 ip4:192.0.2.25 -all' }
        @{ Via = 'Knot'; Name = 'mx1.mail.test'; Type = 'Aaaa'; Outcome = 'Answer'; Data = '2001:db8::25' }
        @{ Via = 'Knot'; Name = 'mail.test'; Type = 'Soa'; Outcome = 'Answer'; Data = 'ns1.mail.test hostmaster.mail.test' }
        @{ Via = 'Knot'; Name = 'mx1.mail.test'; Type = 'Txt'; Outcome = 'NoData'; Data = '' }
        @{ Via = 'Knot'; Name = 'nope.mail.test'; Type = 'A'; Outcome = 'NxDomain'; Data = '' }
        @{ Via = 'Knot'; Name = 'alias.wire.test'; Type = 'A'; Outcome = 'Answer'; Data = '127.0.0.3' }
        @{ Via = 'Knot'; Name = 'chain.wire.test'; Type = 'A'; Outcome = 'Answer'; Data = '127.0.0.3' }
        @{ Via = 'Knot'; Name = 'alias.wire.test'; Type = 'Txt'; Outcome = 'Answer'; Data = 'cname target' }
        @{ Via = 'Knot'; Name = 'onlytxt.wire.test'; Type = 'A'; Outcome = 'NoData'; Data = '' }
        # A referral ("ask the delegated servers") is not "no record".
        @{ Via = 'Knot'; Name = 'mail.delegated.wire.test'; Type = 'Mx'; Outcome = 'OtherError'; Data = '' }
        @{ Via = 'Knot'; Name = 'mail.delegated.wire.test'; Type = 'Txt'; Outcome = 'OtherError'; Data = '' }
        @{ Via = 'Front'; Name = '2.0.0.127.servfail.bl.test'; Type = 'A'; Outcome = 'ServerFailure'; Data = '' }
        @{ Via = 'Front'; Name = '2.0.0.127.refused.bl.test'; Type = 'A'; Outcome = 'Refused'; Data = '' }
        @{ Via = 'Front'; Name = '2.0.0.127.drop.bl.test'; Type = 'A'; Outcome = 'Timeout'; Data = '' }
    ) {
        $resolver = Get-Variable -Name $Via -ValueOnly
        $a = Invoke-Query $resolver $Name $Type
        $a.Outcome | Should -Be $Outcome
        (@($a.Records | ForEach-Object Data | Sort-Object) -join ' ') | Should -Be $Data
        if ($Outcome -ne 'Timeout') { $a.Server | Should -Not -BeNullOrEmpty }
    }

    It 'agrees with DnsClient.NET on outcome, records and TTL' {
        $endpoints = [System.Collections.Generic.List[System.Net.IPEndPoint]]::new()
        $endpoints.AddRange([MailBlacklist.Engine.Dns.ServerEndpoint]::Parse($Lab.Dnsdist))
        $reference = [MailBlacklist.Engine.Dns.DnsClientResolver]::new($endpoints, [timespan]::FromSeconds(1), 0)
        foreach ($q in @(@('2.0.0.127.good.bl.test', 'A'), @('1.0.0.127.good.bl.test', 'A'), @('10.2.0.192.good.bl.test', 'Txt'),
                @('mx1.mail.test', 'A'), @('mx1.mail.test', 'Txt'), @('nope.mail.test', 'A'), @('alias.wire.test', 'A'), @('onlytxt.wire.test', 'A'),
                @('mail.delegated.wire.test', 'Mx'))) {
            $mine = Invoke-Query $Front $q[0] $q[1]
            $theirs = Invoke-Query $reference $q[0] $q[1]
            "$($q -join ' '): $($mine.Outcome) $($mine.Ttl) $(@($mine.Records | ForEach-Object Data) -join ',')" |
                Should -Be "$($q -join ' '): $($theirs.Outcome) $($theirs.Ttl) $(@($theirs.Records | ForEach-Object Data) -join ',')"
        }
    }

    It 'takes the negative TTL from the SOA in the authority section' {
        # wire.test: SOA TTL 300, MINIMUM 120 -> 120 (RFC 2308).
        (Invoke-Query $Knot 'missing.wire.test' 'A').Ttl | Should -Be 120
        (Invoke-Query $Knot 'onlytxt.wire.test' 'A').Ttl | Should -Be 120
    }

    It 'gets an answer too large for UDP over TCP' {
        $a = Invoke-Query $Knot 'big.wire.test' 'Txt'
        $a.Outcome | Should -Be 'Answer'
        $a.Records.Count | Should -Be 8
    }

    It 'reports a resolver nobody listens on as a failure, never as an answer' {
        $dead = New-Resolver $Lab.Dead -TimeoutSec 0.3
        try {
            $a = Invoke-Query $dead '2.0.0.127.good.bl.test' 'A'
            $a.Outcome | Should -BeIn @('Unreachable', 'Timeout')
            $a.IsDefinite | Should -BeFalse
        }
        finally { $dead.Dispose() }
    }

    It 'keeps 2,000 queries asked at once apart, each with its own answer, within its window' {
        $tasks = foreach ($i in 0..1999) {
            [pscustomobject]@{ Index = $i; Task = $Front.QueryAsync(('{1}.{0}.0.10.bench{2:D2}.bl.test' -f ($i -shr 8), ($i -band 255), ($i % 20 + 1)), 'A', [System.Threading.CancellationToken]::None) }
        }
        $wrong = 0
        foreach ($t in $tasks) {
            $a = $t.Task.GetAwaiter().GetResult()
            $listed = ($t.Index % 100) -eq ($t.Index % 20 + 1)
            $expected = if ($listed) { 'Answer' } else { 'NxDomain' }
            if ($a.Outcome -ne $expected) { $wrong++ }
        }
        $wrong | Should -Be 0
        $Front.Pending | Should -Be 0
    }

    It 'opens its window wide for a slow server that answers everything' {
        # dnsdist adds 50 ms to every answer and loses none: no queueing, no loss, so the window
        # must leave its start of 32 far behind (a fixed window would stay there). On a quiet
        # machine it reaches the ceiling; a machine busy enough to slow dnsdist's answers still
        # leaves it above 100.
        $slow = New-Resolver $Lab.Delayed -TimeoutSec 2
        try {
            $tasks = foreach ($i in 0..2999) {
                $slow.QueryAsync(('{1}.{0}.0.10.bench{2:D2}.bl.test' -f ($i -shr 8), ($i -band 255), ($i % 20 + 1)), 'A', [System.Threading.CancellationToken]::None)
            }
            $failed = @($tasks | ForEach-Object { $_.GetAwaiter().GetResult() } | Where-Object { -not $_.IsDefinite }).Count
            $failed | Should -Be 0
            $slow.Windows[0] | Should -BeGreaterThan 64
        }
        finally { $slow.Dispose() }
    }

    It 'cancels a query that is waiting for an answer' {
        $cts = [System.Threading.CancellationTokenSource]::new()
        $task = $Front.QueryAsync('9.0.0.127.drop.bl.test', 'A', $cts.Token)
        $cts.Cancel()
        { $task.GetAwaiter().GetResult() } | Should -Throw
        $task.IsCanceled | Should -BeTrue
        $Front.Pending | Should -Be 0
    }
}
