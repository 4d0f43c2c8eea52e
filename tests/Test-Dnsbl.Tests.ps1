# Test-Dnsbl against real rbldnsd and dnsdist on loopback (started by ./build.ps1 Test).
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:Lab_ = @{ Server = $Lab.Dnsdist; CatalogPath = $LabCatalog; TimeoutSec = 1; Retry = 0; NoCache = $true }

    # Runs a command with every stream captured, for assertions on warnings and verbose lines.
    function Invoke-Captured([scriptblock] $Script) {
        $all = & $Script *>&1
        [pscustomobject]@{
            Output   = @($all | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] -and $_ -isnot [System.Management.Automation.WarningRecord] -and $_ -isnot [System.Management.Automation.VerboseRecord] -and $_ -isnot [System.Management.Automation.InformationRecord] })
            Errors   = @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            Warnings = @($all | Where-Object { $_ -is [System.Management.Automation.WarningRecord] } | ForEach-Object Message)
            Verbose  = @($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        }
    }
}

Describe 'Test-Dnsbl on a healthy list' {
    It 'reports a listed address with its code, TXT reason and lookup URL' {
        $r = Test-Dnsbl -IPAddress 192.0.2.10 -Zone good.bl.test @Lab_
        $r.Status | Should -Be 'Listed'
        $r.Listed | Should -BeTrue
        $r.ReturnCodes | Should -Be '127.0.0.2'
        $r.Category | Should -Be 'Verdict'
        $r.Reason | Should -Match 'Listed for spam'
        $r.LookupUrl | Should -Be 'https://good.bl.test/lookup?q=192.0.2.10'
        $r.Resolver | Should -Be $Lab.Dnsdist
        $r.InputKind | Should -Be 'IPv4'
        $r.Zone | Should -Be 'good.bl.test'
    }

    It 'reports an address that is not on the list as NotListed, with no TXT lookup' {
        $c = Invoke-Captured { Test-Dnsbl -IPAddress 192.0.2.99 -Zone good.bl.test @Lab_ -Verbose }
        $c.Output.Status | Should -Be 'NotListed'
        $c.Output.Listed | Should -BeFalse
        $c.Output.Reason | Should -BeNullOrEmpty
        # Apex, two test points and the address: four A/SOA queries and no TXT.
        ($c.Verbose | Where-Object { $_ -match 'Queries sent: (\d+) \(TXT: (\d+)\)' } | Select-Object -Last 1) | Should -Not -BeNullOrEmpty
        [int]$Matches[2] | Should -Be 0
        [int]$Matches[1] | Should -Be 4
    }

    It 'fetches TXT only for the hit' {
        $c = Invoke-Captured { '192.0.2.10', '192.0.2.99', '192.0.2.98' | Test-Dnsbl -Zone good.bl.test @Lab_ -Verbose }
        $c.Output.Count | Should -Be 3
        $null = $c.Verbose -match 'Queries sent: (\d+) \(TXT: (\d+)\)'
        ($c.Verbose | Where-Object { $_ -match 'Queries sent: (\d+) \(TXT: (\d+)\)' }) | Should -Not -BeNullOrEmpty
        [int]$Matches[2] | Should -Be 1
    }

    It 'neutralizes control characters and escape sequences in TXT text' {
        $r = Test-Dnsbl -IPAddress 192.0.2.66 -Zone good.bl.test @Lab_
        $r.Status | Should -Be 'Listed'
        $r.Reason | Should -Not -BeNullOrEmpty
        $r.Reason.ToCharArray() | Where-Object { [int]$_ -lt 32 -or [int]$_ -eq 127 } | Should -BeNullOrEmpty
        $r.Reason | Should -Match '\\x1B'
    }
}

