#Requires -Version 7.0
# Get-BounceReason on report layouts found while measuring held-out bounces (issue 9): where the
# recipient and the receiver's words are in a notice whose structure is not the usual one. Each
# case is a minimal notice written here from the layout an MTA uses, not a copy of any sample.
# Needs no DNS server.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    function New-Notice([string] $From, [string] $Subject, [string] $ContentType, [string[]] $Body) {
        @(
            "From: $From"
            'To: sender@example.org'
            "Subject: $Subject"
            'Date: Mon, 02 Nov 2026 10:00:00 +0000'
            'Message-ID: <notice.2@example.net>'
            'MIME-Version: 1.0'
            "Content-Type: $ContentType"
            ''
        ) + $Body -join "`n"
    }
}

Describe 'Get-BounceReason: a notice that quotes the original''s header fields before its verdict' {
    # Oracle (Sun) Messaging Server indents the original's Message-id, Date, From... above the
    # recipients: an indented header line is a quote, not the start of the returned message.
    It 'reads every recipient after the quoted fields' {
        $text = New-Notice -From 'postmaster@mail.example.net' -Subject 'Delivery Notification: Delivery has failed' `
            -ContentType 'text/plain; charset=us-ascii' -Body @(
            'This report relates to a message you sent with the following header fields:', ''
            '  Message-id: <original.1@example.org>', '  Date: Mon, 02 Nov 2026 09:59:00 +0000'
            '  From: sender@example.org', '  To: list@example.net', '  Subject: hello', ''
            'Your message cannot be delivered to the following recipients:', ''
            '  Recipient address: first@example.net', '  Reason: Remote SMTP server has rejected address'
            '  Diagnostic code: smtp; 550 5.1.1 unknown or illegal alias: first@example.net', ''
            'Final-recipient: rfc822;first@example.net', 'Action: failed', 'Status: 5.1.1'
            'Diagnostic-code: smtp; 550 5.1.1 unknown or illegal alias: first@example.net')
        $r = @(Get-BounceReason -Message $text)
        $r.Recipient | Should -Be @('first@example.net')
        $r[0].Reason | Should -Be 'UserUnknown'
    }

    It 'still cuts the returned message at a header line that starts at the margin' {
        $text = New-Notice -From 'MAILER-DAEMON@mx.example.org' -Subject 'failure notice' -ContentType 'text/plain' -Body @(
            'Delivery to the following recipient failed permanently:', '', '    gone@example.net', ''
            'Technical details: 550 5.1.1 user unknown', ''
            'Received: from a.example.org by b.example.org', 'From: sender@example.org'
            'To: other@example.com', 'Subject: mentions 552 5.2.2 mailbox full', '', 'body')
        $r = @(Get-BounceReason -Message $text)
        $r.Recipient | Should -Be @('gone@example.net')
        $r[0].Reason | Should -Be 'UserUnknown'
    }
}

Describe 'Get-BounceReason: the returned message quoted inline names the recipient' {
    # Lotus Notes and old Sendmail name no address in the notice; the returned message follows
    # as text, with its header folding often broken, and its To: is the recipient.
    It 'takes the recipient from the To: after "<Marker>"' -ForEach @(
        @{ Marker = '------- Returned Message --------'; Reason = 'NetworkError'; Words = @(
            '------- Failure Reasons --------', '', 'Message has exceeded maximum hop count', '') }
        @{ Marker = '   ----- Unsent message follows -----'; Reason = 'Expired'; Words = @(
            '   ----- Transcript of session follows -----'
            '421 example.net (smtp)... Deferred: Connection timed out during user open with example.net', '') }
    ) {
        $body = $Words + @($Marker, 'Received: from relay.example.org (relay [192.0.2.4]) by gw.example.net with SMTP;'
            'by gw.example.net with SMTP id 1', 'From: Sender <sender@example.org>', 'To: Friend <friend@example.net>'
            'Subject: hello', '', 'hello')
        $r = @(Get-BounceReason -Message (New-Notice -From 'postmaster@gw.example.net' -Subject 'Undeliverable message' -ContentType 'text/plain' -Body $body))
        $r.Count | Should -Be 1
        $r[0].Recipient | Should -Be 'friend@example.net'
        $r[0].Reason | Should -Be $Reason
    }
}

Describe 'Get-BounceReason: a Final-Recipient with no mailbox' {
    It 'takes the address the notice''s text names for "Final-Recipient: rfc822; @host"' {
        $text = New-Notice -From 'Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>' -Subject 'Returned mail: see transcript for details' `
            -ContentType 'multipart/report; report-type=delivery-status; boundary="b1"' -Body @(
            '--b1', '', '   ----- The following addresses had permanent fatal errors -----', '<lost@example.com>'
            '    (reason: 550 Host unknown)', ''
            '--b1', 'Content-Type: message/delivery-status', ''
            'Reporting-MTA: dns; mx.example.org', '', 'Final-Recipient: RFC822; @mx.example.com', 'Action: failed', 'Status: 5.1.2'
            '--b1--')
        $r = @(Get-BounceReason -Message $text)
        $r.Count | Should -Be 1
        $r[0].Recipient | Should -Be 'lost@example.com'
        $r[0].Reason | Should -Be 'HostUnknown'
    }
}
