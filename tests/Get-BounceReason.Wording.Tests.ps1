#Requires -Version 7.0
# Get-BounceReason on wordings found while measuring held-out bounces (tests/Measure-HeldOutBounces.ps1):
# each case is a minimal bounce written here from the wording a real MTA or provider uses, not a copy
# of any sample. Needs no DNS server.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    # A plain-text notice (no DSN part) as an MTA without RFC 3464 reports sends it.
    function New-PlainBounce([string] $From, [string] $Subject, [string[]] $Body) {
        @(
            "From: $From"
            'To: sender@example.org'
            "Subject: $Subject"
            'Date: Mon, 02 Nov 2026 10:00:00 +0000'
            'Message-ID: <notice.1@example.net>'
            'MIME-Version: 1.0'
            'Content-Type: text/plain; charset=us-ascii'
            ''
        ) + $Body -join "`n"
    }

    # The one result a single-recipient notice must give.
    function Read-OnlyResult([string] $Text) {
        $r = @(Get-BounceReason -Message $Text)
        $r.Count | Should -Be 1
        $r[0]
    }
}

Describe 'Get-BounceReason: the reporting server''s own directory answer (Ipswitch IMail)' {
    It 'reads "<wording>" as UserUnknown, not a filter''s verdict' -ForEach @(
        @{ Wording = 'Unknown user: nobody@example.net' }
        @{ Wording = 'Invalid final delivery userid: nobody@example.net' }
    ) {
        $text = New-PlainBounce -From '"Postmaster" <postmaster@example.net>' -Subject 'Undeliverable Mail' -Body @(
            $Wording, '', '', 'Original message follows.', '', 'From: sender@example.org', 'To: nobody@example.net', 'Subject: hello', '', 'hello')
        $r = Read-OnlyResult $text
        $r.Recipient | Should -Be 'nobody@example.net'
        $r.Reason | Should -Be 'UserUnknown'
        $r.HardBounce | Should -BeTrue
    }

    It 'still reads a status-less "user unknown" said after the message data as a filter''s verdict' {
        $r = @(Get-BounceReason -Message '550 user unknown (in reply to end of DATA command)')
        $r[0].Reason | Should -Be 'Filtered'
    }
}

Describe 'Get-BounceReason: a mailbox full by message count (BIGLOBE)' {
    It 'reads "number of messages in recipient''s mailbox exceeded the local limit" as MailboxFull' {
        $text = New-PlainBounce -From 'postmaster@isp.example.jp' -Subject 'Returned mail: Service unavailable' -Body @(
            '   ----- The following addresses had delivery problems -----'
            'full@isp.example.jp'
            ''
            '   ----- Non-delivered information -----'
            "The number of messages in recipient's mailbox exceeded the local limit.")
        $r = Read-OnlyResult $text
        $r.Recipient | Should -Be 'full@isp.example.jp'
        $r.Reason | Should -Be 'MailboxFull'
    }
}

Describe 'Get-BounceReason: a delay notice whose receiver says why (OpenSMTPD)' {
    It 'lets "<why>" beat the notice''s own "only a temporary failure report"' -ForEach @(
        @{ Why = 'Network error on destination MXs'; Reason = 'NetworkError' }
        @{ Why = 'Envelope expired'; Reason = 'Expired' }
    ) {
        $text = New-PlainBounce -From 'Mailer Daemon <MAILER-DAEMON@mx.example.org>' -Subject 'Delivery status notification: warning' -Body @(
            '    Hi!'
            ''
            '    This is the MAILER-DAEMON, please DO NOT REPLY to this e-mail.'
            ''
            '    A message is delayed for more than 10 minutes for the following'
            '    list of recipients:'
            ''
            "late@example.net: $Why"
            ''
            '    Please note that this is only a temporary failure report.'
            '    The message is kept in the queue for up to 4 days.'
            '    You DO NOT NEED to re-send the message to these recipients.')
        $r = Read-OnlyResult $text
        $r.Recipient | Should -Be 'late@example.net'
        $r.Reason | Should -Be $Reason
    }
}