Describe 'Test-Dnsbl with Spamhaus-style codes' {
    It 'reads <Ip> as <Status> (<Pattern>)' -ForEach @(
        @{ Ip = '192.0.2.2'; Status = 'Listed'; Listed = $true; Tag = 'Spam'; Pattern = 'SBL' }
        @{ Ip = '192.0.2.4'; Status = 'Listed'; Listed = $true; Tag = 'Compromise'; Pattern = 'XBL' }
        @{ Ip = '192.0.2.20'; Status = 'Listed'; Listed = $true; Tag = 'Compromise'; Pattern = 'AuthBL' }
        @{ Ip = '192.0.2.10'; Status = 'Policy'; Listed = $false; Tag = 'Dynamic'; Pattern = 'PBL' }
        @{ Ip = '192.0.2.11'; Status = 'Policy'; Listed = $false; Tag = 'Dynamic'; Pattern = 'PBL' }
        @{ Ip = '192.0.2.40'; Status = 'Listed'; Listed = $true; Tag = 'Compromise; Dynamic'; Pattern = 'XBL.*PBL' }
    ) {
        $r = Test-Dnsbl -IPAddress $Ip -Zone spamhaus.bl.test @Lab_
        $r.Status | Should -Be $Status
        $r.Listed | Should -Be $Listed
        $r.Tag | Should -Be $Tag
        $r.Meaning | Should -Match $Pattern
    }

    It 'reports the error code <Ip> as Error, never Listed' -ForEach @(
        @{ Ip = '192.0.2.252'; Code = '127.255.255.252'; Pattern = 'Typo' }
        @{ Ip = '192.0.2.254'; Code = '127.255.255.254'; Pattern = 'public' }
        @{ Ip = '192.0.2.255'; Code = '127.255.255.255'; Pattern = 'Excessive' }
        @{ Ip = '192.0.2.250'; Code = '127.255.255.250'; Pattern = 'DQS key' }
    ) {
        $r = Test-Dnsbl -IPAddress $Ip -Zone spamhaus.bl.test @Lab_ -WarningAction SilentlyContinue
        $r.Status | Should -Be 'Error'
        $r.Listed | Should -BeFalse
        $r.ReturnCodes | Should -Be $Code
        $r.Detail | Should -Match $Pattern
        $r.Category | Should -Be 'Error'
    }

    It 'warns once, with the fix, when a list refuses a public resolver' {
        $c = Invoke-Captured { '192.0.2.254', '192.0.2.254' | Test-Dnsbl -Zone spamhaus.bl.test @Lab_ }
        $c.Output.Count | Should -Be 2
        @($c.Warnings | Where-Object { $_ -match 'public or shared resolver' }).Count | Should -Be 1
        $c.Warnings -join ' ' | Should -Match 'DqsKey'
    }

    It 'accepts the multi-code answer at the test point (.2 .4 .10) as healthy' {
        $r = Test-Dnsbl -IPAddress 127.0.0.2 -Zone spamhaus.bl.test @Lab_
        $r.Status | Should -Be 'Listed'
        ($r.ReturnCodes -split '; ' | Sort-Object) | Should -Be @('127.0.0.10', '127.0.0.2', '127.0.0.4')
    }

    It 'checks IPv6 addresses against a list that takes both' {
        $r = Test-Dnsbl -IPAddress 2001:db8::2 -Zone spamhaus.bl.test @Lab_
        $r.Status | Should -Be 'Listed'
        $r.InputKind | Should -Be 'IPv6'
    }
}

