# Invoke-MailDeliveryDiagnosis never states a cause it cannot know: lookups that failed (SERVFAIL,
# REFUSED, a dead or slow resolver, a truncated answer whose TCP retry fails) and answers of a
# resolver caught forging give DnsFailure findings, never SpfMissing, "no usable SPF record",
# PtrNotForwardConfirmed or Ok. Real servers of the lab (dnsdist fault zones, Knot's diag.test and
# wire.test, rbldnsd's everything/outside.bl.test) and the forging resolver of tests/ForgingResolver.cs.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    function script:Invoke-Diag([hashtable] $Parameters) {
        $p = @{ Server = $Lab.Dnsdist; TimeoutSec = 1; Retry = 0; CatalogPath = $LabCatalog }
        foreach ($k in $Parameters.Keys) { $p[$k] = $Parameters[$k] }
        $errs = $null
        $out = @(Invoke-MailDeliveryDiagnosis @p -ErrorAction SilentlyContinue -ErrorVariable errs -WarningAction SilentlyContinue)
        [pscustomobject]@{ Findings = $out; Errors = @($errs) }
    }

    # What every failed lookup of a domain must give: DnsFailure for the sending addresses, SPF,
    # DMARC and MX, and no sentence that claims to know the records.
    function script:Assert-NothingKnown($Findings, [string] $Domain) {
        $Findings.Count | Should -BeGreaterThan 0
        foreach ($check in 'SendingIp', 'Spf', 'Dmarc', 'Mx') {
            $f = @($Findings | Where-Object Check -eq $check)
            $f.Count | Should -BeGreaterThan 0 -Because "a $check finding is expected for $Domain"
            $f.CauseCode | Should -Be (@('DnsFailure') * $f.Count) -Because "$check after a failed lookup of $Domain"
            $f.Severity | Should -Be (@('Warning') * $f.Count)
        }
        foreach ($f in $Findings) {
            $f.Evidence | Should -Not -Match 'no usable SPF record'
            $f.CauseCode | Should -Not -BeIn @('SpfMissing', 'DmarcMissing', 'MxMissing', 'DomainNotFound', 'InsufficientEvidence', 'Ok')
        }
    }
}

