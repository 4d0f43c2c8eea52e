# New-DelistingRequest: the message for whoever must act, from real diagnosis findings (the lab of
# Invoke-MailDeliveryDiagnosis.Tests.ps1: 192.0.2.2 is on the lab's Spamhaus SBL and has a hosting
# PTR name) and from Get-BounceReason objects; each cause code in both cultures; no secret in it.
# Also the removal paths the findings point to (SBL through the host, Microsoft's two lists).

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:Samples = Join-Path $PSScriptRoot '../samples'
    $script:Diag = @{ Server = $Lab.Dnsdist; TimeoutSec = 2; Retry = 0; CatalogPath = $LabCatalog; WarningAction = 'SilentlyContinue' }
    $script:Japanese = '[\u3040-\u30ff\u4e00-\u9fff]'
    function script:New-Finding([string] $Cause, [string] $Target = '203.0.113.77', [string] $Check = 'IpBlocklist', [string] $Evidence = 'zen.spamhaus.org 127.0.0.2', [string] $Url = 'https://check.spamhaus.org/') {
        $f = [MailBlacklist.DiagnosisFinding]::new()
        $f.Input = 'test'; $f.Target = $Target; $f.Check = $Check; $f.CauseCode = $Cause
        $f.Cause = [MailBlacklist.Engine.Text.Messages]::Get("Cause_$Cause", [cultureinfo]::CurrentUICulture)
        $f.Fix = [MailBlacklist.Engine.Text.Messages]::Get("Fix_$Cause", [cultureinfo]::CurrentUICulture)
        $f.Evidence = $Evidence; $f.Url = $Url; $f.Severity = 'Critical'
        $f
    }
    function script:Use-Culture([string] $Name) { [cultureinfo]::CurrentUICulture = $Name }
    $script:SavedCulture = [cultureinfo]::CurrentUICulture
}

AfterAll { [cultureinfo]::CurrentUICulture = $script:SavedCulture }

