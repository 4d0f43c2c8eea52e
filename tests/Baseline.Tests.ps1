# -Baseline of Test-Dnsbl and Invoke-MailDeliveryDiagnosis against the lab. Each night's baseline is
# a real Export-Csv of the command's own output; a change between nights is made by editing that CSV
# (the lab's lists do not change), as if the list had answered otherwise last night.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:Dnsbl = @{ Server = $Lab.Dnsdist; CatalogPath = $LabCatalog; TimeoutSec = 1; Retry = 0; NoCache = $true }
    $script:Diag = @{ Server = $Lab.Dnsdist; CatalogPath = $LabCatalog; TimeoutSec = 2; Retry = 0 }
    $script:Old = '2026-01-02T03:04:05Z'

    # Last night's CSV, written by Test-Dnsbl itself, then changed per address and zone.
    function script:New-DnsblBaseline([string] $Path, [hashtable] $Status) {
        $rows = Test-Dnsbl 192.0.2.10, 192.0.2.99 -Zone good.bl.test, servfail.bl.test -Baseline (Join-Path $TestDrive 'none.csv') @Dnsbl -WarningAction SilentlyContinue
        foreach ($r in $rows) {
            $r.Since = $Old
            $key = "$($r.Input) $($r.Zone)"
            if ($Status.ContainsKey($key)) { $r.Status = $Status[$key] }
        }
        $rows | Export-Csv -LiteralPath $Path -NoTypeInformation -Encoding utf8BOM
    }
}

