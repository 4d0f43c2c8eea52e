# Invoke-MailDeliveryDiagnosis against the lab: Knot serves diag.test (tests/lab/knot/diag.test.zone)
# and the reverse zones, rbldnsd the lists (192.0.2.2 SBL, .4 XBL, .11 PBL on spamhaus.bl.test,
# 198.51.100.0/24 on good.bl.test). Bounces come from samples/ and tests/bounces-diagnosis/.
# Every cause has a scenario; each test asserts CauseCode, Severity, Fix and Url.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:Samples = Join-Path $PSScriptRoot '../samples'
    $script:Bounces = Join-Path $PSScriptRoot 'bounces-diagnosis'
    $script:Common = @{ Server = $Lab.Dnsdist; TimeoutSec = 2; Retry = 0; CatalogPath = $LabCatalog }

    function script:Invoke-Diag {
        # Runs the diagnosis and returns the findings and the errors apart.
        param([Parameter(ValueFromPipeline)] $InputObject, [hashtable] $Parameters = @{})
        # $null and '' from the pipeline are input too (they must give EmptyInput); without pipeline
        # input the process block still runs once, with nothing to add.
        begin { $items = [System.Collections.Generic.List[object]]::new() }
        process { if ($MyInvocation.ExpectingInput) { $items.Add($InputObject) } }
        end {
            $errs = $null; $warns = $null
            $p = $script:Common.Clone(); foreach ($k in $Parameters.Keys) { $p[$k] = $Parameters[$k] }
            $out = if ($items.Count) { @($items | Invoke-MailDeliveryDiagnosis @p -ErrorAction SilentlyContinue -ErrorVariable errs -WarningAction SilentlyContinue -WarningVariable warns) }
                   else { @(Invoke-MailDeliveryDiagnosis @p -ErrorAction SilentlyContinue -ErrorVariable errs -WarningAction SilentlyContinue -WarningVariable warns) }
            [pscustomobject]@{ Findings = $out; Errors = @($errs); Warnings = @($warns) }
        }
    }

    function script:Assert-Finding($Findings, [string] $Cause, [string] $Severity, [string] $Check, [switch] $NoUrl) {
        $f = @($Findings | Where-Object { $_.CauseCode -eq $Cause -and (-not $Check -or $_.Check -eq $Check) })
        $f.Count | Should -BeGreaterThan 0 -Because "a $Cause finding ($Check) is expected; got: $(($Findings | ForEach-Object { "$($_.Check)/$($_.CauseCode)" }) -join ', ')"
        $f[0].Severity | Should -Be $Severity
        $f[0].Fix | Should -Not -BeNullOrEmpty
        $f[0].Cause | Should -Not -BeNullOrEmpty
        $f[0].Evidence | Should -Not -BeNullOrEmpty
        if (-not $NoUrl) { $f[0].Url | Should -Match '^https?://' }
        $f[0]
    }
}

