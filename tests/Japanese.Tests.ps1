# The Japanese texts follow one voice (../shared/notes/japanese.md): the glossary's words, no
# 「あなた」, about topics wrapped without splitting a katakana word or a number from its counter,
# a synopsis line that is a whole sentence, Japanese help without English leftovers, and Japanese
# output for the bare "ja" culture as well as ja-JP.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:Root = Join-Path $PSScriptRoot '..'
    $script:JapaneseChar = '[\u3040-\u30ff\u4e00-\u9fff]'

    # Every Japanese text the module shows, as (where, text) pairs: help, about topics, resx values,
    # the catalogue's Japanese fields.
    function script:Get-JapaneseText {
        $help = [xml](Get-Content (Join-Path $Root 'ja-JP/MailBlacklist.dll-Help.xml') -Raw -Encoding utf8)
        foreach ($node in $help.SelectNodes('//text()')) {
            if ($node.ParentNode.LocalName -ne 'code') { [pscustomobject]@{ Where = 'ja-JP help'; Text = $node.Value } }
        }
        foreach ($file in Get-ChildItem (Join-Path $Root 'ja-JP') -Filter 'about_*.help.txt') {
            # Joined so that a word split across lines is still seen whole.
            $text = (Get-Content $file.FullName -Encoding utf8 | ForEach-Object { $_.Trim() }) -join ''
            [pscustomobject]@{ Where = $file.Name; Text = $text }
        }
        foreach ($file in Get-ChildItem (Join-Path $Root 'src') -Recurse -Filter '*.ja-JP.resx') {
            foreach ($d in ([xml](Get-Content $file.FullName -Raw -Encoding utf8)).root.data) {
                [pscustomobject]@{ Where = "$($file.Name) $($d.name)"; Text = $d.value }
            }
        }
        $catalog = Get-Content (Join-Path $Root 'src/MailBlacklist.Engine/Data/catalog.json') -Raw -Encoding utf8
        foreach ($m in [regex]::Matches($catalog, '"(?:meaningJa|removalInfoJa)"\s*:\s*"((?:[^"\\]|\\.)*)"')) {
            [pscustomobject]@{ Where = 'catalog.json'; Text = [regex]::Unescape($m.Groups[1].Value) }
        }
    }

    function script:Get-Width([string] $Line) {
        $w = 0
        foreach ($c in $Line.ToCharArray()) { $w += if ([int]$c -ge 0x1100 -and ([regex]::IsMatch("$c", '[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]'))) { 2 } else { 1 } }
        $w
    }
}

Describe 'Japanese texts' {
    It 'use the glossary''s words, never the ones it rules out (<Word>)' -ForEach @(
        @{ Word = 'あなた'; Pattern = 'あなた' }
        @{ Word = 'ブロックリスト'; Pattern = 'ブロックリスト' }
        @{ Word = '削除を申請 / 削除申請'; Pattern = '削除を?申請' }
        @{ Word = 'ホスティング会社'; Pattern = 'ホスティング会社' }
        @{ Word = 'プロバイダ'; Pattern = 'プロバイダ(?!ー)' }
        @{ Word = 'フルリゾルバー'; Pattern = 'フルリゾルバー' }
        @{ Word = 'キャッシュ DNS サーバー'; Pattern = 'キャッシュ ?DNS' }
        @{ Word = '送信アドレス / 送信元アドレス'; Pattern = '送信(?:元)?アドレス' }
        @{ Word = '評判 alone'; Pattern = '(?<!レピュテーション（)評判' }
        @{ Word = '不正中継'; Pattern = '不正中継' }
        @{ Word = 'PC を駆除'; Pattern = '(?:PC|パソコン) ?(?:を|の)駆除' }
    ) {
        $bad = @(Get-JapaneseText | Where-Object { $_.Text -match $Pattern })
        $bad.Count | Should -Be 0 -Because "these texts use $($Word): $(($bad | ForEach-Object { "$($_.Where): $($_.Text.Substring(0, [Math]::Min(60, $_.Text.Length)))" }) -join ' | ')"
    }

    It 'catches a ruled-out word when one is there (the check itself works)' {
        $probe = [pscustomobject]@{ Where = 'probe'; Text = 'あなたのサーバーがブロックリストに' }
        $probe.Text | Should -Match 'あなた'
        $probe.Text | Should -Match 'ブロックリスト'
        'レピュテーション（評判）' | Should -Not -Match '(?<!レピュテーション（)評判'
        '評判の回復' | Should -Match '(?<!レピュテーション（)評判'
    }

    It 'put a space between Japanese and Latin words or numbers in the resx texts' {
        $bad = @(Get-JapaneseText | Where-Object { $_.Where -like '*.resx *' -and $_.Text -match '[\u3040-\u30fa\u30fc-\u30ff\u4e00-\u9fff][A-Za-z0-9]|[A-Za-z0-9][\u3040-\u30fa\u30fc-\u30ff\u4e00-\u9fff]' })
        $bad.Where | Should -BeNullOrEmpty
    }
}