Describe 'Test-Dnsbl -Baseline' {
    It 'warns on the first night, runs without comparison and starts the history' {
        $missing = Join-Path $TestDrive 'first-night.csv'
        $r = @(Test-Dnsbl 192.0.2.10 -Zone good.bl.test -Baseline $missing @Dnsbl -WarningVariable w -WarningAction SilentlyContinue -ErrorVariable e)
        $e | Should -BeNullOrEmpty
        ($w -join ' ') | Should -Match ([regex]::Escape('first-night.csv'))
        $r.Count | Should -Be 1
        $r[0].Status | Should -Be 'Listed'
        $r[0].Change | Should -BeNullOrEmpty
        [datetime]::Parse($r[0].Since).ToUniversalTime() | Should -BeGreaterThan ([datetime]::UtcNow.AddMinutes(-10))
        $r[0].Since | Should -Match '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$'
    }

    It 'marks New, Delisted, Unchanged and Unknown, and keeps Since of an unchanged state' {
        $base = Join-Path $TestDrive 'night1.csv'
        # Last night: .10 was not on good.bl.test (it is now), .99 was (it is not now).
        New-DnsblBaseline $base @{ '192.0.2.10 good.bl.test' = 'NotListed'; '192.0.2.99 good.bl.test' = 'Listed' }
        $r = Test-Dnsbl 192.0.2.10, 192.0.2.99 -Zone good.bl.test, servfail.bl.test -Baseline $base @Dnsbl -WarningAction SilentlyContinue -ErrorVariable e
        $e | Should -BeNullOrEmpty
        $row = { param($ip, $zone) $r | Where-Object { $_.Input -eq $ip -and $_.Zone -eq $zone } }
        $new = & $row 192.0.2.10 good.bl.test
        $new.Status | Should -Be 'Listed'
        $new.Change | Should -Be 'New'
        $new.Since | Should -Not -Be $Old
        $gone = & $row 192.0.2.99 good.bl.test
        $gone.Status | Should -Be 'NotListed'
        $gone.Change | Should -Be 'Delisted'
        # A failed lookup now is no comparison, never a change.
        foreach ($ip in '192.0.2.10', '192.0.2.99') {
            $err = & $row $ip servfail.bl.test
            $err.Status | Should -Be 'Error'
            $err.Change | Should -Be 'Unknown'
            $err.Since | Should -Be $Old   # still the same state as last night
        }
    }

    It 'keeps Since across nights: tonight''s CSV is tomorrow''s baseline' {
        $base = Join-Path $TestDrive 'steady.csv'
        New-DnsblBaseline $base @{}
        $r = Test-Dnsbl 192.0.2.10 -Zone good.bl.test -Baseline $base @Dnsbl
        $r.Change | Should -Be 'Unchanged'
        $r.Since | Should -Be $Old
        $tonight = Join-Path $TestDrive 'tonight.csv'
        $r | Export-Csv -LiteralPath $tonight -NoTypeInformation -Encoding utf8BOM
        (Test-Dnsbl 192.0.2.10 -Zone good.bl.test -Baseline $tonight @Dnsbl).Since | Should -Be $Old
    }

    It 'reads a Windows PowerShell CSV (#TYPE line) and a -UseCulture one (semicolons)' {
        $base = Join-Path $TestDrive 'wps.csv'
        New-DnsblBaseline $base @{ '192.0.2.10 good.bl.test' = 'NotListed' }
        $rows = Import-Csv $base
        $typed = Join-Path $TestDrive 'typed.csv'
        @('#TYPE MailBlacklist.DnsblResult') + @($rows | ConvertTo-Csv -NoTypeInformation) | Set-Content $typed
        $semi = Join-Path $TestDrive 'semi.csv'
        $rows | ConvertTo-Csv -NoTypeInformation -Delimiter ';' | Set-Content $semi
        foreach ($f in $typed, $semi) {
            $r = Test-Dnsbl 192.0.2.10 -Zone good.bl.test -Baseline $f @Dnsbl -ErrorVariable e
            $e | Should -BeNullOrEmpty -Because $f
            $r.Change | Should -Be 'New' -Because $f
        }
    }

    It 'says <Case> with an error naming the file, and still checks' -ForEach @(
        @{ Case = 'empty'; Id = 'BaselineEmpty'; Content = '' }
        @{ Case = 'header only'; Id = 'BaselineEmpty'; Content = '"Input","Zone","Status"' }
        @{ Case = 'another command''s CSV'; Id = 'BaselineOtherCommand'; Content = "`"Input`",`"Target`",`"Check`",`"Severity`",`"CauseCode`"`n`"a.test`",`"a.test`",`"Mx`",`"Warning`",`"MxMissing`"" }
        @{ Case = 'any other CSV'; Id = 'BaselineNotACommandCsv'; Content = "Name,Value`nx,1" }
        @{ Case = 'an unterminated quote'; Id = 'BaselineDamaged'; Content = "`"Input`",`"Zone`",`"Status`"`n`"192.0.2.10`",`"good.bl.test`",`"Listed" }
        @{ Case = 'a short row'; Id = 'BaselineDamaged'; Content = "`"Input`",`"Zone`",`"Status`"`n`"192.0.2.10`",`"good.bl.test`",`"Listed`"`n`"192.0.2.99`",`"good.bl`"" }
        @{ Case = 'a status that is none'; Id = 'BaselineDamaged'; Content = "Input,Zone,Status`n192.0.2.10,good.bl.test,Banana" }
    ) {
        $file = Join-Path $TestDrive "bad-$Id-$($Case -replace '\W', '').csv"
        Set-Content -LiteralPath $file -Value $Content -NoNewline
        $r = @(Test-Dnsbl 192.0.2.10 -Zone good.bl.test -Baseline $file @Dnsbl -ErrorAction SilentlyContinue -ErrorVariable e)
        $e.Count | Should -Be 1
        $e[0].FullyQualifiedErrorId | Should -BeLike "$Id,*"
        $e[0].Exception.Message | Should -Match ([regex]::Escape((Split-Path $file -Leaf)))
        $e[0].TargetObject | Should -Be $file
        if ($Id -eq 'BaselineOtherCommand') { $e[0].Exception.Message | Should -Match 'Invoke-MailDeliveryDiagnosis' }
        if ($Id -eq 'BaselineDamaged') { $e[0].Exception.Message | Should -Match 'line [23]' }
        # The run goes on, without comparison.
        $r.Count | Should -Be 1
        $r[0].Status | Should -Be 'Listed'
        $r[0].Change | Should -BeNullOrEmpty
    }

    It 'says it in Japanese in a ja-JP session' {
        $file = Join-Path $TestDrive 'ja-empty.csv'
        Set-Content -LiteralPath $file -Value '' -NoNewline
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                param($module, $server, $catalog, $file)
                [System.Threading.Thread]::CurrentThread.CurrentUICulture = 'ja-JP'
                Import-Module $module
                Test-Dnsbl 192.0.2.10 -Zone good.bl.test -Server $server -CatalogPath $catalog -TimeoutSec 1 -Retry 0 -Baseline $file -ErrorAction Continue
            }).AddArgument($ModulePath).AddArgument($Lab.Dnsdist).AddArgument($LabCatalog).AddArgument($file)
            $r = $ps.Invoke()
            $r[0].Status | Should -Be 'Listed'
            $ps.Streams.Error[0].Exception.Message | Should -Match 'ベースライン'
            $ps.Streams.Error[0].Exception.Message | Should -Match 'ja-empty\.csv'
        }
        finally { $ps.Dispose() }
    }
}

