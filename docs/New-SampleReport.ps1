<#
.SYNOPSIS
    Makes docs/report-sample.png, the README's picture of Export-MailDeliveryReport: a real run
    against the loopback lab (tests/lab), with a baseline in which one listing is new and one gone.
.EXAMPLE
    dotnet pwsh -NoProfile -File ./build.ps1 Build; dotnet pwsh -NoProfile -File ./docs/New-SampleReport.ps1
#>
param([string] $Out = (Join-Path $PSScriptRoot 'report-sample.png'))
$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot
Import-Module (Join-Path $root 'out/MailBlacklist/MailBlacklist.psd1') -Force
Import-Module (Join-Path $root 'tests/lab/DnsLab.psm1') -Force
Install-DnsLabPackage
$lab = Start-DnsLab
$work = Join-Path ([IO.Path]::GetTempPath()) "mailblacklist-sample-$PID"
New-Item -ItemType Directory $work | Out-Null
try {
    $p = @{ Server = $lab.Dnsdist; CatalogPath = (Join-Path $root 'tests/lab/catalog.json'); TimeoutSec = 2; Retry = 0 }
    $servers = '192.0.2.2', '192.0.2.10', '192.0.2.11', '192.0.2.99'
    $zones = 'spamhaus.bl.test', 'good.bl.test'
    # Last night: 192.0.2.10 was not on good.bl.test yet, 192.0.2.99 still was.
    $night1 = Test-Dnsbl $servers -Zone $zones @p -Baseline (Join-Path $work 'none.csv') -WarningAction SilentlyContinue
    foreach ($r in $night1) {
        $r.Since = '2026-11-28T02:00:00Z'
        if ($r.Zone -eq 'good.bl.test' -and $r.Input -eq '192.0.2.10') { $r.Status = 'NotListed' }
        if ($r.Zone -eq 'good.bl.test' -and $r.Input -eq '192.0.2.99') { $r.Status = 'Listed' }
    }
    $night1 | Export-Csv (Join-Path $work 'last.csv') -NoTypeInformation -Encoding utf8BOM
    $rows = Test-Dnsbl $servers -Zone $zones @p -Baseline (Join-Path $work 'last.csv')
    $findings = Invoke-MailDeliveryDiagnosis -Domain nodmarc.diag.test @p -WarningAction SilentlyContinue
    $bounces = Get-BounceReason -Path (Join-Path $root 'samples/spamhaus-sbl.eml')
    $html = Join-Path $work 'report.html'
    $rows + $findings + $bounces | Export-MailDeliveryReport -Path $html
    $chromium = (Get-Command chromium, chromium-browser -CommandType Application -ErrorAction Ignore | Select-Object -First 1).Source
    $env:DBUS_SESSION_BUS_ADDRESS = 'disabled:'
    & $chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1150,1300 "--user-data-dir=$work/profile" `
        "--screenshot=$Out" ([uri]::new($html, [UriKind]::Absolute)).AbsoluteUri 2>$null
    Write-Host "Wrote $Out"
}
finally {
    Stop-DnsLab -Lab $lab
    Remove-Item $work -Recurse -Force -ErrorAction Ignore
}