Describe 'Test-Dnsbl never trusts a broken zone' {
    It 'marks a list that lists everything as ZoneUnhealthy, once per command, with a warning' {
        $c = Invoke-Captured { '192.0.2.1', '198.51.100.7', '203.0.113.9' | Test-Dnsbl -Zone everything.bl.test @Lab_ -Verbose }
        $c.Output.Status | Sort-Object -Unique | Should -Be 'ZoneUnhealthy'
        $c.Output[0].Detail | Should -Match '127\.0\.0\.1'
        $c.Output.Listed | Should -Not -Contain $true
        @($c.Warnings | Where-Object { $_ -match 'everything\.bl\.test' }).Count | Should -Be 1
        # Health is asked once: apex + two test points, and no input is queried.
        $null = ($c.Verbose | Where-Object { $_ -match 'Queries sent: (\d+)' } | Select-Object -Last 1) -match 'Queries sent: (\d+)'
        [int]$Matches[1] | Should -Be 3
    }

    It 'still catches a list that lists everything when its catalogue entry names no test points' {
        $r = Test-Dnsbl -IPAddress 192.0.2.1 -Zone everything2.bl.test @Lab_ -WarningAction SilentlyContinue
        $r.Status | Should -Be 'ZoneUnhealthy'
        $r.Detail | Should -Match '127\.0\.0\.1'
    }

    It 'marks a zone answering outside 127/8 as ZoneUnhealthy, never Listed' {
        $r = Test-Dnsbl -IPAddress 192.0.2.10 -Zone outside.bl.test @Lab_ -WarningAction SilentlyContinue
        $r.Status | Should -Be 'ZoneUnhealthy'
        $r.Listed | Should -BeFalse
        $r.Detail | Should -Match '127\.0\.0\.0/8'
    }

    It 'reads an unknown zone by RFC 5782 rules and rejects it when its test point is missing' {
        # The shipped catalogue does not know notestpoint.bl.test.
        $r = Test-Dnsbl -IPAddress 192.0.2.10 -Zone notestpoint.bl.test -Server $Lab.Dnsdist -TimeoutSec 1 -Retry 0 -WarningAction SilentlyContinue
        $r.Status | Should -Be 'ZoneUnhealthy'
        $r.Detail | Should -Match '127\.0\.0\.2'
    }

    It 'checks a catalogued list that declares no test points by its answers alone' {
        $r = Test-Dnsbl -IPAddress 192.0.2.10 -Zone notestpoint.bl.test @Lab_
        $r.Status | Should -Be 'Listed'
    }

    It 'reports one answer outside 127/8 from a healthy zone as an Error, never Listed' {
        $r = Test-Dnsbl -IPAddress 192.0.2.8 -Zone errors.bl.test @Lab_
        $r.Status | Should -Be 'Error'
        $r.Listed | Should -BeFalse
        $r.ReturnCodes | Should -Be '146.112.61.108'
        $r.Detail | Should -Match '127\.0\.0\.0/8'
    }

    It 'reports exactly 127.0.0.1 as an Error, never Listed' {
        $r = Test-Dnsbl -IPAddress 192.0.2.9 -Zone errors.bl.test @Lab_
        $r.Status | Should -Be 'Error'
        $r.Listed | Should -BeFalse
        $r.ReturnCodes | Should -Be '127.0.0.1'
    }

    It 'reports a zone the resolver says does not exist as ZoneUnhealthy, and says the resolver is the problem' {
        $c = Invoke-Captured { Test-Dnsbl -IPAddress 192.0.2.10 -Zone no-such-zone.mail.test, also-missing.mail.test -Server $Lab.Dnsdist -TimeoutSec 1 -Retry 0 }
        $c.Output.Status | Sort-Object -Unique | Should -Be 'ZoneUnhealthy'
        $c.Warnings -join ' ' | Should -Match 'No blocklist could be checked'
    }
}

Describe 'Test-Dnsbl when DNS fails' {
    It 'reports <Zone> as Error, never NotListed' -ForEach @(
        @{ Zone = 'servfail.bl.test'; Pattern = 'SERVFAIL' }
        @{ Zone = 'refused.bl.test'; Pattern = 'REFUSED' }
        @{ Zone = 'drop.bl.test'; Pattern = 'time' }
        @{ Zone = 'slow.bl.test'; Pattern = 'time' }
    ) {
        $r = Test-Dnsbl -IPAddress 192.0.2.10 -Zone $Zone -Server $Lab.Dnsdist -TimeoutSec 0.5 -Retry 0 -WarningAction SilentlyContinue
        $r.Status | Should -Be 'Error'
        $r.Listed | Should -BeFalse
        $r.Detail | Should -Match $Pattern
    }

    It 'reports every lookup through a resolver that denies the DNS root as Error, with one warning' {
        $c = Invoke-Captured { '192.0.2.10', '192.0.2.99' | Test-Dnsbl -Zone good.bl.test, spamhaus.bl.test -Server $Lab.Blind -CatalogPath $LabCatalog -TimeoutSec 1 -Retry 0 -NoCache }
        $c.Output.Count | Should -Be 4
        $c.Output.Status | Sort-Object -Unique | Should -Be 'Error'
        $c.Output[0].Detail | Should -Match 'DNS root'
        @($c.Warnings | Where-Object { $_ -match 'DNS root' }).Count | Should -Be 1
    }

    It 'answers from a slow list when the timeout allows it' {
        $r = Test-Dnsbl -IPAddress 192.0.2.10 -Zone slow.bl.test -Server $Lab.Dnsdist -TimeoutSec 4 -Retry 0
        $r.Status | Should -Be 'Listed'
    }

    It 'reports an unreachable resolver as Error for every zone and warns that it did not answer' {
        $c = Invoke-Captured { Test-Dnsbl -IPAddress 192.0.2.10 -Zone good.bl.test, spamhaus.bl.test -Server $Lab.Dead -CatalogPath $LabCatalog -TimeoutSec 0.5 -Retry 0 -NoCache }
        $c.Output.Count | Should -Be 2
        $c.Output.Status | Sort-Object -Unique | Should -Be 'Error'
        $c.Warnings -join ' ' | Should -Match 'did not answer'
    }
}

