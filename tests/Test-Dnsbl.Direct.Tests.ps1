# Direct queries to a list's own name servers when the resolver is refused (issue 12), against
# the direct-query lab (tests/lab/DirectLab.psm1): a resolver that the lab's lists refuse, the
# lists delegated from a Knot zone to rbldnsd on port 53 of 127.0.77.x, a lame server, dead
# servers and a list whose answers need TCP.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    Import-Module (Join-Path $PSScriptRoot 'lab/DirectLab.psm1') -Force
    $script:D = Start-DnsDirectLab
    $script:Refused = @{ Server = $D.Resolver; CatalogPath = $D.Catalog; NoCache = $true }
    $script:DiagRefused = @{ Server = $D.Resolver; CatalogPath = $D.Catalog }
    $script:Own = @($D.NsA, $D.NsB, $D.Knot)

    function Invoke-Captured([scriptblock] $Script) {
        $all = & $Script *>&1
        [pscustomobject]@{
            Output   = @($all | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] -and $_ -isnot [System.Management.Automation.WarningRecord] -and $_ -isnot [System.Management.Automation.VerboseRecord] -and $_ -isnot [System.Management.Automation.InformationRecord] })
            Errors   = @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            Warnings = @($all | Where-Object { $_ -is [System.Management.Automation.WarningRecord] } | ForEach-Object Message)
        }
    }
    function Get-DirectWarning($Warnings) { @($Warnings | Where-Object { $_ -match 'asked directly' }) }
}
AfterAll {
    if ($script:D) { Stop-DnsDirectLab $script:D }
}

Describe 'Test-Dnsbl with a resolver the lists refuse' {
    It 'gives real verdicts from the lists'' own servers with default settings (README example)' {
        $c = Invoke-Captured { Test-Dnsbl -IPAddress 192.0.2.10 @Refused }
        $c.Errors | Should -BeNullOrEmpty
        foreach ($zone in 'zen.direct.test', 'lame.direct.test', 'refused.direct.test', 'big.direct.test') {
            $r = $c.Output | Where-Object Zone -eq $zone
            $r.Status | Should -Be 'Listed' -Because $zone
            $r.Via | Should -Be 'Authoritative' -Because $zone
            $r.Resolver | Should -BeIn $Own -Because "$zone is answered by its own server, not by $($D.Resolver)"
        }
        ($c.Output | Where-Object Zone -eq 'zen.direct.test').Reason | Should -Match 'Listed, see https://direct.test/lookup\?ip=192.0.2.10'
    }

    It 'tells not listed, policy and the other codes apart, as through a working resolver' {
        $rows = '192.0.2.99', '192.0.2.4', '192.0.2.11' | Test-Dnsbl -Zone zen.direct.test @Refused -WarningAction SilentlyContinue
        $rows.Status | Should -Be @('NotListed', 'Listed', 'Policy')
        $rows.ReturnCodes | Should -Be @('', '127.0.0.4', '127.0.0.10')
        $rows.Via | Should -Be @('Authoritative', 'Authoritative', 'Authoritative')
    }

    It 'asks directly when the resolver answers REFUSED, and for a domain list refused with 127.0.0.1' {
        (Test-Dnsbl 192.0.2.99 -Zone refused.direct.test @Refused -WarningAction SilentlyContinue).Status | Should -Be 'NotListed'
        $dom = Test-Dnsbl -Domain bad.example, good.example @Refused -WarningAction SilentlyContinue
        $dom.Status | Should -Be @('Listed', 'NotListed')
        $dom.Via | Should -Be @('Authoritative', 'Authoritative')
    }

    It 'warns once per command, naming the lists asked directly, why, and the better fixes' {
        $c = Invoke-Captured { '192.0.2.10', '192.0.2.99' | Test-Dnsbl @Refused }
        $w = @(Get-DirectWarning $c.Warnings)
        $w.Count | Should -Be 1
        $w[0] | Should -Match ([regex]::Escape($D.Resolver))
        $w[0] | Should -Match 'zen\.direct\.test \(127\.255\.255\.254\)'
        $w[0] | Should -Match 'refused\.direct\.test \(REFUSED\)'
        $w[0] | Should -Match 'lame\.direct\.test'
        $w[0] | Should -Not -Match 'nodirect\.direct'
        $w[0] | Should -Match 'own recursive resolver'
        $w[0] | Should -Match 'DQS key'
        $w[0] | Should -Match '-NoDirect'
    }

    It 'leaves a list whose terms forbid direct queries an Error and says why' {
        $r = Test-Dnsbl 192.0.2.10 -Zone nodirect.direct.test @Refused -WarningAction SilentlyContinue
        $r.Status | Should -Be 'Error'
        $r.Via | Should -Be 'Resolver'
        $r.Resolver | Should -Be $D.Resolver
        $r.Detail | Should -Match '127\.255\.255\.254'
        $r.Detail | Should -Match 'terms do not allow'
    }
}