Describe 'Get-BounceReason: the SMTP command decides when the words say little' {
    It 'reads a bare "5.7.1 Access denied" answered to MAIL FROM as the sender refused (Postfix report)' {
        $r = @(Get-BounceReason -Message '<user@example.net>: host mx.example.net[203.0.113.9] said: 550 5.7.1 Access denied (in reply to MAIL FROM command)')
        $r[0].Command | Should -Be 'MAIL'
        $r[0].Reason | Should -Be 'Rejected'
    }

    It 'keeps SecurityError when the refusal of MAIL FROM names authentication' {
        $r = @(Get-BounceReason -Message '<user@example.net>: host mx.example.net[203.0.113.9] said: 550 5.7.1 Authentication required (in reply to MAIL FROM command)')
        $r[0].Reason | Should -Be 'SecurityError'
    }

    # The report's own words name the command: qmail-remote's "does not like recipient" (so a 5.2.1
    # "User Unknown" stays UserUnknown), Sendmail's transcript with a reply before any ">>>" line.
    It 'reads the <Name> as a refusal at <Command>' -ForEach @(
        @{ Name = 'qmail notice'; Command = 'RCPT'; Reason = 'UserUnknown'; Recipient = 'gone@example.net'
           From = 'MAILER-DAEMON@mx.example.org'; Subject = 'failure notice'; Body = @(
            'Hi. This is the qmail-send program at mx.example.org.'
            "I'm afraid I wasn't able to deliver your message to the following addresses."
            "This is a permanent error; I've given up. Sorry it didn't work out."
            '', '<gone@example.net>:', '203.0.113.7 does not like recipient.'
            'Remote host said: 550 5.2.1 <gone@example.net>... User Unknown', 'Giving up on 203.0.113.7.') }
        @{ Name = 'Sendmail transcript'; Command = 'CONN'; Reason = 'Blocked'; Recipient = 'someone@example.net'
           From = 'Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>'; Subject = 'Returned mail: see transcript for details'; Body = @(
            '   ----- The following addresses had permanent fatal errors -----', '<someone@example.net>'
            '    (reason: 554 mx1.example.net ESMTP not accepting connections)', ''
            '   ----- Transcript of session follows -----', '... while talking to mx1.example.net.:'
            '<<< 554 mx1.example.net ESMTP not accepting connections', '>>> QUIT', '554 5.0.0 Service unavailable') }
    ) {
        $r = Read-OnlyResult (New-PlainBounce -From $From -Subject $Subject -Body $Body)
        $r.Recipient | Should -Be $Recipient
        $r.Command | Should -Be $Command
        $r.Reason | Should -Be $Reason
    }
}

Describe 'Get-BounceReason: whose choice the refusal was' {
    # Each case: the receiver's words, then " => " and the reason they must give.
    It 'reads <_>' -ForEach @(
        # The recipient's own settings, even when the provider says 5.1.1 (Facebook's RCP-P2).
        '550 5.1.1 RCP-P2 http://postmaster.example.com/codes#rcp Refused due to recipient preferences => Filtered'
        # An envelope address on a list is about the address, not the sending host.
        '"Sorry, you are sending to/from an address that has been blacklisted" => Rejected'
        '554 Your IP address 192.0.2.1 has been blacklisted => Blocked'
        # "User unknown" with a policy code (5.7.x) and no RCPT: the receiver's filter said it.
        '550 5.7.1 550 User Unknown: someone@example.net => Filtered'
        '550 5.7.1 <someone@example.net>: User unknown (in reply to RCPT TO command) => UserUnknown'
    ) {
        $text, $reason = $_ -split ' => '
        (@(Get-BounceReason -Message $text))[0].Reason | Should -Be $reason
    }
}

Describe 'Get-BounceReason: STARTTLS as a capability and as a failure' {
    It 'does not read the EHLO capability line 250-STARTTLS as a TLS failure' {
        # Postfix's "errors from" notice to the postmaster: the server's own EHLO answer lists
        # STARTTLS, and the failure is a queue write error after DATA.
        $text = @(
            'Transcript of session follows.'
            ''
            ' Out: 220 mx.example.net ESMTP'
            ' In:  EHLO client.example.org'
            ' Out: 250-mx.example.net'
            ' Out: 250-PIPELINING'
            ' Out: 250-STARTTLS'
            ' Out: 250 8BITMIME'
            ' In:  MAIL FROM:<sender@example.org>'
            ' Out: 250 2.1.0 Ok'
            ' In:  RCPT TO:<nobody@example.net>'
            ' Out: 250 2.1.5 Ok'
            ' In:  DATA'
            ' Out: 354 End data with <CR><LF>.<CR><LF>'
            ' Out: 451 4.3.0 Error: queue file write error'
            ' In:  QUIT'
        ) -join "`n"
        $r = (@(Get-BounceReason -Message $text))[0]
        $r.Reason | Should -Not -Be 'FailedStartTls'
        $r.Reason | Should -Not -BeNullOrEmpty
    }
    It 'reads <_>' -ForEach @(
        '530 5.7.0 Must issue a STARTTLS command first => FailedStartTls'
        '454 4.7.0 STARTTLS failed: TLS not available due to local problem => FailedStartTls'
        '550 5.7.1 Unable to deliver: this server is not configured to relay mail for example.net => NoRelaying'
    ) {
        $text, $reason = $_ -split ' => '
        (@(Get-BounceReason -Message $text))[0].Reason | Should -Be $reason
    }
}

Describe 'Get-BounceReason: the recipient''s domain cannot be found or reached' {
    It 'reads <_>' -ForEach @(
        # No status code: the words alone must say it.
        'Your message to nobody@example.net could not be delivered: the domain is not reachable => HostUnknown'
        'Host or domain name not found. Name service error for name=example.net type=MX => HostUnknown'
    ) {
        $text, $reason = $_ -split ' => '
        (@(Get-BounceReason -Message $text))[0].Reason | Should -Be $reason
    }
}
