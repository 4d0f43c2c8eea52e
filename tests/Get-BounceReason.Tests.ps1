#Requires -Version 7.0
# Get-BounceReason: the corpus floors, line-ending equivalence, our own messages for formats the
# corpus lacks, pasted error lines, piping into Test-Dnsbl, errors, paths, texts and help.
# Needs no DNS server: the Test-Dnsbl check points at a closed port and only looks at Input.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:Own = Join-Path $PSScriptRoot 'bounces'
    $script:Measure = Join-Path $PSScriptRoot 'Measure-BounceCorpus.ps1'

    function Get-Own([string] $Name) { Get-BounceReason -LiteralPath (Join-Path $script:Own $Name) }

    # Runs a script in a fresh runspace with the given UI culture: resources and help are cached per
    # session, so each culture needs its own runspace.
    function Invoke-InCulture([string] $Culture, [string] $Script) {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("[cultureinfo]::CurrentUICulture = '$Culture'; Import-Module '$script:ModulePath'; $Script")
            $ps.Invoke()
        }
        finally { $ps.Dispose() }
    }
}

Describe 'Get-BounceReason over the sisimai corpus' {
    BeforeAll {
        $script:Figures = & $script:Measure -ModulePath $script:ModulePath -Corpus $script:Corpus -Suite sisimai -PassThru
        $script:Bsd = $script:Figures | Where-Object Flavor -eq 'all'
    }

    It 'reads every labelled email without errors' {
        $script:Bsd.Emails | Should -BeGreaterThan 490
        $script:Bsd.Errors | Should -Be 0
    }

    It 'agrees with the stable reason labels at least 96% of the time' {
        $script:Bsd.ReasonAgreement | Should -BeGreaterOrEqual 0.96
    }

    It 'agrees with the status labels at least 99% of the time' {
        $script:Bsd.StatusAgreement | Should -BeGreaterOrEqual 0.99
    }

    It 'finds the labelled recipients at least 99% of the time' {
        $script:Bsd.RecipientAgreement | Should -BeGreaterOrEqual 0.99
    }

    It 'gives the same answers for LF, CRLF and CR copies (<_>)' -ForEach @('dos', 'mac') {
        $flavor = $_
        $key = { '{0}|{1}|{2}|{3}|{4}' -f [IO.Path]::GetFileName($_.Path), $_.Recipient, $_.Reason, $_.Status, $_.IPAddress }
        # Only files present in both folders (a few copies exist in one line-ending flavour only).
        $names = Get-ChildItem (Join-Path $script:Corpus "maildir/$flavor") -Filter '*.eml' | ForEach-Object Name |
            Where-Object { Test-Path -LiteralPath (Join-Path $script:Corpus "maildir/bsd/$_") }
        $lf = Get-BounceReason -LiteralPath ($names | ForEach-Object { Join-Path $script:Corpus "maildir/bsd/$_" }) | ForEach-Object $key
        $other = Get-BounceReason -LiteralPath ($names | ForEach-Object { Join-Path $script:Corpus "maildir/$flavor/$_" }) | ForEach-Object $key
        $other.Count | Should -Be $lf.Count
        Compare-Object $lf $other | Should -BeNullOrEmpty
    }
}

Describe 'Get-BounceReason over other projects'' suites (flufl.bounce, bounce_email)' {
    BeforeAll {
        $script:External = & $script:Measure -ModulePath $script:ModulePath -Suite flufl, bounce_email -PassThru
        $script:Flufl = $script:External | Where-Object Suite -eq 'flufl'
        $script:BounceEmail = $script:External | Where-Object Suite -eq 'bounce_email'
    }

    It 'reads every flufl email without errors and finds its failed recipients' {
        $script:Flufl.Errors | Should -Be 0
        $script:Flufl.RecipientRecall | Should -BeGreaterOrEqual 0.97
        $script:Flufl.RecipientPrecision | Should -BeGreaterOrEqual 0.97
    }

    It 'tells flufl''s delay warnings from failures' {
        $script:Flufl.ClassAgreement | Should -BeGreaterOrEqual 0.95
    }

    It 'finds every bounce_email bounce, leaves its other mail alone and agrees on status' {
        $script:BounceEmail.BouncesFoundCount | Should -Be $script:BounceEmail.BounceCount
        $script:BounceEmail.NonBouncesAloneCount | Should -Be $script:BounceEmail.NonBounceCount
        $script:BounceEmail.StatusOk | Should -BeGreaterOrEqual 10
    }
}