Describe 'Japanese help' {
    BeforeAll { $script:Help = [xml](Get-Content (Join-Path $Root 'ja-JP/MailBlacklist.dll-Help.xml') -Raw -Encoding utf8) }

    It 'has Japanese example titles, no "Example 1"' {
        $titles = $Help.SelectNodes("//*[local-name()='example']/*[local-name()='title']") | ForEach-Object InnerText
        $titles.Count | Should -BeGreaterThan 10
        $titles | Where-Object { $_ -match 'Example' -or $_ -notmatch $JapaneseChar } | Should -BeNullOrEmpty
    }

    It 'has no English default values' {
        foreach ($p in $Help.SelectNodes("//*[local-name()='parameter']")) {
            $default = $p.SelectSingleNode("*[local-name()='defaultValue']").InnerText
            if (-not $default) { continue }
            $allowed = @($p.SelectNodes(".//*[local-name()='parameterValueGroup']/*") | ForEach-Object InnerText) + 'True', 'False'
            ($default -match $JapaneseChar -or $default -match '^\d+$' -or $default -in $allowed) |
                Should -BeTrue -Because "-$($p.SelectSingleNode("*[local-name()='name']").InnerText) has the default '$default'"
        }
    }
}

Describe 'About topics' {
    It 'wraps <Name> without splitting a katakana word or a number from its counter' -ForEach @(
        foreach ($f in Get-ChildItem (Join-Path $PSScriptRoot '../ja-JP') -Filter 'about_*.help.txt') { @{ Name = $f.Name; Path = $f.FullName } }
    ) {
        $lines = @(Get-Content $Path -Encoding utf8)
        for ($i = 0; $i -lt $lines.Count - 1; $i++) {
            $a = $lines[$i].TrimEnd(); $b = $lines[$i + 1].Trim()
            if (-not $a -or -not $b) { continue }
            # A heading (indented less than its paragraph) is no line of that paragraph.
            if (($lines[$i].Length - $lines[$i].TrimStart().Length) -lt 4) { continue }
            # Only prose: a code line (indented 8 or more, no Japanese) may end where it likes.
            if ($a -notmatch $JapaneseChar -and $b -notmatch $JapaneseChar) { continue }
            "$a|$b" | Should -Not -Match '[\u30a1-\u30fa\u30fc]\|[\u30a1-\u30fa\u30fc]' -Because "line $($i + 1) splits a katakana word"
            "$a|$b" | Should -Not -Match '\d\|(?:[日件回個秒通行番桁年週人台つ度倍]|時間|分|か月|ヶ月|ポート)' -Because "line $($i + 1) splits a number from its counter"
        }
        foreach ($l in $lines) {
            $limit = if ($l -match $JapaneseChar) { 76 } else { 80 }
            Get-Width $l.TrimEnd() | Should -BeLessOrEqual $limit -Because "'$l' is too wide"
        }
    }

    It 'catches a split katakana word (the check itself works)' {
        'メールサー|バー' | Should -Match '[\u30a1-\u30fa\u30fc]\|[\u30a1-\u30fa\u30fc]'
        '    1|日' | Should -Match '\d\|(?:[日件回個秒通行番桁年週人台つ度倍]|時間|分|か月|ヶ月|ポート)'
    }

    It 'gives <Name> (<Culture>) a synopsis line that is a whole sentence' -ForEach @(
        foreach ($c in 'en-US', 'ja-JP') {
            foreach ($f in Get-ChildItem (Join-Path $PSScriptRoot "../$c") -Filter 'about_*.help.txt') { @{ Culture = $c; Name = $f.BaseName -replace '\.help$'; Path = $f.FullName } }
        }
    ) {
        $lines = @(Get-Content $Path -Encoding utf8)
        $i = [array]::IndexOf(($lines | ForEach-Object { $_.Trim() }), 'SHORT DESCRIPTION')
        $synopsis = $lines[$i + 1].Trim()
        if ($Culture -eq 'ja-JP') { $synopsis | Should -Match '^[^。]+。$' } else { $synopsis | Should -Match '^[A-Z][^.]+\.$' }
        # What Get-Help shows is that line.
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                param($module, $culture, $name)
                [System.Threading.Thread]::CurrentThread.CurrentUICulture = $culture
                Import-Module $module
                (Get-Help $name).Synopsis
            }).AddArgument($ModulePath).AddArgument($Culture).AddArgument($Name)
            "$($ps.Invoke())".Trim() | Should -Be $synopsis
        }
        finally { $ps.Dispose() }
    }

    It 'tells how to get Japanese output, what to do with .msg files and how to write CSV for Excel (<_>)' -ForEach @('en-US', 'ja-JP') {
        $text = Get-Content (Join-Path $PSScriptRoot "../$_/about_MailBlacklist.help.txt") -Raw -Encoding utf8
        $text | Should -Match 'ja_JP\.UTF-8'
        $text | Should -Match '\.msg'
        $text | Should -Match '-Encoding utf8BOM'
        $text | Should -Match 'Undelivered Mail Returned to Sender'
        $text | Should -Match '配信不能'
        $text | Should -Match 'blocked\s+using zen\.spamhaus\.org'
    }
}

Describe 'The bare ja culture' {
    It 'gives Japanese messages, help and about topics with LANG=ja (culture "ja")' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                param($module)
                [System.Threading.Thread]::CurrentThread.CurrentUICulture = 'ja'
                [cultureinfo]::CurrentUICulture = 'ja'
                Import-Module $module
                (Get-BounceReason -Message '550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown').Cause
                (Get-Help Test-Dnsbl).Synopsis
                (Get-Help about_MailBlacklist).Synopsis
            }).AddArgument($ModulePath)
            $out = @($ps.Invoke())
            $out.Count | Should -Be 3
            foreach ($o in $out) { "$o" | Should -Match '[\u3040-\u309f]' }
        }
        finally { $ps.Dispose() }
    }
}
