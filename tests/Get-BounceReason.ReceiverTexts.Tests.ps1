#Requires -Version 7.0
# Get-BounceReason on real receivers' rejection texts as people paste them with -Message: SMTP
# replies, "host X said:" transcripts, Postfix/Exim/Sendmail log lines. Each row of
# tests/bounces/receiver-texts.tsv names its public source; sending addresses were replaced with
# documentation addresses. Needs no DNS server.

BeforeDiscovery {
    # One test case per row; "\n" in a cell is a line break, "\\" a backslash.
    $path = Join-Path $PSScriptRoot 'bounces/receiver-texts.tsv'
    $lines = Get-Content -LiteralPath $path -Encoding utf8
    $columns = $lines[0] -split "`t"
    $script:Rows = foreach ($line in $lines | Select-Object -Skip 1) {
        if (-not $line) { continue }
        $cells = $line -split "`t"
        $row = @{}
        for ($i = 0; $i -lt $columns.Count; $i++) {
            $value = if ($i -lt $cells.Count) { $cells[$i] } else { '' }
            $row[$columns[$i]] = [regex]::Replace($value, '\\(.)', { param($m) if ($m.Groups[1].Value -eq 'n') { "`n" } else { $m.Groups[1].Value } })
        }
        $row['Name'] = ($row.text -replace '\s+', ' ').Substring(0, [Math]::Min(70, ($row.text -replace '\s+', ' ').Length))
        $row
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    function ConvertTo-Expected([string] $Value) { if ($Value) { $Value } else { $null } }
}

Describe 'Get-BounceReason on receivers'' own texts' {
    It 'has at least 50 texts, each with its source' -ForEach @(@{ Sources = @($script:Rows | ForEach-Object { $_.source }) }) {
        $Sources.Count | Should -BeGreaterOrEqual 50
        $Sources | ForEach-Object { $_ | Should -Match '^https?://' }
    }

    It 'reads <Name>' -ForEach $script:Rows {
        $r = @(Get-BounceReason -Message $text)
        $r.Count | Should -Be 1
        $r[0].Reason | Should -Be $reason
        $r[0].IPAddress | Should -Be (ConvertTo-Expected $ip)
        $r[0].Blocklist | Should -Be (ConvertTo-Expected $blocklist)
        $r[0].ProviderCode | Should -Be (ConvertTo-Expected $code)
        $r[0].Url | Should -Be (ConvertTo-Expected $url)
    }
}
