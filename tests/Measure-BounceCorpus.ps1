<#
.SYNOPSIS
    Measures Get-BounceReason against the labelled bounce corpus (tests/corpus/bounces) and other
    projects' suites (tests/corpus/external, through Measure-ExternalBounces.ps1).
.DESCRIPTION
    For each line-ending folder (bsd = LF, dos = CRLF, mac = CR; each has its own label rows) and for
    all of them together ("all"), reads every labelled message with Get-BounceReason and prints: emails read, exact reason agreement over stable labels (unstable !=
    true; either the pre-5.5 or the 5.5 reason name counts), status agreement (where the label has a
    status), recipient agreement (where the label has a recipient), errors, and emails per second.
    The labels are sisimai's; nothing here or in the module knows individual corpus files.
.EXAMPLE
    ./tests/Measure-BounceCorpus.ps1 -ModulePath ./out/MailBlacklist/MailBlacklist.psd1
.EXAMPLE
    ./tests/Measure-BounceCorpus.ps1 -Flavor bsd -ShowMismatch
#>
[CmdletBinding()]
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/MailBlacklist/MailBlacklist.psd1'),
    [string] $Corpus = (Join-Path $PSScriptRoot 'corpus/bounces'),
    [ValidateSet('bsd', 'dos', 'mac')]
    [string[]] $Flavor = @('bsd', 'dos', 'mac'),
    # sisimai: the labelled corpus; flufl and bounce_email: the suites under corpus/external.
    [ValidateSet('sisimai', 'flufl', 'bounce_email')]
    [string[]] $Suite = @('sisimai', 'flufl', 'bounce_email'),
    # List the label rows whose reason, status or recipient disagree.
    [switch] $ShowMismatch,
    # Return the figures as objects instead of printing a table.
    [switch] $PassThru
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
if (-not (Get-Command Get-BounceReason -ErrorAction SilentlyContinue)) { Import-Module $ModulePath -Force }

