# Get-MailServerIp against Knot on loopback (zones tests/lab/knot/ms.test.zone, provider.test.zone
# and the reverse zones). Every case asserts on the objects and on the ErrorRecords.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:Server = $Lab.Dnsdist
    $script:Common = @{ Server = $Lab.Dnsdist; TimeoutSec = 2; Retry = 0 }

    function script:Invoke-Gmsi {
        # Runs Get-MailServerIp and returns the objects and the errors apart.
        param([Parameter(ValueFromPipeline)] $InputObject, [hashtable] $Parameters = @{})
        begin { $items = [System.Collections.Generic.List[object]]::new() }
        process { if ($null -ne $InputObject) { $items.Add($InputObject) } }
        end {
            $errs = $null
            $p = $script:Common.Clone(); foreach ($k in $Parameters.Keys) { $p[$k] = $Parameters[$k] }
            # Nothing piped (-Path, -LiteralPath): call without a pipeline, or ProcessRecord never runs.
            $out = if ($items.Count) { @($items | Get-MailServerIp @p -ErrorAction SilentlyContinue -ErrorVariable errs) }
                   else { @(Get-MailServerIp @p -ErrorAction SilentlyContinue -ErrorVariable errs) }
            [pscustomobject]@{ Rows = $out; Errors = @($errs) }
        }
    }

    function script:New-QueryService([string] $Endpoint) {
        $ep = [MailBlacklist.Engine.Dns.ServerEndpoint]::Parse($Endpoint)
        $resolver = [MailBlacklist.Engine.Dns.DnsClientResolver]::new($ep, [timespan]::FromSeconds(2), 0)
        [MailBlacklist.Engine.Dns.QueryService]::new($resolver, 16, 0, $null)
    }

    function script:Wait-Task($Task) { $Task.GetAwaiter().GetResult() }
}