Describe 'Get-BounceReason on structures the sisimai corpus lacks' {
    BeforeAll {
        $script:Flufl = Join-Path $PSScriptRoot 'corpus/external/flufl/emails'
        function Get-Flufl([string] $Name) { @(Get-BounceReason -LiteralPath (Join-Path $script:Flufl $Name)) }
    }

    It 'unwraps a delivery report forwarded inside a message/rfc822 part' {
        $r = Get-Flufl 'dsn_15.txt'
        $r.Recipient | Should -Be 'userx@example.com'
        $r.Status | Should -Be '5.1.1'
    }

    It 'prefers Original-Recipient when Final-Recipient is an internal rewrite' {
        (Get-Flufl 'dsn_01.txt').Recipient | Should -Be 'userx@example.com'
        (Get-Flufl 'dsn_04.txt').Recipient | Should -Be 'userx@example.ch'
    }

    It 'reads an old Exchange X.400 dda:SMTP= recipient' {
        $r = Get-Flufl 'microsoft_01.txt'
        $r.Recipient | Should -Be 'userx@example.COM'
        $r.Reason | Should -Be 'UserUnknown'
    }

    It 'reads every "Unknown user:" block' {
        (Get-Flufl 'smtp32_04.txt').Recipient | Sort-Object | Should -Be @('after_another@example.net', 'one_bad_address@example.net')
    }

    It 'reports a plain-text delay warning as delayed, not as a failure' {
        $r = Get-Flufl 'simple_03.txt'
        $r.Recipient | Should -Be 'userx@example.za'
        $r.Action | Should -Be 'delayed'
        $r.HardBounce | Should -BeFalse
        # Its words say only that delivery is being retried: sisimai's name for that is Expired,
        # but the explanation is the delay's.
        $r.Reason | Should -BeIn @('Expired', 'Delayed')
        $r.Cause | Should -Be ([MailBlacklist.Engine.Text.Messages]::Get('Cause_Delayed', [cultureinfo]::CurrentUICulture))
    }

    It 'reports a delay warning that names no cause as Delayed' {
        $text = "From: MAILER-DAEMON@example.net`nTo: me@example.jp`nSubject: Warning: message delayed`n`nThe address to which the message has not yet been delivered is:`n  taro@example.org`n"
        $r = Get-BounceReason -Message $text
        $r.Recipient | Should -Be 'taro@example.org'
        $r.Reason | Should -Be 'Delayed'
        $r.Action | Should -Be 'delayed'
        $r.HardBounce | Should -BeFalse
    }

    It 'leaves ordinary mail without a subject and with a VERP Return-Path alone' {
        $r = @(Get-BounceReason -LiteralPath (Join-Path $PSScriptRoot 'corpus/external/bounce_email/emails/test/fixtures/no_subject.txt'))
        $r.Count | Should -Be 1
        $r.Reason | Should -Be 'NotABounce'
    }
}

