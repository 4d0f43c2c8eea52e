# Export-MailDeliveryReport, rendered by a real browser: headless Chromium (Debian's chromium,
# installed by ./build.ps1 Test with the DNS lab) loads the file and dumps the DOM after its
# script ran. The rows come from the lab: Test-Dnsbl with a baseline, the diagnosis, a bounce.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:Dnsbl = @{ Server = $Lab.Dnsdist; CatalogPath = $LabCatalog; TimeoutSec = 1; Retry = 0; NoCache = $true }
    $script:Chromium = (Get-Command chromium, chromium-browser -CommandType Application -ErrorAction Ignore | Select-Object -First 1).Source
    if (-not $Chromium) { throw 'chromium is not installed: run the tests through ./build.ps1 Test, which installs it.' }

    # The DOM after load and script, as the browser serialises it. A profile of its own, so that
    # parallel runs do not share one; no sandbox, since tests run as root.
    function script:Get-RenderedDom([string] $File) {
        $profileDir = Join-Path $TestDrive ("chromium-" + [guid]::NewGuid())
        # No session bus here: say so, rather than have chromium retry one.
        $bus = $env:DBUS_SESSION_BUS_ADDRESS
        $env:DBUS_SESSION_BUS_ADDRESS = 'disabled:'
        try { $dom = & $Chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-extensions --disable-dev-shm-usage `
            "--user-data-dir=$profileDir" --dump-dom ([uri]::new($File, [UriKind]::Absolute)).AbsoluteUri 2>$null }
        finally { $env:DBUS_SESSION_BUS_ADDRESS = $bus }
        $LASTEXITCODE | Should -Be 0
        $dom = $dom -join "`n"
        $dom | Should -Match '</html>' -Because 'chromium must have loaded the page'
        $dom
    }

    # Night 1: 192.0.2.10 was not on good.bl.test and 192.0.2.99 was; tonight it is the other way.
    $base = Join-Path $TestDrive 'night1.csv'
    $night1 = Test-Dnsbl 192.0.2.10, 192.0.2.99, 192.0.2.67 -Zone good.bl.test, spamhaus.bl.test @Dnsbl
    foreach ($r in $night1) {
        if ($r.Zone -eq 'good.bl.test' -and $r.Input -eq '192.0.2.10') { $r.Status = 'NotListed' }
        if ($r.Zone -eq 'good.bl.test' -and $r.Input -eq '192.0.2.99') { $r.Status = 'Listed' }
    }
    $night1 | Export-Csv -LiteralPath $base -NoTypeInformation -Encoding utf8BOM
    $script:Rows = @(Test-Dnsbl 192.0.2.10, 192.0.2.99, 192.0.2.67 -Zone good.bl.test, spamhaus.bl.test -Baseline $base @Dnsbl)
    $script:Findings = @(Invoke-MailDeliveryDiagnosis -Domain nodmarc.diag.test -Server $Lab.Dnsdist -CatalogPath $LabCatalog -TimeoutSec 2 -Retry 0 -WarningAction SilentlyContinue)
    # A bounce whose text carries markup, as a receiver's reply (attacker-controlled) can.
    $script:Bounce = @(Get-BounceReason -Message "554 5.7.1 Service unavailable; Client host [203.0.113.5] blocked using zen.spamhaus.org; <script>document.title='pwned'</script>")
    $script:Report = Join-Path $TestDrive 'report.html'
    $script:File = $Rows + $Findings + $Bounce | Export-MailDeliveryReport -Path $Report -PassThru
    $script:Html = Get-Content -LiteralPath $Report -Raw
    $script:Dom = Get-RenderedDom $Report
}