Describe 'Test-Dnsbl input' {
    It 'takes addresses from the pipeline by value and by property name (alias IP)' {
        $byValue = '192.0.2.10' | Test-Dnsbl -Zone good.bl.test @Lab_
        $byName = [pscustomobject]@{ IPAddress = '192.0.2.10' } | Test-Dnsbl -Zone good.bl.test @Lab_
        $byAlias = [pscustomobject]@{ IP = '192.0.2.10' } | Test-Dnsbl -Zone good.bl.test @Lab_
        $typed = [ipaddress]'192.0.2.10' | Test-Dnsbl -Zone good.bl.test @Lab_
        @($byValue, $byName, $byAlias, $typed).Status | Should -Be @('Listed', 'Listed', 'Listed', 'Listed')
    }

    It 'takes domains by property name and checks them against domain lists' {
        $r = [pscustomobject]@{ Domain = 'bad.example' }, [pscustomobject]@{ Domain = 'fine.example' } | Test-Dnsbl -Zone dom.bl.test @Lab_
        $r[0].Status | Should -Be 'Listed'
        $r[0].Meaning | Should -Match 'Low reputation'
        $r[0].InputKind | Should -Be 'Domain'
        $r[1].Status | Should -Be 'NotListed'
    }

    It 'does not query an IPv4-only list for an IPv6 address' {
        $c = Invoke-Captured { Test-Dnsbl -IPAddress 2001:db8::66 -Zone good.bl.test, v6.bl.test @Lab_ -Verbose }
        $c.Output[0].Status | Should -Be 'NotApplicable'
        $c.Output[1].Status | Should -Be 'Listed'
        # Only v6.bl.test is asked: apex, two test points, the address and its TXT.
        $null = ($c.Verbose | Where-Object { $_ -match 'Queries sent: (\d+)' } | Select-Object -Last 1) -match 'Queries sent: (\d+)'
        [int]$Matches[1] | Should -Be 5
    }

    It 'uses the catalogue default set when no zone is named' {
        $ip = Test-Dnsbl -IPAddress 192.0.2.10 -Server $Lab.Dnsdist -CatalogPath $LabCatalog -TimeoutSec 1 -Retry 0
        $ip.Zone | Should -Be @('good.bl.test', 'spamhaus.bl.test', 'v6.bl.test')
        $dom = Test-Dnsbl -Domain bad.example -Server $Lab.Dnsdist -CatalogPath $LabCatalog -TimeoutSec 1 -Retry 0
        $dom.Zone | Should -Be 'dom.bl.test'
    }

    It 'expands wildcards in -Zone from the catalogue' {
        $r = Test-Dnsbl -IPAddress 192.0.2.10 -Zone 'bench0*' @Lab_
        $r.Count | Should -Be 9
    }

    It 'gives a localized error with a stable id for <Value>, and goes on with the rest' -ForEach @(
        @{ Value = 'not-an-ip'; Id = 'InvalidIPAddress' }
        @{ Value = '1'; Id = 'InvalidIPAddress' }
        @{ Value = '999.1.1.1'; Id = 'InvalidIPAddress' }
        @{ Value = ''; Id = 'EmptyInput' }
        @{ Value = "1.2.3.4`e[31m"; Id = 'InvalidIPAddress' }
    ) {
        $r = $Value, '192.0.2.10' | Test-Dnsbl -Zone good.bl.test @Lab_ -ErrorVariable errs -ErrorAction SilentlyContinue
        @($r).Count | Should -Be 1
        $r.Input | Should -Be '192.0.2.10'
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike "$Id,*"
        $errs[0].TargetObject | Should -Be $Value
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $errs[0].Exception.Message | Should -Not -Match "`e"
    }

    It 'reports a network range from Get-MailServerIp with its own error instead of expanding it' {
        $rows = [pscustomobject]@{ IPAddress = ''; Range = '198.51.100.0/24' }, [pscustomobject]@{ IPAddress = '192.0.2.10'; Range = '' }
        $r = $rows | Test-Dnsbl -Zone good.bl.test @Lab_ -ErrorVariable errs -ErrorAction SilentlyContinue
        @($r).Count | Should -Be 1
        $r.Input | Should -Be '192.0.2.10'
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'NetworkRange,*'
        $errs[0].TargetObject | Should -Be '198.51.100.0/24'
    }

    It 'reports a zone pattern it cannot use as ZoneNotFound, and goes on with the other zones' {
        $r = Test-Dnsbl -IPAddress 192.0.2.10 -Zone 'good[', "bad`e[31m", good.bl.test @Lab_ -ErrorVariable errs -ErrorAction SilentlyContinue
        @($r).Count | Should -Be 1
        $r.Zone | Should -Be 'good.bl.test'
        $errs.Count | Should -Be 2
        $errs | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'ZoneNotFound,*'; $_.Exception.Message | Should -Not -Match "`e" }
        $null = Get-DnsblZone -Name "x`e[31m", 'zen[' -ErrorVariable zerrs -ErrorAction SilentlyContinue
        $zerrs.Count | Should -Be 2
        $zerrs | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'ZoneNotFound,*'; $_.Exception.Message | Should -Not -Match "`e" }
    }

    It 'reports an empty list of addresses as EmptyInput instead of returning nothing' {
        $r = Test-Dnsbl -IPAddress @() -Zone good.bl.test @Lab_ -ErrorVariable errs -ErrorAction SilentlyContinue
        $r | Should -BeNullOrEmpty
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'EmptyInput,*'
    }

    It 'refuses an IP address given as a domain, and a bad domain' {
        $null = Test-Dnsbl -Domain 192.0.2.1, 'bad..name', 'bad.example' -Zone dom.bl.test @Lab_ -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.FullyQualifiedErrorId | ForEach-Object { ($_ -split ',')[0] } | Should -Be @('DomainIsAddress', 'InvalidDomain')
    }

    It 'stops with a clear error for a resolver it cannot parse' {
        { Test-Dnsbl -IPAddress 192.0.2.10 -Server 'bad server:99999' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidServer,*'
    }

    It 'accepts every resolver form' {
        $port = ($Lab.Dnsdist -split ':')[1]
        (Test-Dnsbl -IPAddress 192.0.2.10 -Zone good.bl.test -Server "127.0.0.1:$port" -CatalogPath $LabCatalog -TimeoutSec 1 -Retry 0).Status | Should -Be 'Listed'
        (Test-Dnsbl -IPAddress 192.0.2.10 -Zone good.bl.test -Server "localhost:$port" -CatalogPath $LabCatalog -TimeoutSec 1 -Retry 0).Status | Should -Be 'Listed'
    }

    It 'returns one bool per input with -Quiet, counting verdicts only' {
        $q = '192.0.2.2', '192.0.2.10', '192.0.2.99', '192.0.2.254' | Test-Dnsbl -Zone spamhaus.bl.test @Lab_ -Quiet -WarningAction SilentlyContinue
        $q | Should -Be @($true, $false, $false, $false)
    }
}