Describe 'Get-BounceReason on our own messages' {
    It 'reads a Japanese carrier bounce in ISO-2022-JP' {
        $r = Get-Own 'jp-carrier-iso2022jp.eml'
        $r.Recipient | Should -Be 'keitai-taro@ezweb.example.ne.jp'
        $r.Reason | Should -Be 'MailboxFull'
        $r.HardBounce | Should -BeFalse
    }

    It 'reads a Japanese carrier bounce in Shift_JIS' {
        $r = Get-Own 'jp-carrier-shiftjis.eml'
        $r.Recipient | Should -Be 'keitai-hanako@docomo.example.ne.jp'
        $r.Reason | Should -Be 'Filtered'
        $r.DiagnosticText | Should -Match '受信拒否'
    }

    It 'reads a Japanese notice that the sending server is a registered spam source as Blocked, with its address' {
        # Japanese receivers say "迷惑メール送信元" / "スパム送信元" (spam source) where English ones
        # say "listed"; the status alone (5.7.1) says only "security". Full-width brackets too.
        $r = @(Get-BounceReason -Message '550 5.7.1 お客様のメールサーバー（198.51.100.93）は迷惑メール送信元として登録されているため、受信を拒否しました。')
        $r.Count | Should -Be 1
        $r[0].Reason | Should -Be 'Blocked'
        $r[0].IPAddress | Should -Be '198.51.100.93'
    }

    It 'never takes the receiving server named by an Exchange NDR ("Remote Server at host (ip) returned") for the sender' {
        $alone = @(Get-BounceReason -Message "Remote Server at mx.rcpt.example (203.0.113.33) returned '550 5.7.1 Client blocked by DNSBL'")
        $alone.Count | Should -Be 1
        $alone[0].Reason | Should -Be 'Blocked'
        $alone[0].IPAddress | Should -BeNullOrEmpty
        $both = @(Get-BounceReason -Message "Remote Server at mx.rcpt.example (203.0.113.33) returned '550 5.7.1 Blocked: sending host 198.51.100.5 is listed in our DNSBL'")
        $both[0].IPAddress | Should -Be '198.51.100.5'
    }

    It 'reads a Microsoft 365 5.7.606 banned-IP block' {
        $r = Get-Own 'm365-5.7.606.eml'
        $r.Reason | Should -Be 'Blocked'
        $r.Status | Should -Be '5.7.606'
        $r.IPAddress | Should -Be '203.0.113.45'
        $r.ProviderCode | Should -Be '5.7.606'
        $r.Url | Should -Be 'https://sender.office.com/'
    }

    It 'reads a Gmail "not authorized to send directly" block, multi-line reply included' {
        $r = Get-Own 'gmail-not-authorized.eml'
        $r.Reason | Should -Be 'Blocked'
        $r.IPAddress | Should -Be '203.0.113.45'
        $r.DiagnosticText | Should -Match 'not authorized to send email directly'
    }

    It 'reads a Gmail 5.7.25 missing-PTR rejection as RequirePtr' {
        $r = Get-Own 'gmail-5.7.25-ptr.eml'
        $r.Reason | Should -Be 'RequirePtr'
        $r.Status | Should -Be '5.7.25'
        $r.IPAddress | Should -Be '203.0.113.45'
    }

    It 'reads a Postfix Spamhaus block with the listed IP, zone and lookup URL' {
        $r = Get-Own 'postfix-spamhaus.eml'
        $r.Recipient | Should -Be 'taro@example.net'
        $r.Reason | Should -Be 'Blocked'
        $r.Status | Should -Be '5.7.1'
        $r.ReplyCode | Should -Be '554'
        $r.IPAddress | Should -Be '203.0.113.45'
        $r.Blocklist | Should -Be 'zen.spamhaus.org'
        $r.Url | Should -Be 'https://www.spamhaus.org/query/ip/203.0.113.45'
        $r.RemoteMta | Should -Be 'mx.example.net'
        $r.ReportingMta | Should -Be 'mail.example.jp'
    }

    It 'reports "Error: open resolver" as the receiver''s DNSBL problem, not a listing' {
        $r = Get-Own 'postfix-open-resolver.eml'
        $r.Reason | Should -Be 'ReceiverDnsblError'
        $r.Reason | Should -Not -Be 'Blocked'
        $r.Url | Should -Match 'returnc/pub/203\.0\.113\.45'
    }

    It 'reads a Sendmail bounce of a Barracuda block' {
        $r = Get-Own 'sendmail-barracuda.eml'
        $r.Reason | Should -Be 'Blocked'
        $r.Blocklist | Should -Be 'Barracuda Reputation'
        $r.IPAddress | Should -Be '203.0.113.45'
        $r.Url | Should -Match 'barracudacentral'
    }

    It 'reports an auto-reply as Vacation' {
        $r = Get-Own 'autoreply.eml'
        $r.Reason | Should -Be 'Vacation'
        $r.Recipient | Should -Be 'yamada@example.com'
        $r.HardBounce | Should -BeFalse
    }

    It 'reports a delivery success notice as Delivered' {
        $r = Get-Own 'delivered.eml'
        $r.Reason | Should -Be 'Delivered'
        $r.Status | Should -Be '2.0.0'
        $r.Action | Should -Be 'delivered'
    }

    It 'does not take an ordinary mail that talks about delivery for a bounce: <Subject>' -ForEach @(
        @{ Subject = 'Your parcel'; Body = 'We were unable to deliver your parcel today. It could not be delivered because nobody was home.' }
        @{ Subject = 'メール配信のお知らせ'; Body = '今月のお知らせを配信します。配信停止はこちらから。' }
        @{ Subject = 'Re: proposal rejected'; Body = 'The board rejected the proposal; the error was in the budget.' }
    ) {
        $text = "From: shop@example.com`nTo: me@example.jp`nSubject: $Subject`nContent-Type: text/plain; charset=utf-8`n`n$Body`n"
        $r = Get-BounceReason -Message $text
        @($r).Count | Should -Be 1
        $r.Reason | Should -Be 'NotABounce'
        $r.HardBounce | Should -BeFalse
    }

    It 'reports an ordinary mail as NotABounce, not as a failure' {
        $r = Get-Own 'ordinary.eml'
        @($r).Count | Should -Be 1
        $r.Reason | Should -Be 'NotABounce'
        $r.Status | Should -BeNullOrEmpty
    }
}