Describe 'Invoke-MailDeliveryDiagnosis -Baseline' {
    BeforeAll {
        $script:Night1 = Join-Path $TestDrive 'diag-night1.csv'
        $script:First = @(Invoke-MailDeliveryDiagnosis -Domain ok.diag.test, nodmarc.diag.test -Baseline (Join-Path $TestDrive 'nothing.csv') @Diag -WarningAction SilentlyContinue)
        $rows = @($First | ForEach-Object { $_.Since = $Old; $_ })
        # Last night ok.diag.test lacked DMARC (fixed since), and the nodmarc.diag.test problem was
        # not there yet; a domain not checked tonight had a problem too.
        $dmarc = $rows | Where-Object { $_.Input -eq 'nodmarc.diag.test' -and $_.Check -eq 'Dmarc' } | Select-Object -First 1
        $script:Appeared = $dmarc.CauseCode
        $rows = @($rows | Where-Object { $_ -ne $dmarc })
        $fixed = [pscustomobject]@{ Input = 'ok.diag.test'; Target = 'ok.diag.test'; Check = 'Dmarc'; Severity = 'Warning'; CauseCode = $Appeared
            Cause = 'No DMARC'; Evidence = '_dmarc.ok.diag.test TXT: none'; Fix = 'Publish one'; Url = 'https://example.invalid/dmarc'; Change = ''; Since = $Old }
        $other = [pscustomobject]@{ Input = 'other.diag.test'; Target = 'other.diag.test'; Check = 'Mx'; Severity = 'Critical'; CauseCode = 'MxMissing'
            Cause = 'No MX'; Evidence = 'none'; Fix = 'Add MX'; Url = ''; Change = ''; Since = $Old }
        @($rows | Select-Object Input, Target, Check, Severity, CauseCode, Cause, Evidence, Fix, Url, Change, Since) + $fixed + $other |
            Export-Csv -LiteralPath $Night1 -NoTypeInformation -Encoding utf8BOM
        $script:Second = @(Invoke-MailDeliveryDiagnosis -Domain ok.diag.test, nodmarc.diag.test -Baseline $Night1 @Diag -WarningAction SilentlyContinue -ErrorVariable e)
        $script:SecondErrors = $e
    }

    It 'starts the history on the first night' {
        $First.Count | Should -BeGreaterThan 3
        $First | ForEach-Object { $_.Change | Should -BeNullOrEmpty; $_.Since | Should -Match '^\d{4}-\d\d-\d\dT' }
    }

    It 'marks a finding that was not there New and the others Unchanged with their Since' {
        $SecondErrors | Should -BeNullOrEmpty
        $new = @($Second | Where-Object Change -eq 'New')
        $new.Count | Should -Be 1
        $new[0].Input | Should -Be 'nodmarc.diag.test'
        $new[0].CauseCode | Should -Be $Appeared
        $new[0].Since | Should -Not -Be $Old
        $same = @($Second | Where-Object Change -eq 'Unchanged')
        $same.Count | Should -Be ($First.Count - 1)
        $same | ForEach-Object { $_.Since | Should -Be $Old }
    }

    It 'adds one Resolved Info finding for a problem gone from a domain checked again, not for a domain not checked' {
        $resolved = @($Second | Where-Object Change -eq 'Resolved')
        $resolved.Count | Should -Be 1
        $resolved[0].Target | Should -Be 'ok.diag.test'
        $resolved[0].Check | Should -Be 'Dmarc'
        $resolved[0].Severity | Should -Be 'Info'
        $resolved[0].Cause | Should -Match 'No DMARC'
        $resolved[0].Fix | Should -Not -BeNullOrEmpty
    }

    It 'does not call a problem resolved when the check could not run tonight' {
        # A resolver that never answers: every check is DnsFailure, nothing is resolved.
        $r = @(Invoke-MailDeliveryDiagnosis -Domain ok.diag.test -Baseline $Night1 -Server $Lab.Dead -CatalogPath $LabCatalog -TimeoutSec 0.3 -Retry 0 -WarningAction SilentlyContinue)
        ($r | Where-Object CauseCode -eq 'DnsFailure') | Should -Not -BeNullOrEmpty
        ($r | Where-Object Change -eq 'Resolved') | Should -BeNullOrEmpty
    }

    It 'refuses a Test-Dnsbl CSV as its baseline, naming both, and still diagnoses' {
        $base = Join-Path $TestDrive 'dnsbl-for-diag.csv'
        New-DnsblBaseline $base @{}
        $r = @(Invoke-MailDeliveryDiagnosis -Domain ok.diag.test -Baseline $base @Diag -ErrorAction SilentlyContinue -ErrorVariable e -WarningAction SilentlyContinue)
        $e.Count | Should -Be 1
        $e[0].FullyQualifiedErrorId | Should -BeLike 'BaselineOtherCommand,*'
        $e[0].Exception.Message | Should -Match 'Test-Dnsbl'
        $e[0].Exception.Message | Should -Match 'dnsbl-for-diag\.csv'
        $r.Count | Should -BeGreaterThan 0
        $r | ForEach-Object { $_.Change | Should -BeNullOrEmpty }
    }
}