Describe 'Invoke-MailDeliveryDiagnosis' {
    Context 'Spamhaus SBL block on a shared hosting server (samples/spamhaus-sbl.eml)' {
        BeforeAll { $script:r = Invoke-Diag -Parameters @{ Path = (Join-Path $Samples 'spamhaus-sbl.eml') } }
        It 'reports what the receiver said, with the lookup page' {
            $f = Assert-Finding $r.Findings 'BlocklistReported' 'Critical' 'Bounce'
            $f.Evidence | Should -Match 'zen\.spamhaus\.org'
            $f.Url | Should -Be 'https://www.spamhaus.org/query/ip/192.0.2.2'
            $f.Target | Should -Be 'sato@customer.example'
        }
        It 'confirms a verdict listing of the bounce address with code and TXT' {
            $f = Assert-Finding $r.Findings 'BlocklistVerdict' 'Critical' 'IpBlocklist'
            $f.Target | Should -Be '192.0.2.2'
            $f.Evidence | Should -Match '127\.0\.0\.2'
            $f.Evidence | Should -Match 'SBL12345'
        }
        It 'adds a SharedServer finding from the hosting PTR name, saying the evidence is thin' {
            $f = Assert-Finding $r.Findings 'SharedServer' 'Warning' 'SharedServer'
            $f.Evidence | Should -Match 'sv2001\.diag\.test'
            $f.Evidence | Should -Match 'thin'
            $f.Fix | Should -Match '1-2 days'
        }
        It 'checks SPF, DMARC and MX of the sender domain read from the bounce' {
            ($r.Findings | Where-Object Check -eq 'Spf').CauseCode | Should -Be 'Ok'
            ($r.Findings | Where-Object Check -eq 'Mx').Target | Should -Be 'verdict.diag.test'
            ($r.Findings | Where-Object Check -eq 'Dmarc').CauseCode | Should -Be 'Ok'
            $r.Errors.Count | Should -Be 0
            @($r.Findings | Select-Object -ExpandProperty Input -Unique).Count | Should -Be 1
        }
    }

    Context 'An mbox of two bounces for two senders' {
        BeforeAll {
            # Each message is its own case with its own sender: the parser hands each one its
            # addressee, From and Received lines (no second read of the file, not only message 1).
            $mbox = Join-Path $TestDrive 'two-senders.mbox'
            $parts = foreach ($name in 'xbl-infected.eml', 'received-header-only.eml') {
                "From MAILER-DAEMON  Tue Nov 24 09:16:40 2026`n" + ((Get-Content -Raw (Join-Path $Bounces $name)) -replace "`r`n", "`n" -replace '(?m)^From ', '>From ').TrimEnd("`n") + "`n`n"
            }
            [System.IO.File]::WriteAllText($mbox, ($parts -join ''))
            $script:r = Invoke-Diag -Parameters @{ LiteralPath = $mbox }
        }
        It 'checks each message''s own sender domain, in file order' {
            $r.Errors.Count | Should -Be 0
            @($r.Findings | Where-Object Check -eq 'Mx' | ForEach-Object Target) | Should -Be @('compromise.diag.test', 'verdict.diag.test')
            @($r.Findings | Where-Object { $_.Check -eq 'Spf' -and $_.CauseCode -eq 'InsufficientEvidence' }).Count | Should -Be 0
        }
        It 'reads the second message''s sending address from its own Received line' {
            $f = @($r.Findings | Where-Object { $_.Check -eq 'IpBlocklist' -and $_.Target -eq '192.0.2.2' })
            $f.Count | Should -BeGreaterThan 0
            $f[0].CauseCode | Should -Be 'BlocklistVerdict'
            $bounce = @($r.Findings | Where-Object Check -eq 'Bounce')
            $bounce.Count | Should -Be 2
            $bounce[1].Evidence | Should -Match '192\.0\.2\.2'
        }
    }

    Context 'Infected PC (XBL) from a bounce' {
        BeforeAll { $script:r = Invoke-Diag -Parameters @{ Path = (Join-Path $Bounces 'xbl-infected.eml') } }
        It 'is BlocklistCompromise: clean up and change passwords before removal' {
            $f = Assert-Finding $r.Findings 'BlocklistCompromise' 'Critical' 'IpBlocklist'
            $f.Target | Should -Be '192.0.2.4'
            $f.Fix | Should -Match 'random'
            $f.Fix | Should -Match 'Only then'
            @($r.Findings | Where-Object CauseCode -eq 'SharedServer').Count | Should -Be 0
        }
    }

    Context 'PBL: sending directly from an end-user address (samples/pbl-direct-send.eml)' {
        BeforeAll { $script:r = Invoke-Diag -Parameters @{ Path = (Join-Path $Samples 'pbl-direct-send.eml') } }
        It 'is BlocklistPolicy with the submission-server fix, not a verdict' {
            $f = Assert-Finding $r.Findings 'BlocklistPolicy' 'Critical' 'IpBlocklist'
            $f.Target | Should -Be '192.0.2.11'
            $f.Fix | Should -Match 'submission'
            @($r.Findings | Where-Object CauseCode -eq 'BlocklistVerdict').Count | Should -Be 0
        }
        It 'also finds the missing PTR' {
            (Assert-Finding $r.Findings 'PtrMissing' 'Critical' 'Ptr').Target | Should -Be '192.0.2.11'
        }
        It 'checks the HELO name (Reporting-MTA) on the domain lists' {
            ($r.Findings | Where-Object { $_.Check -eq 'DomainBlocklist' -and $_.Target -eq 'router.policy.diag.test' }) | Should -Not -BeNullOrEmpty
        }
    }

    Context 'Information-only lists (info.bl.test: 192.0.2.30 backscatter, 192.0.2.31 whitelist)' {
        It 'reports backscatter as BlocklistInfo (Info), not a listing and not clean' {
            $r = Invoke-Diag -Parameters @{ IPAddress = '192.0.2.30'; Zone = 'info.bl.test', 'spamhaus.bl.test' }
            $f = Assert-Finding $r.Findings 'BlocklistInfo' 'Info' 'IpBlocklist'
            $f.Target | Should -Be '192.0.2.30'
            $f.Evidence | Should -Match 'info\.bl\.test'
            $f.Evidence | Should -Match 'Backscatter seen from 192\.0\.2\.30'
            $f.Url | Should -Be 'https://info.bl.test/lookup?q=192.0.2.30'
            @($r.Findings | Where-Object { $_.CauseCode -in 'BlocklistVerdict', 'BlocklistCompromise', 'BlocklistPolicy', 'SharedServer' }).Count | Should -Be 0
            # The list that answered clean is still named as clean, and only that one.
            $ok = $r.Findings | Where-Object { $_.Check -eq 'IpBlocklist' -and $_.CauseCode -eq 'Ok' }
            $ok.Evidence | Should -Match 'spamhaus\.bl\.test'
            $ok.Evidence | Should -Not -Match 'info\.bl\.test'
        }
        It 'gives a whitelist entry no finding of its own: the Ok finding names it' {
            $r = Invoke-Diag -Parameters @{ IPAddress = '192.0.2.31'; Zone = 'info.bl.test' }
            @($r.Findings | Where-Object { $_.CauseCode -like 'Blocklist*' }).Count | Should -Be 0
            $ok = @($r.Findings | Where-Object { $_.Check -eq 'IpBlocklist' })
            $ok.Count | Should -Be 1
            $ok[0].CauseCode | Should -Be 'Ok'
            $ok[0].Evidence | Should -Match 'whitelist: info\.bl\.test \(Info Lab: known legitimate'
        }
    }

    Context "The receiver's resolver is refused (samples/open-resolver.eml)" {
        BeforeAll { $script:r = Invoke-Diag -Parameters @{ Path = (Join-Path $Samples 'open-resolver.eml') } }
        It 'is ReceiverResolverRefused: nothing wrong with the sender, tell the recipient' {
            $f = Assert-Finding $r.Findings 'ReceiverResolverRefused' 'Info' 'Bounce'
            $f.Url | Should -Match 'returnc/pub'
            $f.Fix | Should -Match "recipient's mail administrator"
        }
        It 'finds no listing of the sender' {
            @($r.Findings | Where-Object { $_.CauseCode -like 'Blocklist*' }).Count | Should -Be 0
            ($r.Findings | Where-Object Check -eq 'IpBlocklist').CauseCode | Should -Be 'Ok'
        }
    }

    Context 'Receiver reputation: Microsoft 5.7.606 and Gmail low reputation' {
        It 'points a Microsoft block to the sender portal' {
            $r = Invoke-Diag -Parameters @{ Path = (Join-Path $Samples 'm365-banned-ip.eml') }
            $f = Assert-Finding $r.Findings 'ReceiverReputation' 'Critical' 'Bounce'
            $f.Url | Should -Be 'https://sender.office.com/'
            $f.Evidence | Should -Match '5\.7\.606'
        }
        It 'reads Gmail 421-4.7.0 low reputation as ReceiverReputation' {
            $r = Invoke-Diag -Parameters @{ Path = (Join-Path $Bounces 'gmail-low-reputation.eml') }
            Assert-Finding $r.Findings 'ReceiverReputation' 'Warning' 'Bounce' | Out-Null
        }
    }

    Context 'PTR missing and not forward-confirmed (Gmail 5.7.25 bounces)' {
        It 'finds no PTR for the sending address' {
            $r = Invoke-Diag -Parameters @{ Path = (Join-Path $Bounces 'gmail-no-ptr.eml') }
            (Assert-Finding $r.Findings 'PtrMissing' 'Critical' 'Ptr').Target | Should -Be '203.0.113.132'
            Assert-Finding $r.Findings 'PtrMissing' 'Critical' 'Bounce' | Out-Null
        }
        It 'finds a PTR whose name does not resolve back' {
            $r = Invoke-Diag -Parameters @{ Path = (Join-Path $Bounces 'gmail-ptr-mismatch.eml') }
            $f = Assert-Finding $r.Findings 'PtrNotForwardConfirmed' 'Warning' 'Ptr'
            $f.Target | Should -Be '203.0.113.133'
            $f.Evidence | Should -Match 'mail\.fcrdns\.diag\.test'
        }
    }

    Context 'A domain moved between providers (gmail-dmarc-moved.eml)' {
        BeforeAll { $script:r = Invoke-Diag -Parameters @{ Path = (Join-Path $Bounces 'gmail-dmarc-moved.eml') } }
        It 'finds DMARC failing under p=reject' {
            $f = Assert-Finding $r.Findings 'DmarcFail' 'Critical' 'Dmarc'
            $f.Evidence | Should -Match 'p=reject'
            Assert-Finding $r.Findings 'DmarcFail' 'Critical' 'Bounce' | Out-Null
        }
        It 'finds SPF not authorising the real sending address, and DMARC failing because of it' {
            $d = Invoke-Diag -Parameters @{ Domain = 'moved.diag.test'; IPAddress = '203.0.113.130' }
            $f = Assert-Finding $d.Findings 'SpfNotAuthorized' 'Critical' 'Spf'
            $f.Target | Should -Be '203.0.113.130'
            $f.Evidence | Should -Match 'fail'
            (Assert-Finding $d.Findings 'DmarcFail' 'Critical' 'Dmarc').Evidence | Should -Match '203\.0\.113\.130 spf=fail'
        }
        It 'finds the MX pointing at a host that no longer resolves' {
            (Assert-Finding $r.Findings 'MxMissing' 'Critical' 'Mx').Evidence | Should -Match 'mx\.oldhost\.diag\.test'
        }
    }

    Context 'Domain records (-Domain, with and without -IPAddress)' {
        It 'reports SpfMissing' {
            $r = Invoke-Diag -Parameters @{ Domain = 'nospf.diag.test'; IPAddress = '203.0.113.130' }
            Assert-Finding $r.Findings 'SpfMissing' 'Warning' 'Spf' | Out-Null
            @($r.Findings | Where-Object { $_.Check -eq 'Spf' -and $_.CauseCode -eq 'Ok' }).Count | Should -Be 0
        }
        It 'reports DmarcMissing' {
            $r = Invoke-Diag -Parameters @{ Domain = 'nodmarc.diag.test' }
            Assert-Finding $r.Findings 'DmarcMissing' 'Warning' 'Dmarc' | Out-Null
            ($r.Findings | Where-Object { $_.Check -eq 'Spf' }).CauseCode | Should -Be 'Ok'   # sending address from SPF
        }
        It 'reports MxMissing for a domain without MX and address' {
            $r = Invoke-Diag -Parameters @{ Domain = 'nomx.diag.test' }
            Assert-Finding $r.Findings 'MxMissing' 'Critical' 'Mx' | Out-Null
        }
        It 'reports DomainNotFound for a domain that does not exist' {
            $r = Invoke-Diag -Parameters @{ Domain = 'nx.diag.test' }
            Assert-Finding $r.Findings 'DomainNotFound' 'Critical' 'Domain' -NoUrl | Out-Null
            @($r.Findings | Where-Object CauseCode -eq 'Ok').Count | Should -Be 0
        }
        It 'gives all Ok for a healthy domain, each check present' {
            $r = Invoke-Diag -Parameters @{ Domain = 'ok.diag.test' }
            foreach ($check in 'IpBlocklist', 'Ptr', 'Spf', 'Dmarc', 'Mx', 'DomainBlocklist') {
                ($r.Findings | Where-Object Check -eq $check | Select-Object -First 1).Severity | Should -Be 'Ok' -Because $check
            }
        }
        It 'checks a bare address (-IPAddress) and says SPF/DMARC need a domain' {
            $r = Invoke-Diag -Parameters @{ IPAddress = '192.0.2.2' }
            Assert-Finding $r.Findings 'BlocklistVerdict' 'Critical' 'IpBlocklist' | Out-Null
            Assert-Finding $r.Findings 'InsufficientEvidence' 'Info' 'Spf' -NoUrl | Out-Null
        }
    }

    Context 'Recipient problems' {
        It 'is RecipientProblem with no blocklist involved' {
            $r = Invoke-Diag -Parameters @{ Path = (Join-Path $Samples 'user-unknown.eml') }
            Assert-Finding $r.Findings 'RecipientProblem' 'Warning' 'Bounce' | Out-Null
            @($r.Findings | Where-Object { $_.Check -ne 'Bounce' }).Count | Should -Be 0
        }
    }

    Context 'Shared server from the run: three tenant domains on one listed address' {
        BeforeAll { $script:r = 'tenant1.diag.test', 'tenant2.diag.test', 'tenant3.diag.test' | Invoke-Diag }
        It 'lists each tenant, then one SharedServer finding naming the domains' {
            @($r.Findings | Where-Object CauseCode -eq 'BlocklistVerdict').Count | Should -Be 3
            $f = Assert-Finding $r.Findings 'SharedServer' 'Warning' 'SharedServer'
            $f.Target | Should -Be '198.51.100.60'
            $f.Evidence | Should -Match 'tenant1\.diag\.test.*tenant2\.diag\.test.*tenant3\.diag\.test'
            $r.Findings[-1].CauseCode | Should -Be 'SharedServer'
        }
        It 'keeps input order' {
            ($r.Findings | Select-Object -ExpandProperty Input -Unique | Where-Object { $_ }) | Should -Be @('tenant1.diag.test', 'tenant2.diag.test', 'tenant3.diag.test')
        }
    }

    Context 'DNS failures never give Ok' {
        It 'gives DnsFailure findings and a warning when the resolver is dead' {
            $r = Invoke-Diag -Parameters @{ Path = (Join-Path $Samples 'spamhaus-sbl.eml'); Server = $Lab.Dead; TimeoutSec = 0.5 }
            Assert-Finding $r.Findings 'DnsFailure' 'Warning' 'IpBlocklist' -NoUrl | Out-Null
            @($r.Findings | Where-Object Severity -eq 'Ok').Count | Should -Be 0
            Assert-Finding $r.Findings 'BlocklistReported' 'Critical' 'Bounce' | Out-Null   # the bounce part works offline
            $r.Warnings.Count | Should -BeGreaterThan 0
        }
        It 'reports a list that answers REFUSED as DnsFailure, beside the lists that answered' {
            $r = Invoke-Diag -Parameters @{ IPAddress = '203.0.113.130'; Zone = 'spamhaus.bl.test', 'refused.bl.test' }
            $f = Assert-Finding $r.Findings 'DnsFailure' 'Warning' 'IpBlocklist' -NoUrl
            $f.Evidence | Should -Match 'refused\.bl\.test'
            @($r.Findings | Where-Object { $_.Check -eq 'IpBlocklist' -and $_.Severity -eq 'Ok' }).Count | Should -Be 0
        }
        It 'reports an SPF include that fails mid-run (SERVFAIL) as DnsFailure, not Ok' {
            $r = 'ok.diag.test', 'spfdnsfail.diag.test', 'servfail.bl.test' | Invoke-Diag
            $bad = $r.Findings | Where-Object Input -eq 'spfdnsfail.diag.test'
            Assert-Finding $bad 'DnsFailure' 'Warning' 'Spf' -NoUrl | Out-Null
            @($bad | Where-Object { $_.Check -eq 'Spf' -and $_.Severity -eq 'Ok' }).Count | Should -Be 0
            $sf = $r.Findings | Where-Object Input -eq 'servfail.bl.test'
            foreach ($check in 'Spf', 'Dmarc', 'Mx') { ($sf | Where-Object Check -eq $check).CauseCode | Should -Be 'DnsFailure' -Because $check }
            ($r.Findings | Where-Object { $_.Input -eq 'ok.diag.test' -and $_.Check -eq 'Mx' }).CauseCode | Should -Be 'Ok'
        }
    }

    Context 'The five samples: first finding per bounce' {
        It 'starts each sample with what the receiver said, then the confirming check' {
            $r = Invoke-Diag -Parameters @{ Path = (Join-Path $Samples '*.eml') }
            $r.Errors.Count | Should -Be 0
            $byFile = $r.Findings | Group-Object { Split-Path -Leaf $_.Input }
            $first = @{}; foreach ($g in $byFile) { $first[$g.Name] = @($g.Group | Select-Object -First 2 | ForEach-Object CauseCode) -join ',' }
            $first['spamhaus-sbl.eml'] | Should -Be 'BlocklistReported,BlocklistVerdict'
            $first['pbl-direct-send.eml'] | Should -Be 'BlocklistReported,BlocklistPolicy'
            $first['m365-banned-ip.eml'] | Should -BeLike 'ReceiverReputation,*'
            $first['open-resolver.eml'] | Should -BeLike 'ReceiverResolverRefused,*'
            $first['user-unknown.eml'] | Should -Be 'RecipientProblem'
            ($r.Findings | Where-Object CauseCode -eq 'BlocklistVerdict').Evidence | Should -Match '\| the address the receiver names in the bounce$'
        }
    }

    Context 'A resolver that cannot see the internet' {
        BeforeAll {
            # A catalogue whose only list does not exist (Knot answers NXDOMAIN for its apex): what a
            # sandboxed or captive resolver says about every real list.
            $cat = Get-Content -Raw $LabCatalog | ConvertFrom-Json
            $zone = $cat.zones | Where-Object name -eq 'spamhaus.bl.test' | ConvertTo-Json -Depth 10 | ConvertFrom-Json
            $zone.name = 'shutdown.diag.test'; $zone.displayName = 'Shut down'
            $cat.zones = @($cat.zones) + $zone
            $script:BlindCatalog = Join-Path ([System.IO.Path]::GetTempPath()) "blind-catalog-$PID.json"
            $cat | ConvertTo-Json -Depth 10 | Set-Content -LiteralPath $BlindCatalog -Encoding utf8
        }
        AfterAll { Remove-Item -LiteralPath $BlindCatalog -ErrorAction SilentlyContinue }

        It 'turns "does not exist" findings into DnsFailure when every list zone is missing too' {
            $r = Invoke-Diag -Parameters @{ Domain = 'gone.diag.test'; IPAddress = '203.0.113.132'; CatalogPath = $BlindCatalog; Zone = 'shutdown.diag.test' }
            $r.Findings.CauseCode | Should -Not -Contain 'DomainNotFound'
            $r.Findings.CauseCode | Should -Not -Contain 'PtrMissing'
            @($r.Findings | Where-Object Severity -eq 'Ok').Count | Should -Be 0
            $ptr = Assert-Finding $r.Findings 'DnsFailure' 'Warning' 'Ptr' -NoUrl
            $ptr.Evidence | Should -Match 'no PTR record \| the same resolver says the blocklist zones themselves do not exist'
            Assert-Finding $r.Findings 'DnsFailure' 'Warning' 'Domain' -NoUrl | Out-Null
            $r.Warnings.Count | Should -BeGreaterThan 0
        }
        It 'reports nothing as missing through a resolver that denies even the DNS root' {
            $r = Invoke-Diag -Parameters @{ Path = (Join-Path $Samples 'spamhaus-sbl.eml'); Server = $Lab.Blind }
            $r.Findings[0].CauseCode | Should -Be 'BlocklistReported'   # the bounce needs no DNS
            foreach ($cause in 'DomainNotFound', 'PtrMissing', 'SpfMissing', 'DmarcMissing', 'MxMissing', 'Ok') {
                $r.Findings.CauseCode | Should -Not -Contain $cause
            }
            Assert-Finding $r.Findings 'DnsFailure' 'Warning' 'Ptr' -NoUrl | Out-Null
            $lists = Assert-Finding $r.Findings 'DnsFailure' 'Warning' 'IpBlocklist' -NoUrl
            # Every list failed for the same reason: said once, after the zones it applies to.
            ([regex]::Matches($lists.Evidence, 'DNS root')).Count | Should -Be 1
            $lists.Evidence | Should -Match 'good\.bl\.test, spamhaus\.bl\.test'
        }
        It 'keeps DomainNotFound and PtrMissing when the lists answer (control)' {
            $r = Invoke-Diag -Parameters @{ Domain = 'gone.diag.test'; IPAddress = '203.0.113.132'; CatalogPath = $BlindCatalog; Zone = 'spamhaus.bl.test' }
            Assert-Finding $r.Findings 'DomainNotFound' 'Critical' 'Domain' -NoUrl | Out-Null
            Assert-Finding $r.Findings 'PtrMissing' 'Critical' 'Ptr' | Out-Null
        }
    }

    Context 'Input handling' {
        It 'takes Get-BounceReason objects from the pipeline, one case per message' {
            $r = Get-BounceReason -Path (Join-Path $Samples 'spamhaus-sbl.eml'), (Join-Path $Samples 'open-resolver.eml') | Invoke-Diag
            @($r.Findings | Where-Object Check -eq 'Bounce').CauseCode | Should -Be @('BlocklistReported', 'ReceiverResolverRefused')
            @($r.Findings | Select-Object -ExpandProperty Input -Unique).Count | Should -Be 2
            # A BounceReason is no domain: its string form must not bind to -Domain as well.
            $r.Errors.Count | Should -Be 0
        }
        It 'takes files from Get-ChildItem (LiteralPath by property name) and wildcards in -Path' {
            $a = Get-ChildItem (Join-Path $Samples 'user-*.eml') | Invoke-Diag
            $a.Findings[0].CauseCode | Should -Be 'RecipientProblem'
            # The file binds to -LiteralPath (PSPath) only, not also to -Domain by its string form.
            $a.Errors.Count | Should -Be 0
            $b = Invoke-Diag -Parameters @{ Path = (Join-Path $Samples '*.eml') }
            @($b.Findings | Where-Object Check -eq 'Bounce').Count | Should -Be 5
        }
        It 'writes localized non-terminating errors for bad input and goes on' {
            $r = '', 'not a domain!', '192.0.2.1', 'ok.diag.test' | Invoke-Diag -Parameters @{ }
            $r.Errors.FullyQualifiedErrorId | ForEach-Object { ($_ -split ',')[0] } | Should -Be @('EmptyInput', 'InvalidDomain', 'DomainIsAddress')
            $r.Errors[1].TargetObject | Should -Be 'not a domain!'
            ($r.Findings | Select-Object -ExpandProperty Input -Unique) | Should -Be 'ok.diag.test'
            $p = Invoke-Diag -Parameters @{ Path = (Join-Path $Samples 'missing.eml'), (Join-Path $Samples 'spamhaus-sbl.eml') }
            ($p.Errors.FullyQualifiedErrorId | ForEach-Object { ($_ -split ',')[0] }) | Should -Be 'PathNotFound'
            @($p.Findings | Where-Object Check -eq 'Bounce').Count | Should -Be 1
            $a = Invoke-Diag -Parameters @{ IPAddress = 'x.y', '192.0.2.2' }
            ($a.Errors.FullyQualifiedErrorId | ForEach-Object { ($_ -split ',')[0] }) | Should -Be 'InvalidIPAddress'
            ($a.Findings | Select-Object -ExpandProperty Input -Unique) | Should -Be '192.0.2.2'
        }
        It 'has one parameter set per kind of input, and refuses to mix them' {
            (Get-Command Invoke-MailDeliveryDiagnosis).ParameterSets.Name | Sort-Object | Should -Be @('Domain', 'InputObject', 'IPAddress', 'LiteralPath', 'Path')
            (Get-Command Invoke-MailDeliveryDiagnosis).DefaultParameterSet | Should -Be 'Domain'
            { Invoke-MailDeliveryDiagnosis -Path a.eml -Domain ok.diag.test @Common } | Should -Throw -ErrorId 'AmbiguousParameterSet*'
            { Invoke-MailDeliveryDiagnosis -LiteralPath a.eml -IPAddress 192.0.2.2 @Common } | Should -Throw -ErrorId 'AmbiguousParameterSet*'
        }
        It 'takes every file of Get-ChildItem *.eml as a path, with no InvalidDomain error' {
            $files = @(Get-ChildItem $Samples -Filter *.eml)
            $r = $files | Invoke-Diag
            $r.Errors.Count | Should -Be 0
            @($r.Findings | Select-Object -ExpandProperty Input -Unique) | Should -Be @($files.FullName)
        }
        It 'takes domains by property name (Import-Csv) and from strings in the pipeline' {
            $csv = Join-Path $TestDrive 'domains.csv'
            [pscustomobject]@{ Domain = 'ok.diag.test'; Owner = 'a' }, [pscustomobject]@{ Domain = 'verdict.diag.test'; Owner = 'b' } | Export-Csv -LiteralPath $csv -NoTypeInformation
            $r = Import-Csv -LiteralPath $csv | Invoke-Diag
            $r.Errors.Count | Should -Be 0
            @($r.Findings | Select-Object -ExpandProperty Input -Unique) | Should -Be @('ok.diag.test', 'verdict.diag.test')
            $s = 'ok.diag.test' | Invoke-Diag
            $s.Errors.Count | Should -Be 0
            @($s.Findings | Select-Object -ExpandProperty Input -Unique) | Should -Be 'ok.diag.test'
        }
        It 'gives EmptyInput for $null and empty strings among the domains, not silence' {
            $r = 'ok.diag.test', $null, '' | Invoke-Diag
            @($r.Errors.FullyQualifiedErrorId | ForEach-Object { ($_ -split ',')[0] }) | Should -Be @('EmptyInput', 'EmptyInput')
            $r.Errors[0].Exception.Message | Should -Match 'Domain'
            @($r.Findings | Select-Object -ExpandProperty Input -Unique) | Should -Be 'ok.diag.test'
            $c = Invoke-Diag -Parameters @{ Domain = $null }
            @($c.Errors.FullyQualifiedErrorId | ForEach-Object { ($_ -split ',')[0] }) | Should -Be @('EmptyInput')
        }
        It 'shows control characters of paths and zone names neutralized in errors, Input and verbose' {
            $esc = [char]27
            $ctl = '[\x00-\x1f\x7f]'
            $dir = Join-Path $TestDrive "dir$esc[31m"
            [System.IO.Directory]::CreateDirectory($dir) | Out-Null
            $file = Join-Path $dir "bounce$esc[31m.eml"
            [System.IO.File]::Copy((Join-Path $Samples 'spamhaus-sbl.eml'), $file)
            # The zone name has no '[': -Zone takes wildcards.
            $p = $Common.Clone(); $p.Zone = 'spamhaus.bl.test', "bad$($esc)zone"
            $errs = $null
            $out = @(Invoke-MailDeliveryDiagnosis -LiteralPath $file @p -Verbose -ErrorAction SilentlyContinue -ErrorVariable errs -WarningAction SilentlyContinue 4>&1)
            $null = Invoke-MailDeliveryDiagnosis -Path "$TestDrive/missing$esc[0.eml" @Common -ErrorAction SilentlyContinue -ErrorVariable +errs -WarningAction SilentlyContinue
            $findings = @($out | Where-Object { $_.PSObject.Properties['CauseCode'] })
            $verbose = @($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
            $findings.Count | Should -BeGreaterThan 0
            $findings | ForEach-Object { $_.Input; $_.Target } | Should -Not -Match $ctl
            $findings[0].Input | Should -Match 'dir\\x1B\[31m.bounce\\x1B\[31m\.eml$'
            $verbose.Message | Should -Not -Match $ctl
            ($verbose.Message -join "`n") | Should -Match 'bounce\\x1B\[31m\.eml'
            @($errs.FullyQualifiedErrorId | ForEach-Object { ($_ -split ',')[0] }) | Sort-Object | Should -Be @('PathNotFound', 'ZoneNotFound')
            $errs.Exception.Message | Should -Not -Match $ctl
            ($errs.Exception.Message -join "`n") | Should -Match 'missing\\x1B\[0\.eml'
            ($errs.Exception.Message -join "`n") | Should -Match 'bad\\x1Bzone'
            # An unusable path (no such drive) and a missing -LiteralPath: also neutralized.
            $bad = Invoke-Diag -Parameters @{ Path = "nodrive$($esc)x:/a.eml" }
            $bad.Errors.Count | Should -BeGreaterThan 0
            $bad.Errors.Exception.Message | Should -Not -Match $ctl
            # A '[' that opens no wildcard set: InvalidPath, not a terminating error.
            $wild = Invoke-Diag -Parameters @{ Path = "$dir/x.eml" }
            ($wild.Errors.FullyQualifiedErrorId | ForEach-Object { ($_ -split ',')[0] }) | Should -Be 'InvalidPath'
            $wild.Errors.Exception.Message | Should -Not -Match $ctl
            $lit = Invoke-Diag -Parameters @{ LiteralPath = "$dir/gone$esc[31m.eml" }
            ($lit.Errors.FullyQualifiedErrorId | ForEach-Object { ($_ -split ',')[0] }) | Should -Be 'PathNotFound'
            $lit.Errors.Exception.Message | Should -Not -Match $ctl
        }
        It 'writes Japanese causes and fixes under ja-JP' {
            $ps = [powershell]::Create()
            [void]$ps.AddScript({
                param($module, $path, $common)
                [System.Threading.Thread]::CurrentThread.CurrentUICulture = 'ja-JP'
                Import-Module $module
                Invoke-MailDeliveryDiagnosis -Path $path @common
            }).AddArgument($ModulePath).AddArgument((Join-Path $Samples 'pbl-direct-send.eml')).AddArgument($Common)
            $out = $ps.Invoke(); $ps.Dispose()
            $f = $out | Where-Object CauseCode -eq 'BlocklistPolicy'
            $f.Fix | Should -Match '[\u3040-\u30ff\u4e00-\u9fff]'
            $f.Cause | Should -Match '[\u3040-\u30ff\u4e00-\u9fff]'
        }
    }

    Context 'CSV export of several domains' {
        It 'writes every column readably and reads back the same findings' {
            $r = 'ok.diag.test', 'moved.diag.test', 'nodmarc.diag.test', 'tenant1.diag.test' | Invoke-Diag
            $csv = Join-Path ([System.IO.Path]::GetTempPath()) "diag-$PID.csv"
            try {
                $r.Findings | Export-Csv -Path $csv -NoTypeInformation -Encoding utf8
                $back = Import-Csv $csv
                $back.Count | Should -Be $r.Findings.Count
                ($back[0].PSObject.Properties.Name) | Should -Be @('Input', 'Target', 'Check', 'Severity', 'CauseCode', 'Cause', 'Evidence', 'Fix', 'Url', 'Change', 'Since')
                Get-Content $csv -Raw | Should -Not -Match 'System\.(Object|Collections)'
                @($back.Input | Select-Object -Unique).Count | Should -Be 4
                ($back | Where-Object CauseCode -eq 'DmarcMissing').Severity | Should -Be 'Warning'
            }
            finally { Remove-Item $csv -ErrorAction SilentlyContinue }
        }
    }

    Context 'A 1,000-domain run to one CSV (tests/lab/knot/tenants.test.zone)' {
        BeforeAll {
            # What each tenant should get, read from the generated zone (tests/lab/New-TenantsZone.ps1).
            $zone = Get-Content (Join-Path $PSScriptRoot 'lab/knot/tenants.test.zone')
            $script:Tenants = 1..1000 | ForEach-Object { 't{0:d4}.tenants.test' -f $_ }
            $spf = @{}
            foreach ($line in $zone) { if ($line -match '^(t\d{4})\s+TXT\s+"(v=spf1 [^"]*)"') { $spf["$($Matches[1]).tenants.test"] = $Matches[2] } }
            $script:Expected = @{
                BlocklistVerdict    = @($Tenants | Where-Object { $spf[$_] -match '_spf\.hosting' })
                BlocklistCompromise = @($Tenants | Where-Object { $spf[$_] -match 'ip4:192\.0\.2\.4 ' })
                BlocklistPolicy     = @($Tenants | Where-Object { $spf[$_] -match 'ip4:192\.0\.2\.11 ' })
                SpfMissing          = @($Tenants | Where-Object { -not $spf[$_] })
                DmarcMissing        = @($Tenants | Where-Object { $n = $_ -replace '\.tenants\.test$'; -not ($zone -match "^_dmarc\.$n\s") })
            }
            $script:Documented = @(Get-Content (Join-Path $PSScriptRoot '../en-US/about_MailBlacklist_Causes.help.txt') |
                Where-Object { $_ -match '^  [A-Z]' } | ForEach-Object { $_.Trim() -split '\s*/\s*' })

            $script:Csv = Join-Path ([System.IO.Path]::GetTempPath()) "tenants-$PID.csv"
            $errs = $null; $warns = $null
            $clock = [System.Diagnostics.Stopwatch]::StartNew()
            $Tenants | Invoke-MailDeliveryDiagnosis -Server $Lab.Dnsdist -CatalogPath $LabCatalog -TimeoutSec 2 -Retry 0 -ErrorVariable errs -WarningVariable warns -WarningAction SilentlyContinue |
                Export-Csv -LiteralPath $Csv -NoTypeInformation -Encoding utf8
            $clock.Stop()
            $script:Seconds = $clock.Elapsed.TotalSeconds
            $script:Errors = @($errs); $script:Warnings = @($warns)
            $script:Rows = @(Import-Csv -LiteralPath $Csv)
            # For the record (the issue's "done when"): time and size of the run.
            Write-Host ('1,000-domain run: {0:n1} s, {1} CSV rows, {2} bytes' -f $Seconds, $Rows.Count, (Get-Item $Csv).Length)
        }
        AfterAll { Remove-Item -LiteralPath $Csv -ErrorAction SilentlyContinue }

        It 'runs in reasonable time, with no errors and no DNS failures' {
            $Seconds | Should -BeLessThan 60
            $Errors.Count | Should -Be 0
            $Warnings.Count | Should -Be 0
            @($Rows | Where-Object CauseCode -eq 'DnsFailure').Count | Should -Be 0
        }
        It 'has every domain, in input order' {
            $inputs = [System.Collections.Generic.List[string]]::new()
            foreach ($row in $Rows) { if ($row.Input -and ($inputs.Count -eq 0 -or $inputs[$inputs.Count - 1] -ne $row.Input)) { $inputs.Add($row.Input) } }
            $inputs | Should -Be $Tenants
        }
        It 'writes every column readably: one line per row, no type names, Import-Csv round-trips' {
            $columns = 'Input', 'Target', 'Check', 'Severity', 'CauseCode', 'Cause', 'Evidence', 'Fix', 'Url', 'Change', 'Since'
            $Rows[0].PSObject.Properties.Name | Should -Be $columns
            $lines = [System.IO.File]::ReadAllLines($Csv)
            $lines.Count | Should -Be ($Rows.Count + 1)              # no cell broke a line
            (Get-Content -Raw -LiteralPath $Csv) | Should -Not -Match 'System\.[A-Z]'
            $bad = foreach ($row in $Rows) {
                foreach ($c in $columns) {
                    $v = $row.$c
                    if ($null -eq $v -or $v -match '[\x00-\x1f\x7f]') { "$($row.Input) $($row.Check) $c" }
                }
                foreach ($c in 'Target', 'Check', 'Severity', 'CauseCode', 'Cause', 'Evidence', 'Fix') { if (-not $row.$c) { "$($row.Input) $($row.Check) $c empty" } }
                if ($row.Url -and $row.Url -notmatch '^https://') { "$($row.Input) $($row.Check) Url $($row.Url)" }
            }
            @($bad) | Should -BeNullOrEmpty
            ($Rows | Where-Object { -not $_.Input }).CauseCode | Sort-Object -Unique | Should -Be 'SharedServer'   # run-wide findings only
        }
        It 'uses only the documented cause codes and severities' {
            $Documented | Should -Contain 'SharedServer'
            foreach ($code in ($Rows.CauseCode | Sort-Object -Unique)) { $Documented | Should -Contain $code }
            ($Rows.Severity | Sort-Object -Unique) | ForEach-Object { $_ | Should -BeIn 'Critical', 'Warning', 'Info', 'Ok' }
        }
        It 'gives each listed tenant <Cause> on <Address> with the list''s lookup page' -ForEach @(
            @{ Cause = 'BlocklistVerdict'; Address = '192.0.2.2' }
            @{ Cause = 'BlocklistCompromise'; Address = '192.0.2.4' }
            @{ Cause = 'BlocklistPolicy'; Address = '192.0.2.11' }
        ) {
            $Expected[$Cause].Count | Should -BeGreaterThan 50
            $found = @($Rows | Where-Object { $_.CauseCode -eq $Cause })
            @($found.Input | Sort-Object -Unique) | Should -Be $Expected[$Cause]
            # One Should over all rows: Should per row costs seconds on a thousand rows.
            ($found | ForEach-Object { "$($_.Target) $($_.Check) $($_.Severity) $($_.Url)" } | Sort-Object -Unique) |
                Should -Be "$Address IpBlocklist Critical https://spamhaus.bl.test/lookup?q=$Address"
            $found[0].Evidence | Should -Match 'spamhaus\.bl\.test'
        }
        It 'says SharedServer for the listed addresses many tenants share' {
            # 192.0.2.2: the hosting include and the PTR name sv2001 say so in each tenant's case.
            $perCase = @($Rows | Where-Object { $_.CauseCode -eq 'SharedServer' -and $_.Input })
            @($perCase.Input | Sort-Object -Unique) | Should -Be $Expected.BlocklistVerdict
            ($perCase | ForEach-Object { "$($_.Target) $($_.Evidence)" } | Sort-Object -Unique) |
                Should -Match '^192\.0\.2\.2 PTR name sv2001\.diag\.test .* \| .*SPF t\d{4}\.tenants\.test -> include:_spf\.hosting\.tenants\.test -> ip4:192\.0\.2\.2$'
            $perCase[0].Evidence | Should -Not -Match 'thin'    # two indications: hosting PTR name and a provider's include
            # 192.0.2.4: only the run shows it, in one finding at the end naming the count.
            $run = @($Rows | Where-Object { $_.CauseCode -eq 'SharedServer' -and -not $_.Input })
            $run.Count | Should -Be 1
            $run[0].Target | Should -Be '192.0.2.4'
            $run[0].Evidence | Should -Match "^$($Expected.BlocklistCompromise.Count) domains of this run .*t0003\.tenants\.test \(SPF\).*, \.\.\. \|"
            $Rows[-1].CauseCode | Should -Be 'SharedServer'
            # A policy listing (PBL) is about the address type, never a shared server.
            @($Rows | Where-Object { $_.CauseCode -eq 'SharedServer' -and $_.Target -eq '192.0.2.11' }).Count | Should -Be 0
        }
        It 'finds the missing SPF and DMARC records' {
            @($Rows | Where-Object CauseCode -eq 'SpfMissing' | Select-Object -ExpandProperty Input) | Should -Be $Expected.SpfMissing
            @($Rows | Where-Object CauseCode -eq 'DmarcMissing' | Select-Object -ExpandProperty Input) | Should -Be $Expected.DmarcMissing
            @($Rows | Where-Object { $_.CauseCode -eq 'MxMissing' }).Count | Should -BeGreaterThan 50
        }
    }
    Context 'Lookups that fail (tests/lab/knot/evil.test.zone; dnsdist answers SERVFAIL under servfail.bl.test)' {
        It 'says DnsFailure, never Ok, when one MX host fails and another resolves' {
            $r = Invoke-Diag -Parameters @{ Domain = 'partmx.evil.test' }
            $mx = @($r.Findings | Where-Object Check -eq 'Mx')
            $mx.CauseCode | Should -Not -Contain 'Ok'
            $f = Assert-Finding $mx 'DnsFailure' 'Warning' 'Mx' -NoUrl
            $f.Evidence | Should -Match 'mx\.servfail\.bl\.test'
            $f.Evidence | Should -Match 'SERVFAIL'
            $f.Target | Should -Be 'partmx.evil.test'
        }
        It 'does not call an SPF temperror a DMARC failure (<Domain>, given address: <Given>)' -ForEach @(
            @{ Domain = 'tempspf.evil.test'; Given = $false }   # p=reject, the SPF address itself temperrors
            @{ Domain = 'tempnone.evil.test'; Given = $false }  # p=none: must not say Ok either
            @{ Domain = 'temponly.evil.test'; Given = $false }  # no address to judge, SPF not read whole
            @{ Domain = 'temponly.evil.test'; Given = $true }
        ) {
            $p = @{ Domain = $Domain }
            if ($Given) { $p.IPAddress = '203.0.113.130' }
            $r = Invoke-Diag -Parameters $p
            Assert-Finding $r.Findings 'DnsFailure' 'Warning' 'Spf' -NoUrl | Out-Null
            $dmarc = @($r.Findings | Where-Object Check -eq 'Dmarc')
            $dmarc.Count | Should -Be 1
            $dmarc[0].CauseCode | Should -Be 'DnsFailure'
            $dmarc[0].Severity | Should -Be 'Warning'
            $dmarc[0].Evidence | Should -Match 'SPF could not be evaluated'
            $r.Warnings.Count | Should -BeGreaterThan 0      # the run-wide "some checks could not run" warning
        }
        It 'still says DmarcFail for a definite SPF failure under p=reject (control)' {
            $r = Invoke-Diag -Parameters @{ Domain = 'ok.diag.test'; IPAddress = '192.0.2.2'; Zone = 'spamhaus.bl.test' }
            Assert-Finding $r.Findings 'DmarcFail' 'Critical' 'Dmarc' | Out-Null
        }
    }

    Context 'Spamhaus DQS key (lab: SECRETKEY123abc.zen.dq.spamhaus.test for spamhaus.bl.test)' {
        It 'never shows the key in output, errors, warnings, verbose or an exported CSV' {
            $key = 'SECRETKEY123abc'
            $p = $Common.Clone()
            $csv = Join-Path $TestDrive 'dqs.csv'
            # A listed address, a list error code, a missing domain and a bad domain: findings, an error and a warning.
            $all = @(Invoke-MailDeliveryDiagnosis -Domain ok.diag.test, 'nx-dqs.diag.test', 'not a domain!' -IPAddress 192.0.2.2, 192.0.2.250 -Zone spamhaus.bl.test -DqsKey $key @p -Verbose -ErrorAction Continue -WarningAction Continue *>&1)
            $findings = @($all | Where-Object { $_.PSObject.Properties['CauseCode'] })
            # The key was used: the listing is found through the DQS zone.
            $listing = @($findings | Where-Object { $_.CauseCode -eq 'BlocklistVerdict' -and $_.Target -eq '192.0.2.2' })
            $listing.Count | Should -BeGreaterThan 0
            @($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Count | Should -BeGreaterThan 0
            $findings | Export-Csv -LiteralPath $csv -NoTypeInformation
            $text = ($all | ForEach-Object {
                    if ($_ -is [System.Management.Automation.ErrorRecord]) { $_.Exception.Message; "$($_.TargetObject)"; "$($_.CategoryInfo)" }
                    elseif ($_ -is [System.Management.Automation.InformationalRecord]) { $_.Message }
                    else { $_ | Format-List * | Out-String -Width 1000 }
                }) -join "`n"
            @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }).Count | Should -BeGreaterThan 0
            $text | Should -Not -Match 'SECRETKEY'
            (Get-Content -Raw -LiteralPath $csv) | Should -Not -Match $key
            ($findings | Out-String -Width 1000) | Should -Not -Match $key
        }
        It 'gives an error-type finding for a wrong key, not a listing' {
            $r = Invoke-Diag -Parameters @{ Domain = 'ok.diag.test'; IPAddress = '192.0.2.2'; Zone = 'spamhaus.bl.test'; DqsKey = 'WRONGKEY999' }
            $lists = @($r.Findings | Where-Object Check -eq 'IpBlocklist')
            $lists.CauseCode | Should -Not -Contain 'BlocklistVerdict'
            $lists.CauseCode | Should -Not -Contain 'Ok'
            $f = Assert-Finding $lists 'DnsFailure' 'Warning' 'IpBlocklist' -NoUrl
            $f.Evidence | Should -Match '127\.255\.255\.250'
            (($r.Findings | Out-String -Width 1000) + ($r.Errors | Out-String) + ($r.Warnings | Out-String)) | Should -Not -Match 'WRONGKEY999'
        }
    }

    Context 'Roles of addresses in a bounce (issue 16)' {
        It "never checks the receiver's own address (Comcast 'host X[ip] refused to talk to me') as the sender's" {
            $r = Invoke-Diag -Parameters @{ Path = (Join-Path $Bounces 'comcast-receiver-address.eml') }
            # 198.51.100.96 is listed on good.bl.test and in no SPF: any check of it would show.
            @($r.Findings | Where-Object { $_.Check -ne 'Bounce' -and $_.Target -eq '198.51.100.96' }).Count | Should -Be 0
            @($r.Findings | Where-Object { $_.Evidence -match '198\.51\.100\.96' -and $_.Check -ne 'Bounce' }).Count | Should -Be 0
            (Assert-Finding $r.Findings 'BlocklistVerdict' 'Critical' 'IpBlocklist').Target | Should -Be '192.0.2.2'
            ($r.Findings | Where-Object { $_.Check -eq 'Spf' -and $_.Target -eq '192.0.2.2' }).CauseCode | Should -Be 'Ok'
            $r.Findings.CauseCode | Should -Not -Contain 'SpfNotAuthorized'
            $bounce = Assert-Finding $r.Findings 'BlocklistReported' 'Critical' 'Bounce'
            $bounce.Evidence | Should -Match '198\.51\.100\.96 receiving server, not checked as the sender \(host mx2c1\.comcast\.net\[198\.51\.100\.96\]\)'
            $bounce.Evidence | Should -Match '192\.0\.2\.2 sending server'
        }
        It "reads the sender from Gmail's [ip      15] bracket, not the Google addresses around it, and labels a delay as a delay" {
            $r = Invoke-Diag -Parameters @{ Path = (Join-Path $Bounces 'gmail-bracket-decoy.eml') }
            @($r.Findings | Where-Object Check -eq 'IpBlocklist').Target | Should -Be '203.0.113.131'
            @($r.Findings | Where-Object { $_.Check -ne 'Bounce' -and $_.Target -like '198.51.100.*' }).Count | Should -Be 0
            $bounce = Assert-Finding $r.Findings 'ReceiverReputation' 'Warning' 'Bounce'
            $bounce.Evidence | Should -Match '^Delayed 4\.7\.0'
            $bounce.Evidence | Should -Not -Match 'Expired'
            $bounce.Evidence | Should -Match '203\.0\.113\.131 sending server \(\[203\.0\.113\.131\s+15\]\)'
            $bounce.Evidence | Should -Match '198\.51\.100\.27 receiving server'
        }
        It 'takes the sender domain from a pasted Postfix log line (its from= field) and says deferred mail is Delayed' {
            $lines = "Dec  2 10:02:10 mail postfix/qmgr[812]: 4F2A1C0D1E: from=<info@m365.diag.test>, size=1532, nrcpt=1 (queue active)`n" +
                "Dec  2 10:02:11 mail postfix/smtp[901]: 4F2A1C0D1E: to=<yamada@gmail.example>, relay=gmail-smtp-in.l.google.com[198.51.100.28]:25, delay=1.2, dsn=4.7.0, status=deferred (host gmail-smtp-in.l.google.com[198.51.100.28] said: 421-4.7.0 [203.0.113.131      15] Our system has detected that this message is suspicious due to the very low reputation of the sending IP address. (in reply to end of DATA command))"
            $r = Get-BounceReason -Message $lines | Invoke-Diag
            $r.Findings.CauseCode | Should -Not -Contain 'InsufficientEvidence'
            ($r.Findings | Where-Object Check -eq 'Spf').Evidence | Should -Match 'SPF of m365\.diag\.test for 203\.0\.113\.131: pass'
            ($r.Findings | Where-Object Check -eq 'Dmarc').Target | Should -Be 'm365.diag.test'
            ($r.Findings | Where-Object Check -eq 'Bounce').Evidence | Should -Match '^Delayed '
            @($r.Findings | Where-Object { $_.Check -ne 'Bounce' -and $_.Target -eq '198.51.100.28' }).Count | Should -Be 0
        }

        It 'takes an address of the recipient domain''s MX as the receiving server, whatever words name it' {
            # rcpt.org.test's MX host is 198.51.100.96 (listed on good.bl.test); the text calls it "server [ip]".
            $line = 'Dec  2 10:02:11 mail postfix/smtp[901]: 4F2A1C0D1E: to=<sato@rcpt.org.test>, relay=none, delay=0.5, dsn=5.7.1, status=bounced (Message rejected by server [198.51.100.96]: 554 5.7.1 your server is listed in a blocklist)'
            $r = Get-BounceReason -Message $line | Invoke-Diag
            @($r.Findings | Where-Object { $_.Check -ne 'Bounce' -and ($_.Target -eq '198.51.100.96' -or $_.Evidence -match '198\.51\.100\.96') }).Count | Should -Be 0
            $r.Findings.CauseCode | Should -Not -Contain 'BlocklistVerdict'
            ($r.Findings | Where-Object Check -eq 'Bounce').Evidence | Should -Match '198\.51\.100\.96 receiving server, not checked as the sender \(MX rcpt\.org\.test: mx\.rcpt\.org\.test -> 198\.51\.100\.96\)'
            (Assert-Finding $r.Findings 'InsufficientEvidence' 'Info' 'SendingIp' -NoUrl).Input | Should -Be 'sato@rcpt.org.test'
        }
    }

    Context 'DMARC and DKIM as receivers judge them (tests/lab/knot/org.test.zone)' {
        It 'applies the organizational domain''s record to a subdomain without one (RFC 7489 6.6.3), with its sp=' {
            $r = Invoke-Diag -Parameters @{ Domain = 'lists.org.test' }
            $r.Findings.CauseCode | Should -Not -Contain 'DmarcMissing'
            $d = @($r.Findings | Where-Object Check -eq 'Dmarc')
            $d.Count | Should -Be 1
            $d[0].CauseCode | Should -Be 'Ok'
            $d[0].Evidence | Should -Match '^_dmarc\.org\.test \(lists\.org\.test has no record of its own; its organizational domain org\.test applies'
        }
        It 'uses the list -PublicSuffixPath names: with org.test a public suffix, lists.org.test is its own organizational domain' {
            $psl = Join-Path $TestDrive 'psl.dat'
            Set-Content -LiteralPath $psl -Value "// test list`ncom`norg.test" -Encoding utf8
            $r = Invoke-Diag -Parameters @{ Domain = 'lists.org.test'; PublicSuffixPath = $psl }
            (Assert-Finding $r.Findings 'DmarcMissing' 'Warning' 'Dmarc').Evidence | Should -Match '_dmarc\.lists\.org\.test'
        }
        It 'stops with a localized error naming a Public Suffix List that cannot be read' {
            $missing = Join-Path $TestDrive 'no-such-psl.dat'
            { Invoke-MailDeliveryDiagnosis -Domain org.test -PublicSuffixPath $missing @Common -ErrorAction Stop } |
                Should -Throw -ErrorId 'PublicSuffixLoadFailed,MailBlacklist.Commands.InvokeMailDeliveryDiagnosisCommand' -ExpectedMessage "*no-such-psl.dat*"
        }
        It 'finds a DKIM key under a common selector for a domain and reads its length' {
            # Eleven selectors at once: a longer timeout, so that a loaded machine does not turn them into DnsFailure.
            $r = Invoke-Diag -Parameters @{ Domain = 'org.test'; TimeoutSec = 5 }
            $k = @($r.Findings | Where-Object Check -eq 'Dkim')
            $k.Count | Should -Be 1
            $k[0].CauseCode | Should -Be 'Ok'
            $k[0].Target | Should -Be 'google._domainkey.org.test'
            $k[0].Evidence | Should -Match 'rsa 2048 bits \| d=org\.test aligned with From org\.test \(adkim=r\)'
        }
        It 'says DkimMissing (Warning, selectors named) when no common selector has a key' {
            $r = Invoke-Diag -Parameters @{ Domain = 'nodkim.org.test' }
            $f = Assert-Finding $r.Findings 'DkimMissing' 'Warning' 'Dkim'
            $f.Evidence | Should -Match 'selector1, selector2'
            $f.Url | Should -Match 'rfc6376'
        }
        It 'follows the returned message''s DKIM-Signature: relaxed alignment of d=org.test with From lists.org.test passes' {
            $r = Invoke-Diag -Parameters @{ Path = (Join-Path $Bounces 'list-org-dmarc-signed.eml') }
            $k = @($r.Findings | Where-Object Check -eq 'Dkim')
            $k.CauseCode | Should -Be 'Ok'
            $k.Target | Should -Be 'google._domainkey.org.test'
            $r.Findings.CauseCode | Should -Not -Contain 'DmarcMissing'
        }
        It 'gives DkimNotAligned under adkim=s, DkimMissing for a signature without a key, DkimInvalid for a 512-bit key' {
            $r = Invoke-Diag -Parameters @{ Path = (Join-Path $Bounces 'strict-dkim-not-aligned.eml') }
            $dk = $r.Findings | Where-Object Check -eq 'Dkim'
            (Assert-Finding $dk 'DkimNotAligned' 'Critical' 'Dkim').Evidence | Should -Match 'd=org\.test not aligned with From strict\.org\.test \(adkim=s\)'
            (Assert-Finding $dk 'DkimMissing' 'Critical' 'Dkim').Target | Should -Be 'gone._domainkey.strict.org.test'
            (Assert-Finding $dk 'DkimInvalid' 'Critical' 'Dkim').Evidence | Should -Match 'RSA key of 512 bits'
            $dk.CauseCode | Should -Not -Contain 'Ok'
        }
        It 'finds organizational domains with the shipped Public Suffix List (wildcard and exception rules)' {
            $psl = [MailBlacklist.Engine.MailServers.PublicSuffixList]::LoadFile((Get-ChildItem (Split-Path $ModulePath) -Recurse -Filter 'public_suffix_list.dat' | Select-Object -First 1).FullName)
            $psl.OrganizationalDomain('a.b.example.co.uk') | Should -Be 'example.co.uk'
            $psl.OrganizationalDomain('www.city.kawasaki.jp') | Should -Be 'city.kawasaki.jp'   # !city.kawasaki.jp
            $psl.OrganizationalDomain('x.y.kawasaki.jp') | Should -Be 'x.y.kawasaki.jp'        # *.kawasaki.jp
            $psl.OrganizationalDomain('co.uk') | Should -BeNullOrEmpty
            $psl.OrganizationalDomain('lists.org.test') | Should -Be 'org.test'                # the implicit "*" rule
            (Get-Content -TotalCount 3 (Get-ChildItem (Split-Path $ModulePath) -Recurse -Filter 'public_suffix_list.dat' | Select-Object -First 1).FullName) -join ' ' | Should -Match 'Mozilla Public'
        }
        It 'writes the DKIM causes and fixes in Japanese under ja-JP' {
            $ps = [powershell]::Create()
            [void]$ps.AddScript({
                param($module, $path, $common)
                [System.Threading.Thread]::CurrentThread.CurrentUICulture = 'ja-JP'
                Import-Module $module
                Invoke-MailDeliveryDiagnosis -Path $path @common
            }).AddArgument($ModulePath).AddArgument((Join-Path $Bounces 'strict-dkim-not-aligned.eml')).AddArgument($Common)
            $out = $ps.Invoke(); $ps.Dispose()
            foreach ($code in 'DkimNotAligned', 'DkimMissing', 'DkimInvalid') {
                $f = @($out | Where-Object CauseCode -eq $code)[0]
                $f.Cause | Should -Match '[\u3040-\u30ff\u4e00-\u9fff]' -Because $code
                $f.Fix | Should -Match '[\u3040-\u30ff\u4e00-\u9fff]' -Because $code
            }
        }
    }
}
