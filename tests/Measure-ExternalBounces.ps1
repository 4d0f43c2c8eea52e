<#
.SYNOPSIS
    Measures Get-BounceReason against other projects' bounce test suites (tests/corpus/external).
.DESCRIPTION
    flufl (GNU Mailman's flufl.bounce): recipient recall (expected failed addresses found) and
    precision (reported addresses that are expected, over emails whose expected set is complete),
    and temporary/permanent agreement (a delay warning is temporary, a failure permanent).
    bounce_email (a Ruby gem): bounces found, non-bounces left alone, status agreement.
    The expectations are those projects' own (see each folder's README); nothing in the module
    knows these files.
.EXAMPLE
    ./tests/Measure-ExternalBounces.ps1 -ModulePath ./out/MailBlacklist/MailBlacklist.psd1 -ShowMismatch
#>
[CmdletBinding()]
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/MailBlacklist/MailBlacklist.psd1'),
    [string] $Corpus = (Join-Path $PSScriptRoot 'corpus/external'),
    [ValidateSet('flufl', 'bounce_email')]
    [string[]] $Suite = @('flufl', 'bounce_email'),
    [switch] $ShowMismatch,
    [switch] $PassThru
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
if (-not (Get-Command Get-BounceReason -ErrorAction SilentlyContinue)) { Import-Module $ModulePath -Force }

# Objects that say "this message reports no failed recipient".
$NotFailures = 'NotABounce', 'Vacation', 'Delivered', 'Feedback'

# Read-BounceLabels: the same tab-separated layout as the sisimai corpus's labels.tsv.
. (Join-Path $PSScriptRoot 'BounceLabels.ps1')
function Read-Expectations([string] $Folder) { Read-BounceLabels (Join-Path $Folder 'expectations.tsv') }

function Read-Results([string] $Folder, [object[]] $Rows) {
    $byFile = @{}
    $errors = @()
    foreach ($row in $Rows) {
        $path = Join-Path $Folder "emails/$($row.file)"
        $byFile[$row.file] = @(Get-BounceReason -LiteralPath $path -ErrorAction SilentlyContinue -ErrorVariable +errors)
    }
    [pscustomobject]@{ ByFile = $byFile; Errors = $errors.Count }
}

# A message is temporary when every failed object is a delay notice, not a failure.
function Get-Class([object[]] $Objects) {
    $failed = @($Objects | Where-Object { $_.Reason -notin $NotFailures })
    if ($failed.Count -eq 0) { return '' }
    if (@($failed | Where-Object { $_.Reason -ne 'Delayed' -and $_.Action -ne 'delayed' }).Count -eq 0) { return 'temporary' }
    'permanent'
}

function Measure-Flufl {
    $folder = Join-Path $Corpus 'flufl'
    $rows = @(Read-Expectations $folder)
    $read = Read-Results $folder $rows
    $expectedTotal = 0; $found = 0; $reportedTotal = 0; $correct = 0; $classTotal = 0; $classOk = 0
    $mismatches = [Collections.Generic.List[string]]::new()
    foreach ($row in $rows) {
        $objects = $read.ByFile[$row.file]
        $got = @($objects | Where-Object { $_.Reason -notin $NotFailures -and $_.Recipient } | ForEach-Object { $_.Recipient.ToLowerInvariant() } | Select-Object -Unique)
        $expected = @(if ($row.recipients) { $row.recipients.ToLowerInvariant() -split '\|' })
        $missing = @($expected | Where-Object { $got -notcontains $_ })
        $expectedTotal += $expected.Count; $found += $expected.Count - $missing.Count
        $extra = @()
        if ($row.recipients_exact -eq 'true') {
            $extra = @($got | Where-Object { $expected -notcontains $_ })
            $reportedTotal += $got.Count; $correct += $got.Count - $extra.Count
        }
        $class = Get-Class $objects
        $classGood = $true
        if ($row.class) { $classTotal++; $classGood = $class -eq $row.class; if ($classGood) { $classOk++ } }
        if ($missing.Count -or $extra.Count -or -not $classGood) {
            $mismatches.Add(('{0}: missing [{1}] extra [{2}] class {3} -> {4}; reasons {5}' -f $row.file, ($missing -join ' '), ($extra -join ' '), $row.class, $class, (($objects | ForEach-Object Reason) -join ',')))
        }
    }
    [pscustomobject]@{
        Suite = 'flufl'; Emails = $rows.Count; Errors = $read.Errors
        RecipientRecall = [Math]::Round($found / [Math]::Max(1, $expectedTotal), 4); RecallRows = "$found/$expectedTotal"
        RecipientPrecision = [Math]::Round($correct / [Math]::Max(1, $reportedTotal), 4); PrecisionRows = "$correct/$reportedTotal"
        ClassAgreement = [Math]::Round($classOk / [Math]::Max(1, $classTotal), 4); ClassRows = "$classOk/$classTotal"
        Mismatches = $mismatches
    }
}