Describe 'Invoke-MailDeliveryDiagnosis after failed lookups' {
    It 'gives DnsFailure, not "no usable SPF record", when the resolver answers SERVFAIL' {
        $r = Invoke-Diag @{ Domain = 'sender.servfail.bl.test'; Zone = 'spamhaus.bl.test' }
        Assert-NothingKnown $r.Findings 'sender.servfail.bl.test'
        ($r.Findings | Where-Object Check -eq 'SendingIp').Evidence | Should -Match 'sender\.servfail\.bl\.test TXT: .*SERVFAIL'
    }
    It 'gives DnsFailure when the resolver answers REFUSED' {
        $r = Invoke-Diag @{ Domain = 'sender.refused.bl.test'; Zone = 'spamhaus.bl.test' }
        Assert-NothingKnown $r.Findings 'sender.refused.bl.test'
        ($r.Findings | Where-Object Check -eq 'SendingIp').Evidence | Should -Match 'REFUSED'
    }
    It 'gives DnsFailure when the resolver is dead' {
        $r = Invoke-Diag @{ Domain = 'ok.diag.test'; Server = $Lab.Dead; TimeoutSec = 0.3 }
        Assert-NothingKnown $r.Findings 'ok.diag.test'
        # The guessed DKIM selectors all failed: one finding that names them, not one per guess.
        $dkim = @($r.Findings | Where-Object Check -eq 'Dkim')
        $dkim.Count | Should -Be 1
        $dkim[0].CauseCode | Should -Be 'DnsFailure'
        $dkim[0].Evidence | Should -Match 'google\._domainkey\.ok\.diag\.test, .*selector1\._domainkey\.ok\.diag\.test'
    }
    It 'gives DnsFailure when the answer comes too late' {
        # slow.bl.test answers after 1.5 s; the command waits 0.4 s.
        $r = Invoke-Diag @{ Domain = 'sender.slow.bl.test'; TimeoutSec = 0.4; Zone = 'spamhaus.bl.test' }
        Assert-NothingKnown $r.Findings 'sender.slow.bl.test'
    }
    It 'gives DnsFailure when an answer too large for UDP cannot be fetched over TCP' {
        # The forging resolver relays UDP only: Knot's truncated answer for big.wire.test comes back
        # with TC set, and the TCP retry finds nobody listening.
        Add-Type -Path (Join-Path $PSScriptRoot 'ForgingResolver.cs') -ErrorAction SilentlyContinue
        $forger = [ForgingResolver]::new([System.Net.IPEndPoint]::Parse($Lab.Knot), 3)
        try {
            $r = Invoke-Diag @{ Domain = 'big.wire.test'; Server = $forger.Endpoint; Zone = 'spamhaus.bl.test' }
            $forger.Relayed | Should -BeGreaterThan 0
        }
        finally { $forger.Dispose() }
        $spf = @($r.Findings | Where-Object Check -in 'SendingIp', 'Spf')
        $spf.Count | Should -Be 2
        $spf.CauseCode | Should -Be @('DnsFailure', 'DnsFailure')
        $r.Findings.Evidence | Should -Not -Match 'no usable SPF record'
    }
    It 'keeps SpfMissing where the lookup worked and there is no record (control)' {
        $r = Invoke-Diag @{ Domain = 'nospf.diag.test'; Zone = 'spamhaus.bl.test' }
        ($r.Findings | Where-Object Check -eq 'Spf').CauseCode | Should -Be 'SpfMissing'
        ($r.Findings | Where-Object Check -eq 'SendingIp').Evidence | Should -Match 'no usable SPF record'
    }
}

Describe 'Invoke-MailDeliveryDiagnosis through a resolver caught forging' {
    It 'reports the PTR check as DnsFailure with the reason, not PtrNotForwardConfirmed' {
        # Every list asked answers its negative test point (127.0.0.1) with an address: what a
        # resolver that forges every A answer does. Its PTR and SPF answers are then no evidence.
        $r = Invoke-Diag @{ Domain = 'fcrdns.diag.test'; Zone = 'everything.bl.test', 'outside.bl.test' }
        @($r.Findings | Where-Object Check -eq 'IpBlocklist').CauseCode | Should -Be 'DnsFailure'
        $ptr = @($r.Findings | Where-Object Check -eq 'Ptr')
        $ptr.Count | Should -Be 1
        $ptr[0].CauseCode | Should -Be 'DnsFailure'
        $ptr[0].Severity | Should -Be 'Warning'
        $ptr[0].Evidence | Should -Match 'forges answers'
        $ptr[0].Evidence | Should -Match '127\.0\.0\.1'
        $r.Findings.CauseCode | Should -Not -Contain 'PtrNotForwardConfirmed'
        $r.Findings.CauseCode | Should -Not -Contain 'Ok'
        ($r.Findings | Where-Object Check -eq 'Spf').CauseCode | Should -Be 'DnsFailure'
    }
    It 'keeps PtrNotForwardConfirmed when the lists answer their test points right (control)' {
        $r = Invoke-Diag @{ Domain = 'fcrdns.diag.test'; Zone = 'spamhaus.bl.test' }
        ($r.Findings | Where-Object Check -eq 'Ptr').CauseCode | Should -Be 'PtrNotForwardConfirmed'
    }
    It 'does not distrust the resolver for one list out of several that lists everything' {
        $r = Invoke-Diag @{ Domain = 'fcrdns.diag.test'; Zone = 'everything.bl.test', 'spamhaus.bl.test' }
        ($r.Findings | Where-Object Check -eq 'Ptr').CauseCode | Should -Be 'PtrNotForwardConfirmed'
    }
}