Describe 'New-DelistingRequest' {
    AfterEach { [cultureinfo]::CurrentUICulture = $script:SavedCulture }

    It 'writes the <Culture> message for <Cause> to <Party>' -ForEach @(
        foreach ($culture in 'en-US', 'ja-JP') {
            foreach ($cause in 'BlocklistVerdict', 'BlocklistCompromise', 'BlocklistReported', 'SharedServer', 'ReceiverReputation',
                'ReceiverResolverRefused', 'BlocklistPolicy', 'PtrMissing', 'PtrNotForwardConfirmed', 'SpfMissing', 'SpfNotAuthorized',
                'SpfInvalid', 'DmarcMissing', 'DmarcFail', 'MxMissing') {
                # Who must act, from the brief (issue 14), written out here rather than read from the module.
                @{ Culture = $culture; Cause = $cause; Party = @{
                    BlocklistVerdict = 'Hosting'; BlocklistCompromise = 'Hosting'; BlocklistReported = 'Hosting'; SharedServer = 'Hosting'
                    ReceiverReputation = 'Receiver'; ReceiverResolverRefused = 'Receiver' }[$cause] ?? 'Self' }
            }
        }
    ) {
        Use-Culture $Culture
        $r = @(New-Finding $Cause | New-DelistingRequest -WarningVariable warns -WarningAction SilentlyContinue)
        $r.Count | Should -Be 1
        $r[0] | Should -BeOfType MailBlacklist.DelistingRequest
        $r[0].To | Should -Be $Party
        $r[0].CauseCode | Should -Be $Cause
        $r[0].IPAddress | Should -Be '203.0.113.77'
        $r[0].Subject | Should -Match '203\.0\.113\.77'
        $r[0].Body | Should -Match '203\.0\.113\.77'
        $r[0].Body | Should -Match ([regex]::Escape('https://check.spamhaus.org/'))
        # The request itself: for Self the module's own fix; for the others a text written for them.
        if ($Party -eq 'Self') { $r[0].Body | Should -Match ([regex]::Escape((New-Finding $Cause).Fix.Substring(0, 20))) }
        else { $r[0].Body | Should -Match ([regex]::Escape([MailBlacklist.Engine.Text.Messages]::Get("Request_Ask_$Cause", [cultureinfo]::CurrentUICulture).Substring(0, 20))) }
        if ($Culture -eq 'ja-JP') {
            $r[0].Subject | Should -Match $Japanese
            $r[0].Body | Should -Match '■ 送信元 IP アドレス'
            $r[0].Body | Should -Not -Match 'あなた'
        }
        else {
            $r[0].Subject + $r[0].Body | Should -Not -Match $Japanese
            $r[0].Body | Should -Match 'Sending IP address:'
        }
        @($warns).Count | Should -Be 0
    }

    It 'writes nothing, with a warning, for <_> alone' -ForEach @('RecipientProblem', 'ContentRejected', 'DnsFailure', 'Ok', 'NotABounce', 'BlocklistInfo') {
        $r = @(New-Finding $_ | New-DelistingRequest -WarningVariable warns -WarningAction SilentlyContinue)
        $r.Count | Should -Be 0
        "$warns" | Should -Match 'no message was written'
    }

    Context 'from a real diagnosis of a Spamhaus SBL bounce (lab)' {
        BeforeAll {
            $script:Findings = @(Invoke-MailDeliveryDiagnosis -Path (Join-Path $Samples 'spamhaus-sbl.eml') @Diag)
            $script:Req = @($Findings | New-DelistingRequest -WarningVariable w -WarningAction SilentlyContinue)
            $script:Warn = @($w)
        }
        It 'finds the listing first (the scenario this test needs)' {
            $Findings.CauseCode | Should -Contain 'BlocklistVerdict'
            $Findings.CauseCode | Should -Contain 'SharedServer'
        }
        It 'writes one message, to the hosting company, with the facts it needs' {
            $Req.Count | Should -Be 1
            $Req[0].To | Should -Be 'Hosting'
            $Req[0].CauseCode | Should -Match 'BlocklistVerdict'
            $Req[0].CauseCode | Should -Match 'SharedServer'
            $Req[0].IPAddress | Should -Be '192.0.2.2'
            $Req[0].Body | Should -Match 'blocked using zen\.spamhaus\.org'
            $Req[0].Body | Should -Match 'Spamhaus SBL removes a listing only at the request of the network'
        }
        It 'gives the time of the bounce in this computer''s time zone' {
            $date = (Get-Content (Join-Path $Samples 'spamhaus-sbl.eml') | Where-Object { $_ -match '^Date:' } | Select-Object -First 1) -replace '^Date:\s*'
            # RFC 5322 form 'Tue, 24 Nov 2026 09:15:02 +0900' (MimeKit is private to the module now).
            $date = $date -replace '([+-]\d\d)(\d\d)\s*$', '$1:$2'
            $when = [DateTimeOffset]::ParseExact($date.Trim(), 'ddd, d MMM yyyy HH:mm:ss zzz', [cultureinfo]::InvariantCulture)
            $Req[0].Body | Should -Match ([regex]::Escape([TimeZoneInfo]::ConvertTime($when, [TimeZoneInfo]::Local).ToString('yyyy-MM-dd HH:mm')))
        }
        It 'names the other parties the findings call for, and -To writes theirs' {
            $others = $Req[0].AlsoFor
            if ($others) {
                "$Warn" | Should -Match ([regex]::Escape(($others -split ', ')[0]))
                $self = @($Findings | New-DelistingRequest -To ($others -split ', ')[0])
                $self[0].To | Should -Be ($others -split ', ')[0]
            }
            $none = @($Findings | New-DelistingRequest -To Receiver -WarningVariable w2 -WarningAction SilentlyContinue)
            $none.Count | Should -Be 0
            "$w2" | Should -Match 'Receiver'
        }
    }

    Context 'from Get-BounceReason objects' {
        It 'sends an Outlook.com S3150 block to the receiver''s sender process, with the form' {
            $r = Get-BounceReason -Message '550 5.7.1 Unfortunately, messages from [203.0.113.9] weren''t sent. Please contact your Internet service provider since part of their network is on our block list (S3150).' | New-DelistingRequest
            $r.To | Should -Be 'Receiver'
            $r.IPAddress | Should -Be '203.0.113.9'
            $r.Body | Should -Match 'LinkID=614866'
            $r.Body | Should -Match '\(S3150\)'
        }
        It 'sends a resolver refusal to the receiver, not to the host' {
            $r = Get-BounceReason -Message '554 5.7.1 Service unavailable; Client host [203.0.113.10] blocked using zen.spamhaus.org; Error: open resolver; https://www.spamhaus.org/returnc/pub/203.0.113.10' | New-DelistingRequest
            $r.To | Should -Be 'Receiver'
            $r.CauseCode | Should -Be 'ReceiverResolverRefused'
        }
        It 'writes the Japanese message in the bare ja culture too' {
            Use-Culture 'ja'
            $r = Get-BounceReason -Path (Join-Path $Samples 'spamhaus-sbl.eml') | New-DelistingRequest
            $r.Subject | Should -Match '掲載解除のお願い'
            $r.Body | Should -Match '拒否された日時'
        }
    }

    It 'reports input it cannot use, naming it, and still writes the message' {
        $r = @('not a finding', (New-Finding 'SharedServer') | New-DelistingRequest -ErrorVariable errs -ErrorAction SilentlyContinue)
        $r.Count | Should -Be 1
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'UnsupportedInput,*'
        $errs[0].Exception.Message | Should -Match 'System\.String'
        $errs[0].TargetObject | Should -Be 'not a finding'
    }

    It 'never writes the DQS key, from the environment or inside a DQS query name' {
        $saved = $env:MAILBLACKLIST_DQS_KEY
        try {
            $key = 'abcdefghijklmnopqrstuvwxyz'
            $other = 'zyxwvutsrqponmlkjihgfedcba'
            $env:MAILBLACKLIST_DQS_KEY = $key
            $f = New-Finding 'BlocklistVerdict' -Evidence "$key.zen.dq.spamhaus.net 127.0.0.2 key=$key" -Url "https://example.test/?k=$key"
            $g = New-Finding 'SharedServer' -Evidence "$other.sbl.dq.spamhaus.net answered 127.0.0.2"
            $b = Get-BounceReason -Message "554 5.7.1 Client host [203.0.113.77] blocked using $key.zen.dq.spamhaus.net"
            foreach ($culture in 'en-US', 'ja-JP') {
                Use-Culture $culture
                $r = $f, $g, $b | New-DelistingRequest
                ($r.Subject + $r.Body + $r.IPAddress) | Should -Not -Match $key
                ($r.Subject + $r.Body) | Should -Not -Match $other
                $r.Body | Should -Match '\*{8}\.zen\.dq\.spamhaus\.net'
            }
        }
        finally { $env:MAILBLACKLIST_DQS_KEY = $saved }
    }

    It 'prints readably: who and the subject, then the whole body from the first column' {
        $r = New-Finding 'SharedServer' | New-DelistingRequest
        $text = $r | Out-String -Width 200
        $text | Should -Match "(?m)^Subject\s*: $([regex]::Escape($r.Subject))"
        $text | Should -Match '(?m)^To\s*: Hosting'
        $text | Should -Match '(?m)^Hello,$'
        $text | Should -Match '(?m)^  203\.0\.113\.77$'
        $text | Should -Not -Match 'AlsoFor'
    }
}