Describe 'Spamhaus DQS key' {
    It 'queries the DQS zone and never shows the key anywhere' {
        $key = 'SECRETKEY123abc'
        $csv = Join-Path $TestDrive 'dqs.csv'
        $c = Invoke-Captured {
            '192.0.2.2', '192.0.2.99', 'bogus' | Test-Dnsbl -Zone spamhaus.bl.test, good.bl.test -DqsKey $key -Server $Lab.Dnsdist -CatalogPath $LabCatalog -TimeoutSec 1 -Retry 0 -NoCache -Verbose -Debug
        }
        $c.Output[0].Status | Should -Be 'Listed'
        $c.Output[0].Zone | Should -Be 'spamhaus.bl.test'
        $c.Output | Export-Csv $csv -NoTypeInformation
        $everything = @(
            ($c.Output | ConvertTo-Json -Depth 5)
            ($c.Output | Format-List * | Out-String -Width 500)
            ($c.Errors | ForEach-Object { $_.ToString(); $_.Exception.ToString(); [string]$_.TargetObject })
            $c.Warnings
            $c.Verbose
            (Get-Content $csv -Raw)
        ) -join "`n"
        $everything | Should -Not -Match $key
        $everything.Length | Should -BeGreaterThan 500
    }

    It 'reads the key from MAILBLACKLIST_DQS_KEY' {
        $env:MAILBLACKLIST_DQS_KEY = 'SECRETKEY123abc'
        try { $r = Test-Dnsbl -IPAddress 192.0.2.4 -Zone spamhaus.bl.test @Lab_ }
        finally { Remove-Item env:MAILBLACKLIST_DQS_KEY }
        $r.Status | Should -Be 'Listed'
        $r.Tag | Should -Be 'Compromise'
    }

    It 'refuses a malformed key without echoing it' {
        $err = $null
        try { Test-Dnsbl -IPAddress 192.0.2.4 -Zone spamhaus.bl.test @Lab_ -DqsKey 'evil.key.example' -ErrorAction Stop }
        catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'InvalidDqsKey,*'
        ($err | Out-String) | Should -Not -Match 'evil'
    }

    It 'reports a keyed list without a key as Error, not NotListed' {
        $r = Test-Dnsbl -IPAddress 192.0.2.4 -Zone keyed.bl.test @Lab_
        $r.Status | Should -Be 'Error'
        $r.Detail | Should -Match 'key'
    }
}