Describe 'Direct queries: lame, dead and large answers' {
    It 'takes the answer of the good server when the other is lame (answers without AA)' {
        # The lame server (sorted first, so asked first) says 127.0.0.2 for every address;
        # taken, it would list 192.0.2.99 and make the 127.0.0.1 test point fail.
        $rows = '192.0.2.99', '192.0.2.10' | Test-Dnsbl -Zone lame.direct.test @Refused -WarningAction SilentlyContinue
        $rows.Status | Should -Be @('NotListed', 'Listed')
        $rows.Resolver | Should -Be @($D.NsA, $D.NsA)
    }

    It 'is an Error, never NotListed, when the list''s servers are dead, with both reasons' {
        # The resolver's own cold lookup of the zone's servers (one is dead) can outlast 2 s on a
        # busy machine, and then the resolver rightly gets the Error; one earlier run warms its
        # cache so the measured run reaches the servers themselves.
        $null = Test-Dnsbl 192.0.2.98 -Zone dead.direct.test @Refused -TimeoutSec 8 -Retry 0 -WarningAction SilentlyContinue -ErrorAction SilentlyContinue
        $c = Invoke-Captured { Test-Dnsbl 192.0.2.99 -Zone dead.direct.test @Refused -TimeoutSec 2 -Retry 0 }
        $r = $c.Output[0]
        $r.Status | Should -Be 'Error'
        $r.Via | Should -Be 'Authoritative'
        $r.Detail | Should -Match '127\.255\.255\.254'                                   # the resolver's refusal
        $r.Detail | Should -Match "$([regex]::Escape($D.Gone)) could not be reached"        # nothing listens
        $r.Detail | Should -Match "$([regex]::Escape($D.Silent)) did not answer"            # drops list questions
        # The resolver answered: its "did not answer" warning would send the user the wrong way.
        @($c.Warnings | Where-Object { $_ -match 'did not answer' }).Count | Should -Be 0
        (Get-DirectWarning $c.Warnings).Count | Should -Be 1
    }

    It 'asks again over TCP when the answer is truncated' {
        # 40 return codes do not fit in 512 bytes of UDP: only TCP carries them all.
        $r = Test-Dnsbl 192.0.2.10 -Zone big.direct.test @Refused -WarningAction SilentlyContinue
        $r.Status | Should -Be 'Listed'
        $r.Resolver | Should -Be $D.Knot
        @($r.ReturnCodes -split '; ').Count | Should -Be 40
        $r.Reason | Should -Be 'Listed with many codes'
    }
}

Describe 'Direct queries off: -NoDirect and a Spamhaus DQS key' {
    It '-NoDirect gives today''s Error and no direct query' {
        $c = Invoke-Captured { Test-Dnsbl 192.0.2.10 @Refused -NoDirect }
        foreach ($r in $c.Output) {
            $r.Status | Should -Be 'Error' -Because $r.Zone
            $r.Via | Should -Be 'Resolver'
            $r.Resolver | Should -Be $D.Resolver
        }
        ($c.Output | Where-Object Zone -eq 'zen.direct.test').Tag | Should -Match 'PublicResolver'
        (Get-DirectWarning $c.Warnings).Count | Should -Be 0
    }

    It 'uses DQS with a key, never the list''s own servers, and never shows the key' {
        $c = Invoke-Captured { Test-Dnsbl 192.0.2.10, 192.0.2.99 -Zone zen.direct.test @Refused -DqsKey $D.DqsKey }
        $c.Output.Status | Should -Be @('Listed', 'NotListed')
        $c.Output.Via | Should -Be @('Resolver', 'Resolver')
        $c.Output.Resolver | Should -Be @($D.Resolver, $D.Resolver)
        (Get-DirectWarning $c.Warnings).Count | Should -Be 0
        ($c.Output | ConvertTo-Json -Depth 3) + ($c.Warnings -join ' ') | Should -Not -Match $D.DqsKey
    }
}

Describe 'Invoke-MailDeliveryDiagnosis with a resolver the lists refuse' {
    It 'reports the listing found at the list''s own servers, and warns about direct queries' {
        $c = Invoke-Captured { Invoke-MailDeliveryDiagnosis -IPAddress 192.0.2.10 -Zone zen.direct.test @DiagRefused }
        $f = @($c.Output | Where-Object CauseCode -like 'Blocklist*')
        $f.Count | Should -BeGreaterThan 0
        $f[0].Evidence | Should -Match 'zen\.direct\.test'
        (Get-DirectWarning $c.Warnings).Count | Should -Be 1
    }

    It 'with -NoDirect, cannot check the list (DnsFailure), as before' {
        $c = Invoke-Captured { Invoke-MailDeliveryDiagnosis -IPAddress 192.0.2.10 -Zone zen.direct.test @DiagRefused -NoDirect }
        @($c.Output | Where-Object CauseCode -like 'Blocklist*').Count | Should -Be 0
        @($c.Output | Where-Object CauseCode -eq 'DnsFailure').Count | Should -BeGreaterThan 0
        (Get-DirectWarning $c.Warnings).Count | Should -Be 0
    }
}

Describe 'Catalogue: refused codes and direct-query terms' {
    It 'lists each list''s refused codes and whether its terms allow direct queries' {
        $zen = Get-DnsblZone -Name zen.spamhaus.org
        $zen.RefusedCodes | Should -Be '127.255.255.254'
        $zen.DirectQueries | Should -BeTrue
        (Get-DnsblZone -Name multi.uribl.com).RefusedCodes | Should -Be '127.0.0.1'
        (Get-DnsblZone -Name b.barracudacentral.org).DirectQueries | Should -BeFalse
    }
}