Describe 'Export-MailDeliveryReport' {
    It 'writes one self-contained file and returns it with -PassThru' {
        $File | Should -BeOfType System.IO.FileInfo
        $File.FullName | Should -Be $Report
        # Nothing that would load from the network: no src or stylesheet links, a policy that forbids it.
        $Html | Should -Not -Match '<(script|img|link|iframe)[^>]*\s(src|href)='
        $Html | Should -Match "Content-Security-Policy"
        $Html | Should -Match "default-src 'none'"
    }

    It 'shows a script hidden in a TXT record or a bounce as text, and never runs it' {
        ($Rows | Where-Object { $_.Input -eq '192.0.2.67' -and $_.Zone -eq 'good.bl.test' }).Reason | Should -Match '<script>'
        $Bounce[0].DiagnosticText | Should -Match '<script>'
        # The title is the report's own: neither hidden script set it.
        $Dom | Should -Match '<title>Mail delivery report</title>'
        $Dom | Should -Not -Match 'pwned</title>'
        # The report's own script ran (it marks the body) and is the only script element.
        $Dom | Should -Match '<body class="[^"]*\bscripted\b'
        ([regex]::Matches($Dom, '<script\b')).Count | Should -Be 1
        ([regex]::Matches($Dom, '<img\b')).Count | Should -Be 0
        # Both texts are in the page, as text.
        ([regex]::Matches($Dom, '&lt;script&gt;document\.title=''pwned''&lt;/script&gt;')).Count | Should -BeGreaterOrEqual 2
        $Dom | Should -Match '&lt;img src=x onerror='
        # The bidi override cannot reorder what follows it.
        $Dom | Should -Not -Match "`u{202E}"
        $Dom | Should -Match '\\u202E'
    }

    It 'puts the changed rows at the top' {
        $changes = [regex]::Match($Dom, '<table[^>]*id="changes-table".*?</table>', 'Singleline').Value
        $rows = [regex]::Matches($changes, '<tr class="[^"]*\bchanged\b.*?</tr>', 'Singleline').Value
        $rows.Count | Should -Be 2
        $rows[0] | Should -Match '192\.0\.2\.10' ; $rows[0] | Should -Match 'good\.bl\.test'; $rows[0] | Should -Match '>New<'
        $rows[1] | Should -Match '192\.0\.2\.99' ; $rows[1] | Should -Match 'good\.bl\.test'; $rows[1] | Should -Match '>Delisted<'
        $Dom | Should -Match '<span id="change-count-New">1</span>'
        $Dom | Should -Match '<span id="change-count-Delisted">1</span>'
    }

    It 'counts every status of every source' {
        foreach ($group in $Rows | Group-Object Status) {
            $Dom | Should -Match ('(?s)id="counts-Dnsbl".*?data-count="{0}">{1}<' -f $group.Name, $group.Count)
        }
        $Dom | Should -Match ('(?s)id="counts-Dnsbl".*?data-count="Total">{0}<' -f $Rows.Count)
        foreach ($group in $Findings | Group-Object Severity) {
            $Dom | Should -Match ('(?s)id="counts-Diagnosis".*?data-count="{0}">{1}<' -f $group.Name, $group.Count)
        }
        $Dom | Should -Match '(?s)id="counts-Bounce".*?data-count="Blocked">1<'
        $targets = @($Rows.Input + $Findings.Target + $Bounce.IPAddress | Sort-Object -Unique).Count
        $Dom | Should -Match ('id="target-summary">{0} targets' -f $targets)
    }

    It 'links each listing to its lookup page and each section from the changes' {
        foreach ($r in $Rows | Where-Object Status -eq 'Listed') {
            $Dom | Should -Match ('<a href="{0}" rel="noopener noreferrer"' -f [regex]::Escape($r.LookupUrl))
        }
        foreach ($id in [regex]::Matches($Dom, '<a href="#(t-[0-9a-f]+)"') | ForEach-Object { $_.Groups[1].Value }) {
            $Dom | Should -Match ('<section class="target [a-z]+" id="{0}"' -f $id)
        }
        foreach ($f in $Findings | Where-Object Url) {
            $Dom | Should -Match ([regex]::Escape(('href="{0}"' -f $f.Url)))
        }
    }

    It 'makes links only of http and https addresses' {
        $odd = [pscustomobject]@{ Input = '192.0.2.200'; Zone = 'x.test'; Status = 'Listed'; LookupUrl = 'javascript:document.title=1' }
        $path = Join-Path $TestDrive 'odd.html'
        $odd | Export-MailDeliveryReport -Path $path
        $html = Get-Content -LiteralPath $path -Raw
        $html | Should -Not -Match 'href="javascript'
        $html | Should -Match '>javascript:document\.title=1<'
    }

    It 'reads rows back from CSV as well as live objects' {
        $csv = Join-Path $TestDrive 'rows.csv'
        $Rows | Export-Csv -LiteralPath $csv -NoTypeInformation -Encoding utf8BOM
        $path = Join-Path $TestDrive 'from-csv.html'
        Import-Csv $csv | Export-MailDeliveryReport -Path $path
        $html = Get-Content -LiteralPath $path -Raw
        $html | Should -Match '<span id="change-count-New">1</span>'
        $html | Should -Match ('(?s)id="counts-Dnsbl".*?data-count="Total">{0}<' -f $Rows.Count)
    }

    It 'leaves out what is no result of the three commands, with an error, and still writes' {
        $path = Join-Path $TestDrive 'mixed.html'
        $out = @($Rows[0], (Get-Date), 'text' | Export-MailDeliveryReport -Path $path -PassThru -ErrorAction SilentlyContinue -ErrorVariable e)
        $e.Count | Should -Be 2
        $e | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'ReportInputNotSupported,*' }
        $e[0].Exception.Message | Should -Match 'System\.DateTime'
        $out.Count | Should -Be 1
        (Get-Content -LiteralPath $path -Raw) | Should -Match 'data-count="Total">1<'
    }

    It 'stops at once when the folder does not exist, naming the path' {
        $path = Join-Path $TestDrive 'no/such/folder/r.html'
        { $Rows | Export-MailDeliveryReport -Path $path -ErrorAction Stop } | Should -Throw -ExpectedMessage '*r.html*'
        Test-Path $path | Should -BeFalse
    }

    It 'is written in Japanese in a ja-JP session' {
        $path = Join-Path $TestDrive 'ja.html'
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                param($module, $rows, $path)
                [System.Threading.Thread]::CurrentThread.CurrentUICulture = 'ja-JP'
                Import-Module $module
                $rows | Export-MailDeliveryReport -Path $path
            }).AddArgument($ModulePath).AddArgument($Rows).AddArgument($path)
            $null = $ps.Invoke()
            $ps.Streams.Error | Should -BeNullOrEmpty
        }
        finally { $ps.Dispose() }
        $dom = Get-RenderedDom $path
        $dom | Should -Match '<html lang="ja"'
        $dom | Should -Match '<title>メール配信状況レポート</title>'
        $dom | Should -Match '前回（ベースライン）からの変化'
        $dom | Should -Match '<span id="change-count-New">1</span>'
    }
}