Describe 'Get-MailServerIp' {
    Context 'SPF include chain, a, mx and ip4 (chain.ms.test)' {
        BeforeAll { $script:r = 'chain.ms.test' | Invoke-Gmsi }

        It 'writes no error' {
            $r.Errors.Count | Should -Be 0
        }
        It 'reports SPF networks wider than one address as ranges, never expanded' {
            $v4 = $r.Rows | Where-Object Range -eq '198.51.100.0/25'
            @($v4).Count | Should -Be 1
            $v4.IPAddress | Should -Be ''
            $v4.Source | Should -Be 'SPF ip4'
            $v4.HostName | Should -Be ''
            $v4.ForwardConfirmed | Should -BeNullOrEmpty
            ($r.Rows | Where-Object Range -eq '2001:db8:5:2::/64').Source | Should -Be 'SPF ip6'
            @($r.Rows | Where-Object { $_.IPAddress -like '198.51.100.*' }).Count | Should -Be 2
        }
        It 'keeps the evidence chain through nested includes' {
            $row = $r.Rows | Where-Object IPAddress -eq '198.51.100.200'
            $row.Evidence | Should -Be 'SPF chain.ms.test -> include:_spf.provider.test -> include:_spf2.provider.test -> ip4:198.51.100.200'
            $row.Role | Should -Be 'Outbound'
            $row.Domain | Should -Be 'chain.ms.test'
            ($r.Rows | Where-Object IPAddress -eq '198.51.100.201').Range | Should -Be ''   # ip4:x/32 is one address
        }
        It 'resolves a and mx terms, with the MX host in the evidence' {
            $a = $r.Rows | Where-Object { $_.Role -eq 'Outbound' -and $_.IPAddress -eq '203.0.113.11' }
            $a.Source | Should -Be 'SPF a'
            $a.Evidence | Should -Be 'SPF chain.ms.test -> a'
            $mx = $r.Rows | Where-Object { $_.Role -eq 'Outbound' -and $_.IPAddress -eq '203.0.113.12' }
            $mx.Source | Should -Be 'SPF mx'
            $mx.Evidence | Should -Be 'SPF chain.ms.test -> mx -> MX 5 mx1.chain.ms.test'
        }
        It 'writes outbound rows in SPF order, then inbound rows by MX preference' {
            $roles = ($r.Rows | ForEach-Object { "$($_.Role)" }) -join ','
            $roles | Should -Be 'Outbound,Outbound,Outbound,Outbound,Outbound,Outbound,Outbound,Outbound,Inbound,Inbound'
            $in = @($r.Rows | Where-Object Role -eq 'Inbound')
            $in.IPAddress | Should -Be @('203.0.113.12', '203.0.113.13')
            $in[0].Source | Should -Be 'MX'
            $in[0].Evidence | Should -Be 'MX chain.ms.test -> 5 mx1.chain.ms.test -> A 203.0.113.12'
        }
        It 'confirms PTR names that resolve back to the address' {
            $row = $r.Rows | Where-Object { $_.Role -eq 'Inbound' -and $_.IPAddress -eq '203.0.113.12' }
            $row.HostName | Should -Be 'mx1.chain.ms.test'
            $row.ForwardConfirmed | Should -BeTrue
        }
        It 'writes MailBlacklist.MailServerAddress objects that export to CSV with every column readable' {
            $r.Rows[0].GetType().FullName | Should -Be 'MailBlacklist.MailServerAddress'
            $csv = $r.Rows | ConvertTo-Csv -NoTypeInformation
            $csv[0] | Should -Be '"Domain","IPAddress","Range","Role","Source","HostName","ForwardConfirmed","Evidence","Detail"'
            ($csv -join "`n") | Should -Not -Match 'System\.'
            $parsed = $csv | ConvertFrom-Csv
            ($parsed | Where-Object IPAddress -eq '203.0.113.12' | Select-Object -First 1).ForwardConfirmed | Should -Be 'True'
            ($parsed | Where-Object Range -eq '198.51.100.0/25').ForwardConfirmed | Should -Be ''
        }
    }

    Context 'PTR checks (ptrs.ms.test)' {
        BeforeAll { $script:r = 'ptrs.ms.test' | Invoke-Gmsi -Parameters @{ Role = 'Outbound' } }
        It 'reports a PTR whose name does not resolve back as not forward-confirmed' {
            $row = $r.Rows | Where-Object IPAddress -eq '203.0.113.80'
            $row.HostName | Should -Be 'liar.ms.test'
            $row.ForwardConfirmed | Should -BeFalse
            $row.ForwardConfirmed | Should -Not -BeNullOrEmpty
        }
        It 'reports a missing PTR as an empty HostName and ForwardConfirmed False' {
            $row = $r.Rows | Where-Object IPAddress -eq '203.0.113.81'
            $row.HostName | Should -Be ''
            $row.ForwardConfirmed | Should -BeFalse
            $r.Errors.Count | Should -Be 0
        }
    }

    Context 'SPF problems' {
        It 'detects an include loop, reports it and still lists the other addresses' {
            $r = 'loop.ms.test' | Invoke-Gmsi -Parameters @{ Role = 'Outbound' }
            $r.Rows.Count | Should -Be 1
            $r.Rows[0].IPAddress | Should -Be '203.0.113.30'
            $r.Rows[0].Detail | Should -Match 'SPF loop: SPF loop\.ms\.test -> include:loop2\.ms\.test -> include:loop\.ms\.test'
            $r.Errors.Count | Should -Be 0
        }
        It 'reports more than 10 DNS lookups on every outbound row' {
            $r = 'many.ms.test' | Invoke-Gmsi -Parameters @{ Role = 'Outbound' }
            $r.Rows.Count | Should -Be 11       # the loop below would pass on no rows at all
            @($r.Rows | Where-Object Detail).Count | Should -Be 11
            $r.Rows | ForEach-Object { $_.Detail | Should -Match 'needs 11 DNS lookups.*allows 10' }
        }
        It 'reports more than 2 void lookups' {
            $r = 'voids.ms.test' | Invoke-Gmsi -Parameters @{ Role = 'Outbound' }
            $r.Rows.Count | Should -Be 1
            $r.Rows[0].IPAddress | Should -Be '203.0.113.98'
            $r.Rows[0].Detail | Should -Match '3 lookups that found nothing.*allows 2'
        }
        It 'follows redirect= and keeps a:host/cidr as a range' {
            $r = 'redirect.ms.test' | Invoke-Gmsi -Parameters @{ Role = 'Outbound' }
            $r.Errors.Count | Should -Be 0
            ($r.Rows | Where-Object IPAddress -eq '203.0.113.40').Evidence | Should -Be 'SPF redirect.ms.test -> redirect=_spf.redirect.ms.test -> ip4:203.0.113.40'
            $range = $r.Rows | Where-Object Range -eq '203.0.113.0/28'
            $range.Source | Should -Be 'SPF a'
            $range.Evidence | Should -Be 'SPF redirect.ms.test -> redirect=_spf.redirect.ms.test -> a:mail.chain.ms.test/28'
            ($r.Rows | Where-Object Source -eq 'SPF mx').IPAddress | Should -Be @('203.0.113.12', '203.0.113.13')
        }
        It 'keeps ip4 and ip6 networks as written' {
            $r = 'wide.ms.test' | Invoke-Gmsi -Parameters @{ Role = 'Outbound' }
            $r.Rows.Count | Should -Be 3
            $r.Rows[0].Range | Should -Be '198.51.100.0/24'
            $r.Rows[1].Range | Should -Be '2001:db8:5:1::/64'
            $r.Rows[2].IPAddress | Should -Be '198.51.100.7'
        }
        It 'reports ptr and exists as not resolvable to addresses' {
            $r = 'dynamic.ms.test' | Invoke-Gmsi -Parameters @{ Role = 'Outbound' }
            $r.Rows.Count | Should -Be 1
            $r.Rows[0].IPAddress | Should -Be '203.0.113.95'
            $r.Rows[0].Detail | Should -Match 'dynamic\.ms\.test -> ptr authorises'
            $r.Rows[0].Detail | Should -Match 'exists:%\{i\}\.spf\.ms\.test authorises'
        }
        It 'reports an include of a domain without SPF' {
            $r = 'includenone.ms.test' | Invoke-Gmsi -Parameters @{ Role = 'Outbound' }
            $r.Rows[0].Detail | Should -Match "'bare\.ms\.test' has no SPF record.*permerror"
        }
        It 'reports a DNS failure inside the chain without throwing' {
            $r = 'tempfail.ms.test' | Invoke-Gmsi -Parameters @{ Role = 'Outbound' }
            $r.Rows[0].IPAddress | Should -Be '203.0.113.97'
            $r.Rows[0].Detail | Should -Match '_spf\.unserved\.example.*REFUSED.*temperror'
        }
        It 'writes SpfMultipleRecords for two SPF records' {
            $r = 'twospf.ms.test' | Invoke-Gmsi -Parameters @{ Role = 'Outbound' }
            $r.Rows.Count | Should -Be 0
            $r.Errors.Count | Should -Be 1
            $r.Errors[0].FullyQualifiedErrorId | Should -BeLike 'SpfMultipleRecords,*'
            $r.Errors[0].CategoryInfo.Category | Should -Be 'InvalidData'
            $r.Errors[0].TargetObject | Should -Be 'twospf.ms.test'
        }
        It 'writes SpfNotFound and NoMailRecords for a domain without mail records' {
            $r = 'bare.ms.test' | Invoke-Gmsi
            $r.Rows.Count | Should -Be 0
            $r.Errors.Count | Should -Be 2
            ($r.Errors | ForEach-Object { ($_.FullyQualifiedErrorId -split ',')[0] }) | Should -Be @('SpfNotFound', 'NoMailRecords')
            $r.Errors | ForEach-Object { $_.TargetObject | Should -Be 'bare.ms.test' }
            $r.Errors[0].Exception.Message | Should -Match 'publishes no SPF record'
        }
    }

    Context 'Inbound' {
        It 'uses the domain''s own A and AAAA when there is no MX (implicit MX)' {
            $r = 'implicit.ms.test' | Invoke-Gmsi -Parameters @{ Role = 'Inbound' }
            $r.Errors.Count | Should -Be 0
            $r.Rows.Count | Should -Be 2
            $r.Rows[0].Source | Should -Be 'A (implicit MX)'
            $r.Rows[0].IPAddress | Should -Be '203.0.113.60'
            $r.Rows[1].Source | Should -Be 'AAAA (implicit MX)'
            $r.Rows[1].IPAddress | Should -Be '2001:db8:5::60'
            $r.Rows[1].HostName | Should -Be 'implicit.ms.test'
            $r.Rows[1].ForwardConfirmed | Should -BeTrue
            $r.Rows | ForEach-Object { $_.Role | Should -Be 'Inbound' }
        }
        It 'reports a null MX as accepting no mail' {
            $r = 'nullmx.ms.test' | Invoke-Gmsi -Parameters @{ Role = 'Inbound' }
            $r.Rows.Count | Should -Be 0
            $r.Errors.Count | Should -Be 1
            $r.Errors[0].FullyQualifiedErrorId | Should -BeLike 'NullMx,*'
            $r.Errors[0].Exception.Message | Should -Match 'accepts no mail'
            $r.Errors[0].TargetObject | Should -Be 'nullmx.ms.test'
        }
        It 'reports an MX that points nowhere' {
            $r = 'brokenmx.ms.test' | Invoke-Gmsi -Parameters @{ Role = 'Inbound' }
            $r.Rows.Count | Should -Be 0
            $r.Errors[0].FullyQualifiedErrorId | Should -BeLike 'MxHostUnresolvable,*'
            $r.Errors[0].Exception.Message | Should -Match 'nowhere\.ms\.test'
        }
    }

    Context 'Unknown domains, bad input, DNS failures and the pipeline' {
        It 'writes DomainNotFound once for an NXDOMAIN domain' {
            $r = 'nonexistent.ms.test' | Invoke-Gmsi
            $r.Rows.Count | Should -Be 0
            $r.Errors.Count | Should -Be 1
            $r.Errors[0].FullyQualifiedErrorId | Should -BeLike 'DomainNotFound,*'
            $r.Errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $r.Errors[0].TargetObject | Should -Be 'nonexistent.ms.test'
        }
        It 'writes EmptyInput for $null and '''' in -Domain or from the pipeline, and goes on with the rest' {
            $errs = $null
            $out = @(Get-MailServerIp -Domain @($null, '', 'wide.ms.test') -Role Outbound @Common -ErrorAction SilentlyContinue -ErrorVariable errs)
            @($out | Where-Object Domain -eq 'wide.ms.test').Count | Should -BeGreaterThan 0
            $errs.Count | Should -Be 2
            $errs | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'EmptyInput,*' }
            $piped = $null
            $out = @($null, 'wide.ms.test', '' | Get-MailServerIp -Role Outbound @Common -ErrorAction SilentlyContinue -ErrorVariable piped)
            @($out | Where-Object Domain -eq 'wide.ms.test').Count | Should -BeGreaterThan 0
            $piped.Count | Should -Be 2
            $piped | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'EmptyInput,*' }
            $piped[0].Exception.Message | Should -Be $errs[0].Exception.Message      # the module's own text, not PowerShell's
        }
        It 'rejects empty, address and malformed input with stable ErrorIds' {
            $r = @('', '192.0.2.1', 'bad..name') | Invoke-Gmsi
            ($r.Errors | ForEach-Object { ($_.FullyQualifiedErrorId -split ',')[0] }) | Should -Be @('EmptyInput', 'DomainIsAddress', 'InvalidDomain')
        }
        It 'keeps input order across many concurrent domains, and errors do not stop the rest' {
            $domains = 'wide.ms.test', 'nonexistent.ms.test', 'ptrs.ms.test', 'bad..name', 'implicit.ms.test', 'redirect.ms.test', 'chain.ms.test', 'loop.ms.test'
            $r = $domains | Invoke-Gmsi -Parameters @{ Role = 'Outbound'; ThrottleLimit = 4 }
            $order = @($r.Rows | ForEach-Object Domain | Select-Object -Unique)
            $order | Should -Be @('wide.ms.test', 'ptrs.ms.test', 'implicit.ms.test', 'redirect.ms.test', 'chain.ms.test', 'loop.ms.test')
            ($r.Errors | ForEach-Object TargetObject) | Should -Be @('nonexistent.ms.test', 'bad..name')   # input order
        }
        It 'keeps input order for hundreds of domains worked on concurrently' {
            $domains = 1..40 | ForEach-Object { 'wide.ms.test', 'ptrs.ms.test', 'implicit.ms.test', 'loop.ms.test', 'redirect.ms.test' } | ForEach-Object { $_ }
            $errs = $null
            $out = @($domains | Get-MailServerIp -Role Outbound -ThrottleLimit 8 @Common -ErrorVariable errs)
            $errs.Count | Should -Be 0
            $out.Count | Should -Be (40 * (3 + 2 + 2 + 1 + 4))
            $runs = [System.Collections.Generic.List[string]]::new()
            foreach ($row in $out) { if ($runs.Count -eq 0 -or $runs[$runs.Count - 1] -ne $row.Domain) { $runs.Add($row.Domain) } }
            $runs | Should -Be $domains
        }
        It 'normalizes the domain (case, trailing dot)' {
            $r = 'WIDE.Ms.Test.' | Invoke-Gmsi -Parameters @{ Role = 'Outbound' }
            $r.Rows.Count | Should -Be 3
            $r.Rows[0].Domain | Should -Be 'wide.ms.test'
        }
        It 'binds -Domain by property name' {
            $r = [pscustomobject]@{ Domain = 'wide.ms.test' }, [pscustomobject]@{ Domain = 'ptrs.ms.test' } | Invoke-Gmsi -Parameters @{ Role = 'Outbound' }
            ($r.Rows | ForEach-Object Domain | Select-Object -Unique) | Should -Be @('wide.ms.test', 'ptrs.ms.test')
        }
        It 'reports an unreachable resolver as DNS failures per domain and goes on' {
            $errs = $null
            $out = @('chain.ms.test', 'wide.ms.test' | Get-MailServerIp -Server $Lab.Dead -TimeoutSec 0.3 -Retry 0 -ErrorAction SilentlyContinue -ErrorVariable errs)
            $out.Count | Should -Be 0
            $errs.Count | Should -Be 4
            $ids = @($errs | ForEach-Object { ($_.FullyQualifiedErrorId -split ',')[0] })
            $ids | Should -Be @('SpfDnsFailure', 'MxDnsFailure', 'SpfDnsFailure', 'MxDnsFailure')
            $errs | ForEach-Object { $_.CategoryInfo.Category | Should -Be 'ResourceUnavailable' }
            ($errs | ForEach-Object TargetObject) | Should -Be @('chain.ms.test', 'chain.ms.test', 'wide.ms.test', 'wide.ms.test')
        }
        It 'reports REFUSED from a server that does not serve the domain' {
            $r = 'unserved.example' | Invoke-Gmsi -Parameters @{ Server = $Lab.Knot }
            $r.Rows.Count | Should -Be 0
            $r.Errors.Count | Should -Be 2      # the loop below would pass on no errors at all
            @($r.Errors | Where-Object { $_.Exception.Message -match 'REFUSED' }).Count | Should -Be 2
            $r.Errors | ForEach-Object { $_.Exception.Message | Should -Match 'REFUSED' }
        }
        It 'stops with InvalidServer for a -Server that is not a server' {
            { 'chain.ms.test' | Get-MailServerIp -Server 'not a server' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidServer,*'
        }
    }

    Context 'Control characters in DNS text and in bounces (esc.test)' {
        BeforeAll {
            # Every string of every row, and every error message, that holds a C0 control character or DEL.
            function script:Find-ControlCharacter($Result) {
                $texts = @($Result.Rows | ForEach-Object { $_.PSObject.Properties | Where-Object { $_.Value -is [string] } | ForEach-Object Value }) +
                         @($Result.Errors | ForEach-Object { $_.Exception.Message })
                @($texts | Where-Object { $_ -match '[\x00-\x1F\x7F]' })
            }
        }

        It 'neutralizes an SPF term holding ESC in the row''s Detail' {
            $r = 'spf.esc.test' | Invoke-Gmsi -Parameters @{ Role = 'Outbound' }
            $r.Errors.Count | Should -Be 0
            $r.Rows.Count | Should -Be 1
            $r.Rows[0].IPAddress | Should -Be '203.0.113.200'
            $r.Rows[0].Detail | Should -Match 'a:bad\\x1B\[31m\.esc\.test'
            Find-ControlCharacter $r | Should -BeNullOrEmpty
        }
        It 'neutralizes SPF records holding ESC and BEL in the error message' {
            $r = 'multi.esc.test' | Invoke-Gmsi -Parameters @{ Role = 'Outbound' }
            $r.Rows.Count | Should -Be 0
            $r.Errors.Count | Should -Be 1
            $r.Errors[0].FullyQualifiedErrorId | Should -BeLike 'SpfMultipleRecords,*'
            $r.Errors[0].Exception.Message | Should -Match '-all\\x1B\]0;pwned\\x07'
            Find-ControlCharacter $r | Should -BeNullOrEmpty
        }
        It 'shows an MX host name holding ESC escaped, never raw' {
            # The resolver gives names in presentation form ("m\027x"): a guard, not a fix.
            $r = 'mx.esc.test' | Invoke-Gmsi -Parameters @{ Role = 'Inbound' }
            $r.Rows.Count | Should -Be 0
            $r.Errors.Count | Should -Be 1
            $r.Errors[0].FullyQualifiedErrorId | Should -BeLike 'MxHostUnresolvable,*'
            $r.Errors[0].Exception.Message | Should -Match 'm\\027x\.esc\.test'
            Find-ControlCharacter $r | Should -BeNullOrEmpty
        }
        It 'neutralizes the Received header quoted in Evidence (-LiteralPath)' {
            $r = Invoke-Gmsi -Parameters @{ LiteralPath = (Join-Path $PSScriptRoot 'bounces/esc-dsn.eml') }
            $r.Errors.Count | Should -Be 0
            $r.Rows.Count | Should -Be 1
            $r.Rows[0].IPAddress | Should -Be '192.0.2.25'
            $r.Rows[0].Source | Should -Be 'Received header'
            $r.Rows[0].Evidence | Should -Match 'by mx1\.mail\.test \\x1B\[31mRED\\x1B\[0m; Mon, 1 Jan 2026'
            Find-ControlCharacter $r | Should -BeNullOrEmpty
        }
    }

    Context 'Piping into Test-Dnsbl' {
        It 'binds single addresses to -IPAddress, and range rows give NetworkRange errors' {
            $errs = $null
            $results = @(Get-MailServerIp wide.ms.test -Role Outbound @Common |
                Test-Dnsbl -Server $Lab.Dnsdist -CatalogPath $LabCatalog -Zone good.bl.test -TimeoutSec 2 -Retry 0 -ErrorAction SilentlyContinue -ErrorVariable errs)
            $results.Count | Should -Be 1
            $results[0].Input | Should -Be '198.51.100.7'
            $results[0].InputKind | Should -Be 'IPv4'
            @($errs | Where-Object { $_.FullyQualifiedErrorId -like 'NetworkRange,*' }).Count | Should -Be 2
        }
        It 'tests only the single addresses when filtered on IPAddress' {
            $errs = $null
            $results = @(Get-MailServerIp wide.ms.test, ptrs.ms.test -Role Outbound @Common | Where-Object IPAddress |
                Test-Dnsbl -Server $Lab.Dnsdist -CatalogPath $LabCatalog -Zone good.bl.test -TimeoutSec 2 -Retry 0 -ErrorVariable errs)
            $results.Input | Should -Be @('198.51.100.7', '203.0.113.80', '203.0.113.81')
            $errs.Count | Should -Be 0
        }
    }

    Context 'Bounces: -Path, -LiteralPath and Get-BounceReason objects' {
        BeforeAll {
            $script:Samples = Join-Path $PSScriptRoot '../samples'
            $script:Bounces = Join-Path $PSScriptRoot 'bounces'
            $script:DiagBounces = Join-Path $PSScriptRoot 'bounces-diagnosis'
            function script:Get-ErrorId($Errors) { @($Errors | ForEach-Object { ($_.FullyQualifiedErrorId -split ',')[0] }) }
        }

        It 'reads the address from the rejection text (Source "Bounce text"), with PTR and the sender domain' {
            $r = Invoke-Gmsi -Parameters @{ Path = (Join-Path $Samples 'spamhaus-sbl.eml') }
            $r.Errors.Count | Should -Be 0
            $r.Rows.Count | Should -Be 1
            $row = $r.Rows[0]
            $row.GetType().FullName | Should -Be 'MailBlacklist.MailServerAddress'
            $row.IPAddress | Should -Be '192.0.2.2'
            $row.Source | Should -Be 'Bounce text'
            $row.Role | Should -Be 'Outbound'
            $row.Domain | Should -Be 'verdict.diag.test'            # the bounce's addressee: the sender
            $row.Evidence | Should -Match 'Client host \[192\.0\.2\.2\] blocked using zen\.spamhaus\.org'
            $row.HostName | Should -Be 'sv2001.diag.test'
            $row.ForwardConfirmed | Should -BeTrue
            $row.Range | Should -Be ''
            $row.Detail | Should -Be ''
        }

        It 'reads the address from the Received header the receiver added (Source "Received header")' {
            $r = Invoke-Gmsi -Parameters @{ LiteralPath = (Join-Path $DiagBounces 'received-header-only.eml') }
            $r.Errors.Count | Should -Be 0
            $r.Rows.Count | Should -Be 1
            $r.Rows[0].IPAddress | Should -Be '192.0.2.2'
            $r.Rows[0].Source | Should -Be 'Received header'
            $r.Rows[0].Evidence | Should -BeLike 'Received: from mail.verdict.diag.test (sv2001.diag.test `[192.0.2.2`]) by mx.customer.example *'
            $r.Rows[0].Domain | Should -Be 'verdict.diag.test'
        }

        It 'writes NoAddressInBounce for a bounce that shows no address, and the pipeline goes on' {
            $r = Invoke-Gmsi -Parameters @{ Path = (Join-Path $Samples '*.eml') }
            # Input order: m365-banned-ip, open-resolver, pbl-direct-send, spamhaus-sbl, user-unknown.
            $r.Rows.Count | Should -Be 4
            $r.Rows.IPAddress | Should -Be @('203.0.113.131', '203.0.113.130', '192.0.2.11', '192.0.2.2')
            $r.Rows | ForEach-Object { $_.Source | Should -Be 'Bounce text' }
            Get-ErrorId $r.Errors | Should -Be @('NoAddressInBounce')
            $r.Errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $r.Errors[0].TargetObject | Should -BeLike '*user-unknown.eml'
            $r.Errors[0].Exception.Message | Should -Match 'does not show the sending server'
        }

        It 'takes Get-BounceReason objects from the pipeline: one row per message, errors in input order' {
            $in = Get-BounceReason -LiteralPath (Join-Path $DiagBounces 'xbl-two-recipients.eml'), (Join-Path $Bounces 'ordinary.eml'), (Join-Path $Samples 'spamhaus-sbl.eml')
            @($in).Count | Should -BeGreaterOrEqual 4
            $r = $in | Invoke-Gmsi
            $r.Rows.IPAddress | Should -Be @('192.0.2.4', '192.0.2.2')     # two recipients of one message: one row
            $r.Rows[0].Domain | Should -Be 'compromise.diag.test'
            $r.Rows[0].HostName | Should -Be 'office.compromise.diag.test'
            Get-ErrorId $r.Errors | Should -Be @('NoAddressInBounce')
            $r.Errors[0].TargetObject | Should -BeLike '*ordinary.eml'
            $byName = Invoke-Gmsi -Parameters @{ InputObject = $in }     # -InputObject with the array
            $byName.Rows.IPAddress | Should -Be @('192.0.2.4', '192.0.2.2')
            Get-ErrorId $byName.Errors | Should -Be @('NoAddressInBounce')
        }

        It 'takes files from Get-ChildItem (LiteralPath by property name)' {
            $r = Get-ChildItem (Join-Path $DiagBounces 'gmail-*ptr*.eml') | Invoke-Gmsi
            $r.Errors.Count | Should -Be 0
            $r.Rows.IPAddress | Should -Be @('203.0.113.132', '203.0.113.133')
            $r.Rows[0].HostName | Should -Be ''                # no PTR
            $r.Rows[0].ForwardConfirmed | Should -BeFalse
            $r.Rows[1].HostName | Should -Be 'mail.fcrdns.diag.test'
            $r.Rows[1].ForwardConfirmed | Should -BeFalse      # PTR present, not forward-confirmed
        }

        It 'writes PathNotFound for a missing file, and reads the next one' {
            $r = Invoke-Gmsi -Parameters @{ Path = (Join-Path $Samples 'missing.eml'), (Join-Path $Samples 'spamhaus-sbl.eml') }
            Get-ErrorId $r.Errors | Should -Be @('PathNotFound')
            $r.Errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $r.Errors[0].TargetObject | Should -BeLike '*missing.eml'
            $r.Rows.IPAddress | Should -Be '192.0.2.2'
            $l = Invoke-Gmsi -Parameters @{ LiteralPath = (Join-Path $Samples 'missing[1].eml') }
            Get-ErrorId $l.Errors | Should -Be @('PathNotFound')
        }

        It 'writes an error for a file that is not a mail message or is empty, and goes on' {
            $r = Invoke-Gmsi -Parameters @{ LiteralPath = (Join-Path $Bounces 'binary.bin'), (Join-Path $Bounces 'empty.eml'), (Join-Path $DiagBounces 'xbl-infected.eml') }
            Get-ErrorId $r.Errors | Should -Be @('BinaryInput', 'EmptyInput')
            $r.Rows.IPAddress | Should -Be '192.0.2.4'
        }

        It 'leaves ForwardConfirmed unknown and says why when the PTR lookup fails' {
            $errs = $null
            $out = @(Get-MailServerIp -Path (Join-Path $Samples 'spamhaus-sbl.eml') -Server $Lab.Dead -TimeoutSec 0.3 -Retry 0 -ErrorVariable errs)
            $errs.Count | Should -Be 0
            $out.Count | Should -Be 1
            $out[0].IPAddress | Should -Be '192.0.2.2'                 # the bounce part needs no DNS
            $out[0].ForwardConfirmed | Should -BeNullOrEmpty
            $out[0].Detail | Should -Match '2\.2\.0\.192\.in-addr\.arpa'
        }

        It 'pipes Get-BounceReason | Get-MailServerIp | Test-Dnsbl end to end' {
            $errs = $null
            $results = @(Get-BounceReason -LiteralPath (Join-Path $Samples 'spamhaus-sbl.eml'), (Join-Path $DiagBounces 'received-header-only.eml'), (Join-Path $DiagBounces 'xbl-infected.eml') |
                Get-MailServerIp @Common |
                Test-Dnsbl -Server $Lab.Dnsdist -CatalogPath $LabCatalog -Zone spamhaus.bl.test -TimeoutSec 2 -Retry 0 -ErrorVariable errs)
            $errs.Count | Should -Be 0
            $results.Count | Should -Be 3
            $results.Input | Should -Be @('192.0.2.2', '192.0.2.2', '192.0.2.4')
            $results | ForEach-Object { $_.Listed | Should -BeTrue; $_.Zone | Should -Be 'spamhaus.bl.test' }
            $results[0].ReturnCodes | Should -Be '127.0.0.2'
            $results[0].Reason | Should -Match 'SBL12345'
            $results[2].ReturnCodes | Should -Be '127.0.0.4'
        }
    }

    Context 'Localized messages' {
        It 'writes Japanese messages under ja-JP, with the same ErrorId' {
            $ps = [powershell]::Create()
            try {
                $null = $ps.AddScript({
                    param($module, $server)
                    [System.Threading.Thread]::CurrentThread.CurrentUICulture = 'ja-JP'
                    [System.Globalization.CultureInfo]::CurrentUICulture = 'ja-JP'
                    Import-Module $module
                    'nullmx.ms.test' | Get-MailServerIp -Role Inbound -Server $server -TimeoutSec 2 -Retry 0 -ErrorAction SilentlyContinue -ErrorVariable e
                    $e
                }).AddArgument($ModulePath).AddArgument($Lab.Dnsdist)
                $err = @($ps.Invoke())[0]
                $err.FullyQualifiedErrorId | Should -BeLike 'NullMx,*'
                $err.Exception.Message | Should -Match '受け付けません'
            }
            finally { $ps.Dispose() }
        }
    }
}

Describe 'Get-MailServerIp help' {
    It 'has the same message keys in DiagnosisStrings.resx and DiagnosisStrings.ja-JP.resx' {
        $dir = Join-Path $PSScriptRoot '../src/MailBlacklist.Engine/Resources'
        $en = ([xml](Get-Content -Raw (Join-Path $dir 'DiagnosisStrings.resx'))).root.data.name | Sort-Object
        $ja = ([xml](Get-Content -Raw (Join-Path $dir 'DiagnosisStrings.ja-JP.resx'))).root.data.name | Sort-Object
        $ja | Should -Be $en
        $en | Should -Contain 'Spf_LookupLimit'
    }

    It 'has complete help in <Culture>, in a fresh runspace' -ForEach @(
        @{ Culture = 'en-US'; Expected = 'Finds the IP addresses' }
        @{ Culture = 'ja-JP'; Expected = 'サーバーの IP アドレス' }
    ) {
        # Get-Help caches per runspace, so each culture gets its own.
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                param($module, $culture)
                [System.Globalization.CultureInfo]::CurrentUICulture = $culture
                Import-Module $module
                Get-Help Get-MailServerIp -Full
            }).AddArgument($ModulePath).AddArgument($Culture)
            $help = @($ps.Invoke())[0]
        }
        finally { $ps.Dispose() }
        $help.Synopsis | Should -Match $Expected
        $documented = @($help.parameters.parameter | Where-Object { "$($_.description.Text)".Length -gt 20 } | ForEach-Object name)
        $own = (Get-Command Get-MailServerIp).Parameters.Keys | Where-Object { $_ -notin [System.Management.Automation.PSCmdlet]::CommonParameters }
        foreach ($name in $own) { $documented | Should -Contain $name }
        @($help.examples.example).Count | Should -BeGreaterOrEqual 3
    }
}

Describe 'Mail server engine API (for Invoke-MailDeliveryDiagnosis)' {
    BeforeAll {
        $script:q = New-QueryService $Lab.Dnsdist
        $script:ct = [System.Threading.CancellationToken]::None
        $script:spf = [MailBlacklist.Engine.MailServers.SpfEvaluator]::new($q, [cultureinfo]'en-US')
    }
    AfterAll { $q.Dispose() }

    It 'says whether SPF authorises an address (pass, fail through includes and all)' {
        $e = Wait-Task $spf.EvaluateAsync('chain.ms.test', $ct)
        $e.Status | Should -Be 'Found'
        $e.LookupCount | Should -Be 4   # include:_spf.provider.test, include:_spf2, a, mx
        $e.Authorizes([ipaddress]'198.51.100.5') | Should -BeTrue
        $e.Authorizes([ipaddress]'2001:db8:5:2::1') | Should -BeTrue
        $e.Authorizes([ipaddress]'198.51.100.150') | Should -BeFalse
        $e.Check([ipaddress]'198.51.100.150') | Should -Be 'Fail'
    }
    It 'returns null (cannot say) past the 11th lookup, and true before it' {
        $e = Wait-Task $spf.EvaluateAsync('many.ms.test', $ct)
        $e.LookupLimitExceeded | Should -BeTrue
        $e.Authorizes([ipaddress]'203.0.113.41') | Should -BeTrue
        $e.Check([ipaddress]'203.0.113.51') | Should -Be 'PermError'
        $e.Authorizes([ipaddress]'203.0.113.51') | Should -BeNullOrEmpty
    }
    It 'returns PermError at the third void lookup' {
        $e = Wait-Task $spf.EvaluateAsync('voids.ms.test', $ct)
        $e.VoidLookupCount | Should -Be 3
        $e.VoidLookupLimitExceeded | Should -BeTrue
        $e.Check([ipaddress]'203.0.113.98') | Should -Be 'PermError'
    }
    It 'returns PermError for a loop and None without SPF' {
        (Wait-Task $spf.EvaluateAsync('loop.ms.test', $ct)).Check([ipaddress]'203.0.113.30') | Should -Be 'PermError'
        $none = Wait-Task $spf.EvaluateAsync('bare.ms.test', $ct)
        $none.Status | Should -Be 'None'
        $none.Check([ipaddress]'203.0.113.30') | Should -Be 'None'
    }
    It 'returns Unknown when a ptr term is reached before a match' {
        (Wait-Task $spf.EvaluateAsync('dynamic.ms.test', $ct)).Check([ipaddress]'203.0.113.95') | Should -Be 'Unknown'
    }
    It 'reads DMARC p= and sp=, and reports a missing record' {
        $d = Wait-Task ([MailBlacklist.Engine.MailServers.DmarcRecord]::LookupAsync($q, 'chain.ms.test', $ct))
        $d.Status | Should -Be 'Found'
        $d.Policy | Should -Be 'quarantine'
        $d.SubdomainPolicy | Should -Be 'reject'
        $d.Percent | Should -Be 50
        (Wait-Task ([MailBlacklist.Engine.MailServers.DmarcRecord]::LookupAsync($q, 'implicit.ms.test', $ct))).Status | Should -Be 'None'
    }
    It 'tells null MX, implicit MX and MX apart' {
        $mx = [MailBlacklist.Engine.MailServers.MxLookup]::new($q)
        (Wait-Task $mx.LookupAsync('nullmx.ms.test', $ct)).Status | Should -Be 'NullMx'
        (Wait-Task $mx.LookupAsync('implicit.ms.test', $ct)).Status | Should -Be 'ImplicitMx'
        $r = Wait-Task $mx.LookupAsync('brokenmx.ms.test', $ct)
        $r.Status | Should -Be 'Mx'
        $r.Resolves | Should -BeFalse
        $r.Hosts[0].Unresolvable | Should -BeTrue
    }
}
