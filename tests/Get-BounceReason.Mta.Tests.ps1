#Requires -Version 7.0
# Get-BounceReason on bounces written from the MTAs' own templates (tests/bounces/mta): Postfix,
# Exim, Sendmail, qmail, OpenSMTPD, Courier, Exchange/Microsoft 365, Domino, MDaemon, James, Haraka,
# Gmail, Yahoo and au. Each row of expected.tsv names the file, the failed recipient, the reason,
# the RFC 3463 status (empty when the message states none and implies none) and the template's
# source; a report with several failed recipients has one row for each. This is a development set (written here, from the templates); the rules must not know
# its file names or addresses. Needs no DNS server.

BeforeDiscovery {
    $dir = Join-Path $PSScriptRoot 'bounces/mta'
    $lines = Get-Content -LiteralPath (Join-Path $dir 'expected.tsv') -Encoding utf8
    $columns = $lines[0] -split "`t"
    $script:Rows = foreach ($line in $lines | Select-Object -Skip 1) {
        if (-not $line) { continue }
        $cells = $line -split "`t"
        $row = @{ Dir = $dir }
        for ($i = 0; $i -lt $columns.Count; $i++) { $row[$columns[$i]] = if ($i -lt $cells.Count) { $cells[$i] } else { '' } }
        $row
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
}

Describe 'Get-BounceReason on bounces from MTA templates' {
    It 'has a row with a source for every message, from at least 12 MTAs' -ForEach @(@{ Rows = $script:Rows }) {
        $dir = $Rows[0].Dir
        $files = @(Get-ChildItem -LiteralPath $dir -Filter '*.eml' | ForEach-Object Name | Sort-Object)
        @($Rows | ForEach-Object { $_.file } | Sort-Object -Unique) | Should -Be $files
        $Rows | ForEach-Object { $_.source | Should -Match '^https?://' }
        @($Rows | ForEach-Object { ($_.file -split '-')[0] } | Sort-Object -Unique).Count | Should -BeGreaterOrEqual 12
    }

    It 'reads <file> for <recipient>' -ForEach $script:Rows {
        $results = @(Get-BounceReason -LiteralPath (Join-Path $Dir $file))
        $r = @($results | Where-Object Recipient -eq $recipient)
        $r.Count | Should -Be 1 -Because "the failed recipient is $recipient (got $($results.Recipient -join ', '))"
        $r[0].Reason | Should -Be $reason
        if ($status) { $r[0].Status | Should -Be $status }
        $r[0].HardBounce | Should -Be ($reason -in 'UserUnknown', 'HostUnknown', 'HasMoved', 'NotAccept')
    }
}

Describe 'Get-BounceReason on pasted MTA log lines' {
    BeforeDiscovery {
        # The sending MTA's own log line about one delivery (Postfix, Exim, Sendmail, qmail-send),
        # as people paste it with -Message: the code (dsn=) and the outcome (bounced, deferred, **,
        # ==, failure, deferral) are read from the line's own fields.
        $lines = Get-Content -LiteralPath (Join-Path $PSScriptRoot 'bounces/mta/log-lines.tsv') -Encoding utf8
        $columns = $lines[0] -split "`t"
        $script:LogRows = foreach ($line in $lines | Select-Object -Skip 1) {
            if (-not $line) { continue }
            $cells = $line -split "`t"
            $row = @{}
            for ($i = 0; $i -lt $columns.Count; $i++) { $row[$columns[$i]] = if ($i -lt $cells.Count) { $cells[$i] } else { '' } }
            $row['Name'] = $row.text.Substring(0, [Math]::Min(80, $row.text.Length))
            $row
        }
    }

    It 'reads <Name>' -ForEach $script:LogRows {
        $source | Should -Match '^https?://'
        $r = @(Get-BounceReason -Message $text)
        $r.Count | Should -Be 1
        $r[0].Reason | Should -Be $reason
        $r[0].Action | Should -Be $action
        if ($status) { $r[0].Status | Should -Be $status }
        if ($recipient) { $r[0].Recipient | Should -Be $recipient }
        $r[0].HardBounce | Should -Be ($action -eq 'failed' -and $reason -in 'UserUnknown', 'HostUnknown', 'HasMoved', 'NotAccept')
    }
}

Describe 'Get-BounceReason on receivers'' replies quoted in another bounce handler''s rules' {
    BeforeDiscovery {
        # Diagnostic-Code samples that PHPMailer-BMH quotes beside its rules (addresses replaced by
        # documentation ones; "\n" is a line break); the reasons are ours, in sisimai's vocabulary.
        $lines = Get-Content -LiteralPath (Join-Path $PSScriptRoot 'bounces/mta/receiver-replies.tsv') -Encoding utf8
        $script:ReplyRows = foreach ($line in $lines | Select-Object -Skip 1) {
            if (-not $line) { continue }
            $cells = $line -split "`t"
            @{ text = $cells[0] -replace '\\n', "`n"; reason = $cells[1]; source = $cells[2]; Name = $cells[0].Substring(0, [Math]::Min(80, $cells[0].Length)) }
        }
    }

    It 'reads <Name>' -ForEach $script:ReplyRows {
        $source | Should -Match '^https?://'
        $r = @(Get-BounceReason -Message $text)
        $r.Count | Should -Be 1
        $r[0].Reason | Should -Be $reason
    }
}