Describe 'Test-Dnsbl output' {
    It 'exports to CSV with every column readable' {
        $csv = Join-Path $TestDrive 'out.csv'
        '192.0.2.2', '2001:db8::2' | Test-Dnsbl -Zone spamhaus.bl.test, good.bl.test @Lab_ | Export-Csv $csv -NoTypeInformation
        $rows = Import-Csv $csv
        $rows.Count | Should -Be 4
        $columns = $rows[0].PSObject.Properties.Name
        foreach ($name in 'Input', 'Zone', 'Status', 'Listed', 'ReturnCodes', 'Meaning', 'Category', 'Reason', 'LookupUrl', 'ResponseTimeMs', 'Resolver', 'Detail') {
            $columns | Should -Contain $name
        }
        (Get-Content $csv -Raw) | Should -Not -Match 'System\.'
    }

    It 'warns when the resolver is a well-known public one' {
        $catalog = Get-Content $LabCatalog -Raw | ConvertFrom-Json
        $catalog.publicResolvers = @('127.0.0.1')
        $path = Join-Path $TestDrive 'public.json'
        $catalog | ConvertTo-Json -Depth 10 | Set-Content $path
        $c = Invoke-Captured { Test-Dnsbl -IPAddress 192.0.2.99 -Zone good.bl.test -Server $Lab.Dnsdist -CatalogPath $path -TimeoutSec 1 -Retry 0 }
        $c.Output.Status | Should -Be 'NotListed'
        $c.Warnings -join ' ' | Should -Match 'public DNS resolver'
    }

    It 'speaks Japanese in a ja-JP session' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                param($module, $server, $catalog)
                [System.Threading.Thread]::CurrentThread.CurrentUICulture = 'ja-JP'
                Import-Module $module
                Test-Dnsbl -IPAddress 192.0.2.4, 'bogus' -Zone spamhaus.bl.test -Server $server -CatalogPath $catalog -TimeoutSec 1 -Retry 0 -ErrorAction Continue
            }).AddArgument($ModulePath).AddArgument($Lab.Dnsdist).AddArgument($LabCatalog)
            $r = $ps.Invoke()
            $r[0].Meaning | Should -Match '感染'
            $ps.Streams.Error[0].Exception.Message | Should -Match 'アドレスではありません'
        }
        finally { $ps.Dispose() }
    }
}