# labels.tsv: split on tabs, never with a CSV parser (recipients may contain double quotes).
$lines = Get-Content -LiteralPath (Join-Path $Corpus 'labels.tsv') -Encoding utf8
$columns = $lines[0] -split "`t"
$labels = foreach ($line in $lines | Select-Object -Skip 1) {
    if (-not $line) { continue }
    $cells = $line -split "`t"
    $row = [ordered]@{}
    for ($i = 0; $i -lt $columns.Count; $i++) { $row[$columns[$i]] = if ($i -lt $cells.Count) { $cells[$i] } else { '' } }
    [pscustomobject]$row
}
function Measure-Rows([string] $Name, [object[]] $Rows) {
    $byFile = $Rows | Group-Object path
    $files = $byFile | ForEach-Object { Join-Path $Corpus $_.Name }
    $errors = @()
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $results = @(Get-BounceReason -LiteralPath $files -ErrorAction SilentlyContinue -ErrorVariable +errors)
    $clock.Stop()
    $resultsByFile = @{}
    foreach ($r in $results) {
        $key = [IO.Path]::GetFileName($r.Path)
        if (-not $resultsByFile.ContainsKey($key)) { $resultsByFile[$key] = [Collections.Generic.List[object]]::new() }
        $resultsByFile[$key].Add($r)
    }

    $reasonTotal = 0; $reasonOk = 0; $statusTotal = 0; $statusOk = 0; $rcptTotal = 0; $rcptOk = 0
    $mismatches = [Collections.Generic.List[object]]::new()
    foreach ($group in $byFile) {
        $got = $resultsByFile[[IO.Path]::GetFileName($group.Name)]
        $index = 0
        foreach ($label in $group.Group) {
            # Pair the label row with the object for the same recipient, else the one at the same position.
            $r = $null
            if ($got) {
                $r = $got | Where-Object { $label.recipient -and $_.Recipient -eq $label.recipient } | Select-Object -First 1
                if (-not $r) { $r = $got[[Math]::Min($index, $got.Count - 1)] }
            }
            $index++
            $reasonGood = $r -and ($r.Reason -eq $label.reason -or $r.Reason -eq $label.reason_v55)
            if ($label.unstable -ne 'true') { $reasonTotal++; if ($reasonGood) { $reasonOk++ } }
            $statusGood = $true
            if ($label.status) { $statusTotal++; $statusGood = $r -and $r.Status -eq $label.status; if ($statusGood) { $statusOk++ } }
            $rcptGood = $true
            # sisimai writes a placeholder (undisclosed-recipient-in-headers@libsisimai.org.invalid) when a
            # report names no recipient; this module leaves Recipient empty then: the two agree.
            $noRecipient = $label.recipient -like 'undisclosed-recipient-in-headers@*.invalid'
            if ($label.recipient) { $rcptTotal++; $rcptGood = [bool]($got -and ($got | Where-Object { if ($noRecipient) { -not $_.Recipient } else { $_.Recipient -eq $label.recipient } })); if ($rcptGood) { $rcptOk++ } }
            if ($ShowMismatch -and ((-not $reasonGood -and $label.unstable -ne 'true') -or -not $statusGood -or -not $rcptGood)) {
                $mismatches.Add([pscustomobject]@{
                    File = [IO.Path]::GetFileName($group.Name); Expected = $label.reason; Got = if ($r) { $r.Reason } else { '(none)' }
                    ExpStatus = $label.status; GotStatus = if ($r) { $r.Status } else { '' }; ExpRcpt = $label.recipient; GotRcpt = if ($r) { $r.Recipient } else { '' }
                    Diag = if ($r) { $r.DiagnosticText } else { '' }
                })
            }
        }
    }
    [pscustomobject]@{
        Flavor             = $Name
        Emails             = $files.Count
        Objects            = $results.Count
        ReasonAgreement    = [Math]::Round($reasonOk / [Math]::Max(1, $reasonTotal), 4)
        ReasonRows         = "$reasonOk/$reasonTotal"
        StatusAgreement    = [Math]::Round($statusOk / [Math]::Max(1, $statusTotal), 4)
        StatusRows         = "$statusOk/$statusTotal"
        RecipientAgreement = [Math]::Round($rcptOk / [Math]::Max(1, $rcptTotal), 4)
        RecipientRows      = "$rcptOk/$rcptTotal"
        Errors             = $errors.Count
        EmailsPerSecond    = [Math]::Round($files.Count / [Math]::Max(0.001, $clock.Elapsed.TotalSeconds), 1)
        Mismatches         = $mismatches
    }
}

$external = @($Suite | Where-Object { $_ -ne 'sisimai' })
$externalScript = Join-Path $PSScriptRoot 'Measure-ExternalBounces.ps1'
if ($Suite -notcontains 'sisimai') {
    if ($PassThru) { return & $externalScript -ModulePath $ModulePath -Suite $external -PassThru }
    & $externalScript -ModulePath $ModulePath -Suite $external -ShowMismatch:$ShowMismatch
    return
}

$figures = @(
    foreach ($f in $Flavor) { Measure-Rows $f @($labels | Where-Object path -like "maildir/$f/*") }
    if ($Flavor.Count -gt 1) { Measure-Rows 'all' @($labels | Where-Object { $Flavor -contains ($_.path -split '/')[1] }) }
)

if ($PassThru) {
    if ($external) { $figures += & $externalScript -ModulePath $ModulePath -Suite $external -PassThru }
    return $figures
}
$figures | Format-Table Flavor, Emails, Objects, ReasonAgreement, ReasonRows, StatusAgreement, StatusRows, RecipientAgreement, RecipientRows, Errors, EmailsPerSecond -AutoSize | Out-String -Width 200 | Write-Host
if ($ShowMismatch) {
    foreach ($fig in $figures) {
        Write-Host "Mismatches ($($fig.Flavor)):"
        $fig.Mismatches | ForEach-Object { "{0}`t{1} -> {2}`t{3} -> {4}`t{5} -> {6}`t{7}" -f $_.File, $_.Expected, $_.Got, $_.ExpStatus, $_.GotStatus, $_.ExpRcpt, $_.GotRcpt, ($_.Diag -replace '^(.{0,220}).*', '$1') } | Write-Host
    }
}
if ($external) { & $externalScript -ModulePath $ModulePath -Suite $external -ShowMismatch:$ShowMismatch }