function Measure-BounceEmail {
    $folder = Join-Path $Corpus 'bounce_email'
    $rows = @(Read-Expectations $folder)
    $read = Read-Results $folder $rows
    $bounces = 0; $bouncesFound = 0; $others = 0; $othersAlone = 0; $statusTotal = 0; $statusOk = 0; $classTotal = 0; $classOk = 0
    $mismatches = [Collections.Generic.List[string]]::new()
    foreach ($row in $rows) {
        $objects = @($read.ByFile[$row.file])
        $failed = @($objects | Where-Object { $_.Reason -notin $NotFailures })
        $problems = @()
        if ($row.is_bounce -eq 'true') { $bounces++; if ($failed.Count) { $bouncesFound++ } else { $problems += 'bounce not found' } }
        if ($row.is_bounce -eq 'false') { $others++; if (-not $failed.Count) { $othersAlone++ } else { $problems += 'taken for a bounce' } }
        if ($row.status) {
            $statusTotal++
            $status = if ($failed.Count) { $failed[0].Status } else { '' }
            if (($row.status -split '\|') -contains $status) { $statusOk++ } else { $problems += "status $($row.status) -> $status" }
        }
        if ($row.class) {
            $classTotal++
            $class = Get-Class $objects
            if ($class -eq $row.class) { $classOk++ } else { $problems += "class $($row.class) -> $class" }
        }
        if ($problems) { $mismatches.Add(('{0}: {1}; reasons {2}' -f $row.file, ($problems -join ', '), (($objects | ForEach-Object Reason) -join ','))) }
    }
    [pscustomobject]@{
        Suite = 'bounce_email'; Emails = $rows.Count; Errors = $read.Errors
        BouncesFound = "$bouncesFound/$bounces"; NonBouncesLeftAlone = "$othersAlone/$others"
        StatusRows = "$statusOk/$statusTotal"; StatusAgreement = [Math]::Round($statusOk / [Math]::Max(1, $statusTotal), 4)
        ClassRows = "$classOk/$classTotal"
        BouncesFoundCount = $bouncesFound; BounceCount = $bounces; NonBouncesAloneCount = $othersAlone; NonBounceCount = $others; StatusOk = $statusOk
        Mismatches = $mismatches
    }
}

$figures = @(
    if ($Suite -contains 'flufl') { Measure-Flufl }
    if ($Suite -contains 'bounce_email') { Measure-BounceEmail }
)
if ($PassThru) { return $figures }
foreach ($f in $figures) {
    if ($f.Suite -eq 'flufl') {
        $f | Format-Table Suite, Emails, Errors, RecipientRecall, RecallRows, RecipientPrecision, PrecisionRows, ClassAgreement, ClassRows -AutoSize | Out-String -Width 200 | Write-Host
    }
    else {
        $f | Format-Table Suite, Emails, Errors, BouncesFound, NonBouncesLeftAlone, StatusAgreement, StatusRows, ClassRows -AutoSize | Out-String -Width 200 | Write-Host
    }
    if ($ShowMismatch) { $f.Mismatches | Write-Host }
}