Describe 'Get-BounceReason -Message (pasted error lines)' {
    It 'explains <Line>' -ForEach @(
        @{ Line = '554 5.7.1 Service unavailable; Client host [203.0.113.45] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/203.0.113.45'; Reason = 'Blocked'; Ip = '203.0.113.45'; List = 'zen.spamhaus.org'; Code = $null }
        @{ Line = '553 5.7.1 [BL21] Connections will not be accepted from 203.0.113.45, because the ip is in Spamhaus''s list; see https://postmaster.yahooinc.com/error-codes'; Reason = 'Blocked'; Ip = '203.0.113.45'; List = 'Spamhaus'; Code = 'BL21' }
        @{ Line = '550 5.7.1 Unfortunately, messages from [203.0.113.45] weren''t sent. Please contact your Internet service provider since part of their network is on our block list (S3150).'; Reason = 'Blocked'; Ip = '203.0.113.45'; List = $null; Code = 'S3150' }
        @{ Line = '550 5.7.1 Service unavailable; Client host [203.0.113.45] blocked using zen.spamhaus.org; Error: open resolver; https://check.spamhaus.org/returnc/pub/203.0.113.45/'; Reason = 'ReceiverDnsblError'; Ip = '203.0.113.45'; List = 'zen.spamhaus.org'; Code = $null }
        @{ Line = 'Rejected because 203.0.113.45 is in a black list at zen.spamhaus.org'; Reason = 'Blocked'; Ip = '203.0.113.45'; List = 'zen.spamhaus.org'; Code = $null }
        @{ Line = '550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown in virtual mailbox table'; Reason = 'UserUnknown'; Ip = $null; List = $null; Code = $null }
        @{ Line = '452 4.2.2 The email account that you tried to reach is over quota.'; Reason = 'MailboxFull'; Ip = $null; List = $null; Code = $null }
        @{ Line = '552 5.1.1 <x@example.com>: max message size exceeded'; Reason = 'MesgTooBig'; Ip = $null; List = $null; Code = $null }
        @{ Line = 'host mx.example.com[192.0.2.1] said: 550 5.7.1 Blocked by SpamAssassin (in reply to end of DATA command)'; Reason = 'SpamDetected'; Ip = $null; List = $null; Code = $null }
        @{ Line = '550 5.7.1 <x@example.com>: Recipient address rejected: user unknown (in reply to RCPT TO command)'; Reason = 'UserUnknown'; Ip = $null; List = $null; Code = $null }
    ) {
        $r = $Line | Get-BounceReason
        $r.Reason | Should -Be $Reason
        $r.IPAddress | Should -Be $Ip
        $r.Blocklist | Should -Be $List
        $r.ProviderCode | Should -Be $Code
        $r.Cause | Should -Not -BeNullOrEmpty
        $r.Fix | Should -Not -BeNullOrEmpty
    }

    It 'joins a multi-line reply pasted as one text' {
        $text = "550-5.7.1 [203.0.113.45] The IP you're using to send mail is not authorized to`n550-5.7.1 send email directly to our servers. Please use the SMTP relay at your`n550 5.7.1 service provider instead."
        $r = Get-BounceReason -Message $text
        $r.Reason | Should -Be 'Blocked'
        $r.Status | Should -Be '5.7.1'
        $r.IPAddress | Should -Be '203.0.113.45'
        $r.DiagnosticText | Should -Not -Match '550-5\.7\.1 send'
    }

    It 'gives the same answer for LF, CRLF and CR line ends' {
        $lines = 'Return-Path: <>', 'From: MAILER-DAEMON@example.jp', 'To: me@example.jp', 'Subject: Undelivered Mail', '',
            '<taro@example.net>: host mx.example.net[198.51.100.25] said: 550 5.1.1', '    <taro@example.net>: Recipient address rejected: User unknown (in reply to RCPT TO command)'
        $answers = foreach ($eol in "`n", "`r`n", "`r") {
            $r = Get-BounceReason -Message ($lines -join $eol)
            '{0}|{1}|{2}' -f $r.Recipient, $r.Reason, $r.Status
        }
        $answers | Select-Object -Unique | Should -Be 'taro@example.net|UserUnknown|5.1.1'
    }

    It 'neutralizes control characters in the receiver''s text' {
        $r = Get-BounceReason -Message "550 5.1.1 User unknown `e]0;owned`a"
        $r.DiagnosticText | Should -Not -Match "[`e`a]"
        $r.DiagnosticText | Should -Match '\\x1B'
    }
}