Describe 'Get-DnsblZone' {
    It 'lists the shipped catalogue with dates and sources, and no dead list by default' {
        $zones = Get-DnsblZone
        $zones.Count | Should -BeGreaterThan 10
        $zones | ForEach-Object { $_.Verified | Should -Match '^\d{4}-\d{2}-\d{2}$'; $_.Source | Should -Not -BeNullOrEmpty }
        $dead = 'sorbs.net', 'njabl.org', 'ahbl.org', 'emailbasura', 'spamcannibal', 'rothen.com', 'sectoor', 'manitu', 'anonmails', 'dnsbl.net.au', 'cyberlogic', 'virbl', 'wpbl', 'imp.ch', 'inps.de', 'dul.ru', 'darklist', 'spamdown', 'madavi', 'lugh.ch', 'mcafee', 'senderscore', 'nszones', 'psky.me', 'dnsrbl.org'
        foreach ($d in $dead) { $zones.Name | Where-Object { $_ -like "*$d*" } | Should -BeNullOrEmpty }
        (Get-DnsblZone -Default).Name | Should -Contain 'zen.spamhaus.org'
        (Get-DnsblZone -Default).NeedsKey | Should -Not -Contain $true
    }

    It 'filters by name and kind, and reports a name it does not know' {
        (Get-DnsblZone -Name '*spamhaus*').Name | Should -Contain 'dbl.spamhaus.org'
        $domainZones = @(Get-DnsblZone -Kind Domain)
        $domainZones.Count | Should -BeGreaterThan 0
        $domainZones | ForEach-Object { $_.Kinds | Should -Match 'Domain' }
        $null = Get-DnsblZone -Name 'no.such.zone' -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'ZoneNotFound,*'
    }

    It 'describes every Spamhaus error code as an Error' {
        $zen = Get-DnsblZone -Name zen.spamhaus.org
        foreach ($code in '127.255.255.252', '127.255.255.254', '127.255.255.255') {
            $zen.Codes | Should -Match ([regex]::Escape($code) + ' Error')
        }
    }

    It 'reads a user catalogue without rebuilding' {
        (Get-DnsblZone -CatalogPath $LabCatalog -Default).Name | Should -Be @('good.bl.test', 'spamhaus.bl.test', 'v6.bl.test', 'dom.bl.test')
    }

    It 'completes zone names from the catalogue' {
        $completion = TabExpansion2 -inputScript 'Test-Dnsbl -Zone zen.spam' -cursorColumn 'Test-Dnsbl -Zone zen.spam'.Length
        $completion.CompletionMatches.CompletionText | Should -Contain 'zen.spamhaus.org'
    }
}

Describe 'Test-Dnsbl on an information-only list (info.bl.test)' {
    It 'reports a backscatter entry as Info, not NotListed, with its meaning, TXT and lookup page' {
        $r = Test-Dnsbl -IPAddress 192.0.2.30 -Zone info.bl.test @Lab_
        $r.Status | Should -Be 'Info'
        $r.Listed | Should -BeFalse
        $r.ReturnCodes | Should -Be '127.0.0.2'
        $r.Category | Should -Be 'Info'
        $r.Tag | Should -Be 'Backscatter'
        $r.Meaning | Should -Match 'backscatter'
        $r.Reason | Should -Match 'Backscatter seen from 192\.0\.2\.30'
        $r.LookupUrl | Should -Be 'https://info.bl.test/lookup?q=192.0.2.30'
    }

    It 'reports a whitelist entry as Info with tag Whitelist' {
        $r = Test-Dnsbl -IPAddress 192.0.2.31 -Zone info.bl.test @Lab_
        $r.Status | Should -Be 'Info'
        $r.Tag | Should -Be 'Whitelist'
        $r.Listed | Should -BeFalse
    }

    It 'lets a verdict beside an Info code win (Listed), and an error code beat both (Error)' {
        $r = '192.0.2.32', '192.0.2.33' | Test-Dnsbl -Zone info.bl.test @Lab_ -WarningAction SilentlyContinue
        $r[0].Status | Should -Be 'Listed'
        $r[0].Listed | Should -BeTrue
        ($r[0].Category -split '; ' | Sort-Object) | Should -Be @('Info', 'Verdict')
        $r[1].Status | Should -Be 'Error'
        $r[1].Listed | Should -BeFalse
        $r[1].Detail | Should -Match '127\.255\.255\.254'
    }

    It 'keeps an address that is on no list NotListed' {
        (Test-Dnsbl -IPAddress 192.0.2.99 -Zone info.bl.test @Lab_).Status | Should -Be 'NotListed'
    }

    It 'shows Info entries to a "Status -ne NotListed" filter' {
        $kept = '192.0.2.30', '192.0.2.31', '192.0.2.99' | Test-Dnsbl -Zone info.bl.test @Lab_ | Where-Object Status -ne 'NotListed'
        $kept.Input | Should -Be @('192.0.2.30', '192.0.2.31')
    }

    It 'keeps -Quiet for verdicts only: an Info entry gives $false' {
        $q = '192.0.2.30', '192.0.2.31', '192.0.2.32' | Test-Dnsbl -Zone info.bl.test @Lab_ -Quiet
        $q | Should -Be @($false, $false, $true)
    }
}