Describe 'Removal paths' {
    It 'sends SBL delisting through the hosting company or ISP' {
        [MailBlacklist.Engine.Text.Messages]::Get('Fix_BlocklistVerdict', [cultureinfo]'en-US') | Should -Match 'SBL is removed only at the request of the hosting company or ISP'
        [MailBlacklist.Engine.Text.Messages]::Get('Fix_BlocklistVerdict', [cultureinfo]'ja-JP') | Should -Match 'Spamhaus SBL の掲載解除は、IP アドレスを管理するホスティング事業者かプロバイダーからの申請でしか'
    }
    It 'sends Outlook.com S3150 to the sender support form and Microsoft 365 5.7.606 to the delist portal (diagnosis)' {
        $outlook = Get-BounceReason -Message '550 5.7.1 Unfortunately, messages from [203.0.113.9] weren''t sent. Please contact your Internet service provider since part of their network is on our block list (S3150).' |
            Invoke-MailDeliveryDiagnosis @Diag | Where-Object Check -eq 'Bounce'
        $outlook.CauseCode | Should -Be 'ReceiverReputation'
        $outlook.Url | Should -Be 'https://go.microsoft.com/fwlink/?LinkID=614866'
        $outlook.Fix | Should -Match 'SNDS'
        $outlook.Fix | Should -Not -Match 'sender\.office\.com'
        $m365 = Invoke-MailDeliveryDiagnosis -Path (Join-Path $Samples 'm365-banned-ip.eml') @Diag | Where-Object Check -eq 'Bounce'
        $m365.Url | Should -Be 'https://sender.office.com/'
        $m365.Fix | Should -Match 'delist portal'
    }
    It 'gives Get-BounceReason the Microsoft path for Microsoft''s own list, not the generic list page' {
        $outlook = Get-BounceReason -Message '550 5.7.1 Unfortunately, messages from [203.0.113.9] weren''t sent. Please contact your Internet service provider since part of their network is on our block list (S3150).'
        $outlook.Fix | Should -Match 'Outlook\.com sender support form'
        $m365 = Get-BounceReason -Path (Join-Path $PSScriptRoot 'bounces/m365-5.7.606.eml')
        $m365.Fix | Should -Match 'sender\.office\.com'
        $spamhaus = Get-BounceReason -Message '554 5.7.1 Client host [203.0.113.5] blocked using zen.spamhaus.org'
        $spamhaus.Fix | Should -Match 'hosting company or ISP'
        $spamhaus.Fix | Should -Not -Match 'Outlook'
    }
}