Describe 'Get-BounceReason and control characters in the message' {
    BeforeAll {
        # "file property: value" for every string property that holds a C0 control character or DEL.
        function script:Find-ControlCharacter($Objects) {
            foreach ($o in $Objects) {
                foreach ($p in $o.PSObject.Properties) {
                    if ($p.Value -is [string] -and $p.Value -match '[\x00-\x1F\x7F]') { '{0} {1}: {2}' -f [IO.Path]::GetFileName($o.Path), $p.Name, $p.Value }
                }
            }
        }
    }

    It 'leaves no control character in any property of any object read from tests/bounces' {
        $out = @(Get-ChildItem $script:Own -Filter '*.eml' | Get-BounceReason -ErrorAction SilentlyContinue)
        $out.Count | Should -BeGreaterThan 12
        @($out | Where-Object { $_.Path -like '*esc-*' }).Count | Should -Be 3
        Find-ControlCharacter $out | Should -BeNullOrEmpty
    }

    It 'neutralizes ESC in the Action and Last-Attempt-Date fields of a crafted DSN' {
        $r = @(Get-Own 'esc-dsn.eml')
        $r.Count | Should -Be 1
        $r[0].Recipient | Should -Be 'user@example.org'
        $r[0].Status | Should -Be '5.7.1'
        $r[0].Action | Should -Be 'failed\x1B[31m'
        $r[0].Date | Should -Be 'Mon, 1 Jan 2026\x1B[2J'
        Find-ControlCharacter $r | Should -BeNullOrEmpty
    }

    It 'neutralizes control characters in the status, action and address of an ESP JSON notification' {
        $r = @(Get-Own 'esc-ses.eml')
        $r.Count | Should -Be 1
        $r[0].Recipient | Should -Be 'user\x1B[2J@example.org'
        $r[0].Action | Should -Be 'failed\x1B[31m'
        $r[0].Status | Should -Be '5.0.0\x1B]0;pwned\x07'
        $r[0].DiagnosticText | Should -Match 'mailbox gone\\x1B\[0m'
        Find-ControlCharacter $r | Should -BeNullOrEmpty
    }

    It 'neutralizes ESC in a feedback report''s Feedback-Type and Date' {
        $r = @(Get-Own 'esc-feedback.eml')
        $r.Count | Should -Be 1
        $r[0].Reason | Should -Be 'Feedback'
        $r[0].Action | Should -Be 'abuse\x1B[31m'
        $r[0].Date | Should -Be 'Mon, 1 Jan 2026 00:00:00 +0000\x1B[2J'
        Find-ControlCharacter $r | Should -BeNullOrEmpty
    }

    It 'neutralizes control characters in a whole message given with -Message' {
        $text = [IO.File]::ReadAllText((Join-Path $script:Own 'esc-dsn.eml'))
        $r = @(Get-BounceReason -Message $text)
        $r.Count | Should -Be 1
        $r[0].Action | Should -Be 'failed\x1B[31m'
        Find-ControlCharacter $r | Should -BeNullOrEmpty
    }
}

Describe 'Get-BounceReason into Test-Dnsbl' {
    It 'exposes the sending IP as IPAddress' {
        (Get-Own 'postfix-spamhaus.eml' | Select-Object IPAddress).IPAddress | Should -Be '203.0.113.45'
    }

    It 'binds IPAddress to Test-Dnsbl by property name' {
        (Get-Command Test-Dnsbl).Parameters.IPAddress.Attributes |
            Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] } |
            ForEach-Object ValueFromPipelineByPropertyName | Should -Contain $true
        # A closed port answers nothing: only the binding is checked, not a verdict.
        $results = Get-Own 'postfix-spamhaus.eml' |
            Test-Dnsbl -Zone x.invalid -Server 127.0.0.1:9 -TimeoutSec 0.2 -Retry 0 -WarningAction SilentlyContinue -ErrorAction SilentlyContinue
        @($results).Count | Should -BeGreaterThan 0
        $results | ForEach-Object { $_.Input | Should -Be '203.0.113.45' }
    }
}

Describe 'Get-BounceReason input errors' {
    It 'writes <Id> for <File> and goes on with the next input' -ForEach @(
        @{ File = 'empty.eml'; Id = 'EmptyInput' }
        @{ File = 'binary.bin'; Id = 'BinaryInput' }
    ) {
        $paths = (Join-Path $script:Own $File), (Join-Path $script:Own 'postfix-spamhaus.eml')
        $out = Get-BounceReason -LiteralPath $paths -ErrorAction SilentlyContinue -ErrorVariable errs
        @($out).Count | Should -Be 1
        $out.Reason | Should -Be 'Blocked'
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike "$Id,*"
        $errs[0].TargetObject | Should -Be (Join-Path $script:Own $File)
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidData'
    }

    It 'skips a file over 10 MB with InputTooLarge' {
        $huge = Join-Path $TestDrive 'huge.eml'
        $stream = [IO.File]::Create($huge); $stream.SetLength(11MB); $stream.Dispose()
        $out = Get-BounceReason -LiteralPath $huge -ErrorAction SilentlyContinue -ErrorVariable errs
        $out | Should -BeNullOrEmpty
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'InputTooLarge,*'
        $errs[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
    }

    It 'writes PathNotFound for a missing file' {
        $missing = Join-Path $TestDrive 'nope.eml'
        Get-BounceReason -Path $missing -ErrorAction SilentlyContinue -ErrorVariable errs | Should -BeNullOrEmpty
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'PathNotFound,*'
        $errs[0].TargetObject | Should -Be $missing
    }

    It 'writes NotAMessage for text that is neither mail nor an SMTP reply' {
        Get-BounceReason -Message 'hello world' -ErrorAction SilentlyContinue -ErrorVariable errs | Should -BeNullOrEmpty
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'NotAMessage,*'
        $errs[0].TargetObject | Should -Be 'hello world'
    }

    It 'writes EmptyInput for an empty -Message and continues with the next one' {
        $out = '', '550 5.1.1 User unknown' | Get-BounceReason -ErrorAction SilentlyContinue -ErrorVariable errs
        $out.Reason | Should -Be 'UserUnknown'
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'EmptyInput,*'
    }

    It 'writes EmptyInput for $null and '''' members of -Message and goes on with the others' {
        $errs = $null
        $out = @(Get-BounceReason -Message @('550 5.1.1 User unknown', $null, '', '550 5.2.2 Mailbox full') -ErrorAction SilentlyContinue -ErrorVariable errs)
        $out.Count | Should -Be 2
        $out.Reason | Should -Be @('UserUnknown', 'MailboxFull')
        $errs.Count | Should -Be 2
        $errs | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'EmptyInput,*' }
        $errs | ForEach-Object { $_.CategoryInfo.Category | Should -Be 'InvalidData' }
    }

    It 'writes the module''s own EmptyInput for a piped $null, localized like the one for ''''' {
        $errs = $null
        $out = @('550 5.1.1 User unknown', $null, '' | Get-BounceReason -ErrorAction SilentlyContinue -ErrorVariable errs)
        $out.Count | Should -Be 1
        $out[0].Reason | Should -Be 'UserUnknown'
        $errs.Count | Should -Be 2
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'EmptyInput,*'
        $errs[1].FullyQualifiedErrorId | Should -BeLike 'EmptyInput,*'
        $errs[0].Exception.Message | Should -Be $errs[1].Exception.Message
        $ja = Invoke-InCulture 'ja-JP' '$null | Get-BounceReason -ErrorAction SilentlyContinue -ErrorVariable e; $e[0].FullyQualifiedErrorId; $e[0].Exception.Message'
        $ja.Count | Should -Be 2
        $ja[0] | Should -BeLike 'EmptyInput,*'
        $ja[1] | Should -Match '[\p{IsHiragana}\p{IsKatakana}\p{IsCJKUnifiedIdeographs}]'
    }

    It 'answers every truncated or damaged message with an object or an error, never a terminating error' {
        $rand = [Random]::new(7)
        $files = Get-ChildItem (Join-Path $script:Corpus 'maildir/bsd') -Filter '*.eml' | Select-Object -First 40
        $inputs = foreach ($f in $files) {
            $bytes = [IO.File]::ReadAllBytes($f.FullName)
            foreach ($k in 1..3) {
                $cut = $rand.Next(1, $bytes.Length)
                [Text.Encoding]::UTF8.GetString($bytes, 0, $cut)
            }
        }
        $out = @($inputs | Get-BounceReason -ErrorAction SilentlyContinue -ErrorVariable errs)
        ($out.Count + $errs.Count) | Should -BeGreaterOrEqual $inputs.Count
        $errs | ForEach-Object { $_.FullyQualifiedErrorId | Should -Match '^(NotAMessage|EmptyInput|BinaryInput),' }
    }

    It 'does not hang on a long line without line ends' {
        $text = 'Subject: x' + "`n`n" + ('a' * 2MB)
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $null = Get-BounceReason -Message $text -ErrorAction SilentlyContinue
        # A hang guard, not a speed target: generous so a loaded CI machine does not fail it.
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 60
    }
}

Describe 'Get-BounceReason paths, mbox and Maildir' {
    BeforeAll {
        $script:Spamhaus = [IO.File]::ReadAllText((Join-Path $script:Own 'postfix-spamhaus.eml'))
        $script:M365 = [IO.File]::ReadAllText((Join-Path $script:Own 'm365-5.7.606.eml'))
    }

    It 'expands wildcards in -Path' {
        $out = Get-BounceReason -Path (Join-Path $script:Own 'gmail-*.eml')
        $out.Reason | Sort-Object | Should -Be @('Blocked', 'RequirePtr')
    }

    It 'takes -LiteralPath as written, brackets included' {
        $dir = Join-Path $TestDrive 'lit'; $null = New-Item -ItemType Directory $dir
        $file = Join-Path $dir 'bounce[1].eml'
        [IO.File]::WriteAllText($file, $script:Spamhaus)
        (Get-BounceReason -LiteralPath $file).Reason | Should -Be 'Blocked'
    }

    It 'binds Get-ChildItem output through PSPath' {
        $out = Get-ChildItem $script:Own -Filter 'postfix-*.eml' | Get-BounceReason
        $out.Reason | Sort-Object | Should -Be @('Blocked', 'ReceiverDnsblError')
    }

    It 'splits an mbox file into its messages' {
        $mbox = Join-Path $TestDrive 'bounces.mbox'
        $text = "From MAILER-DAEMON Mon Apr 13 10:00:02 2026`n" + ($script:Spamhaus -replace "`r`n", "`n") + "`n" +
                "From MAILER-DAEMON Mon Apr 13 10:01:02 2026`n" + ($script:M365 -replace "`r`n", "`n") + "`n"
        [IO.File]::WriteAllText($mbox, $text)
        $out = Get-BounceReason -LiteralPath $mbox
        $out.Count | Should -Be 2
        $out.MessageNumber | Should -Be @(1, 2)
        $out.Recipient | Should -Be @('taro@example.net', 'jiro@contoso.example')
    }

    It 'reads cur and new of a Maildir folder' {
        $maildir = Join-Path $TestDrive 'Maildir'
        foreach ($d in 'cur', 'new', 'tmp') { $null = New-Item -ItemType Directory (Join-Path $maildir $d) }
        [IO.File]::WriteAllText((Join-Path $maildir 'cur/1712970002.1.host:2,S'), $script:Spamhaus)
        [IO.File]::WriteAllText((Join-Path $maildir 'new/1712970062.2.host'), $script:M365)
        $out = Get-BounceReason -Path $maildir
        $out.Recipient | Sort-Object | Should -Be @('jiro@contoso.example', 'taro@example.net')
    }

    It 'writes flat objects: every column is a scalar in Export-Csv' {
        $csv = Get-ChildItem $script:Own -Filter '*.eml' | Get-BounceReason -ErrorAction SilentlyContinue | ConvertTo-Csv
        ($csv -join "`n") | Should -Not -Match 'System\.(Object|String)\['
        ($csv[0] -split ',').Count | Should -Be 19
    }
}

Describe 'Get-BounceReason texts and help' {
    BeforeAll {
        $script:Reasons = [MailBlacklist.Engine.Bounces.BounceRules]::Default.ReasonNames
    }

    It 'knows the reasons it can report' {
        $script:Reasons | Should -Contain 'ReceiverDnsblError'
        $script:Reasons | Should -Contain 'NotABounce'
        $script:Reasons.Count | Should -BeGreaterThan 30
    }

    It 'has the same keys in BounceStrings.resx and BounceStrings.ja-JP.resx' {
        $dir = Join-Path $PSScriptRoot '../src/MailBlacklist.Engine/Resources'
        $en = ([xml](Get-Content -Raw (Join-Path $dir 'BounceStrings.resx'))).root.data.name | Sort-Object
        $ja = ([xml](Get-Content -Raw (Join-Path $dir 'BounceStrings.ja-JP.resx'))).root.data.name | Sort-Object
        Compare-Object $en $ja | Should -BeNullOrEmpty
    }

    It 'has a Cause and a Fix for every reason in <_>' -ForEach @('en-US', 'ja-JP') {
        $culture = $_
        $texts = Invoke-InCulture $culture @'
foreach ($r in [MailBlacklist.Engine.Bounces.BounceRules]::Default.ReasonNames) {
    [pscustomobject]@{ Reason = $r; Cause = [MailBlacklist.Engine.Text.Messages]::Get("Cause_$r", [cultureinfo]::CurrentUICulture); Fix = [MailBlacklist.Engine.Text.Messages]::Get("Fix_$r", [cultureinfo]::CurrentUICulture) }
}
'@
        $texts.Count | Should -Be $script:Reasons.Count
        foreach ($t in $texts) {
            $t.Cause | Should -Not -Be "Cause_$($t.Reason)" -Because "$($t.Reason) needs a cause in $culture"
            $t.Fix | Should -Not -Be "Fix_$($t.Reason)" -Because "$($t.Reason) needs a fix in $culture"
            if ($culture -eq 'ja-JP') { $t.Cause + $t.Fix | Should -Match '\p{IsHiragana}' -Because "$($t.Reason) must be in Japanese" }
            else { $t.Cause + $t.Fix | Should -Not -Match '\p{IsHiragana}' }
        }
    }

    It 'localizes Cause, Fix and error messages for a ja-JP user' {
        $out = Invoke-InCulture 'ja-JP' @'
Get-BounceReason -Message '550 5.1.1 User unknown'
Get-BounceReason -Message '' -ErrorAction SilentlyContinue -ErrorVariable e; $e[0].Exception.Message
'@
        $out[0].Cause | Should -Match '\p{IsHiragana}'
        $out[1] | Should -Match '\p{IsHiragana}'
    }

    It 'has complete help in <_>' -ForEach @('en-US', 'ja-JP') {
        $help = Invoke-InCulture $_ 'Get-Help Get-BounceReason -Full'
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match '^\s*Get-BounceReason'
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 4
        ($help.Examples.Example.Code -join "`n") | Should -Match 'Test-Dnsbl'
        $documented = $help.Parameters.Parameter | Where-Object { $_.Description.Text } | ForEach-Object Name
        foreach ($p in 'Path', 'LiteralPath', 'Message') { $documented | Should -Contain $p }
        if ($_ -eq 'ja-JP') { $help.Synopsis | Should -Match '\p{IsHiragana}' }
    }
}
