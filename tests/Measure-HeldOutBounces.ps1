<#
.SYNOPSIS
    Measures Get-BounceReason on a held-out set of bounces: messages that are not in the shared
    corpus and that nobody tuned the rules to.
.DESCRIPTION
    The set is not in this repository: the user fetches it (for example sisimai's public sample
    emails that are not in tests/corpus/bounces), labels it with p5-sisimai, and lays it out as
        <Path>/<Part>/labels.tsv      columns as in tests/corpus/bounces/README.md
        <Path>/<Part>/mail/<file>     the messages the label rows name (path = mail/<file>)
    with one folder per part, typically "dev" (look at its misses and tune on it) and "test"
    (measure only; never read its misses, or it stops being held out). Split by a hash of the file
    name, not by hand. Labels: one row per record of
        perl -MSisimai -e 'for (@{Sisimai->make($ARGV[0], delivered => 1) || []}) { ... }' <file>
    (Sisimai->rise with p5-sisimai 5.x), printing reason, deliverystatus and recipient->address;
    leave the status empty where sisimai made it up (x.0.9xx, 5.9.x), as the corpus README says.
    Drop messages whose body is the same as a file in tests/corpus/bounces (renamed copies are
    common), and name the labelling version with the figures: Debian's libsisimai-perl is 4.25,
    which has no requireptr, authfailure, notcompliantrfc, badreputation or failedstarttls.
    For each part prints reason, status and recipient agreement, errors, emails per second and the
    confusion pairs (expected -> got). -ShowMismatch lists the disagreeing rows. For a part whose name
    starts with "test" (test, test2, ...) the script prints neither confusion pairs nor mismatches (it refuses -ShowMismatch)
    unless -IKnowThisSpoilsTheTestSet is given.
.EXAMPLE
    ./tests/Measure-HeldOutBounces.ps1 -Path /work/heldout -Part dev -ShowMismatch
.EXAMPLE
    ./tests/Measure-HeldOutBounces.ps1 -Path /work/heldout -Part dev, test
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string] $Path,
    [string[]] $Part = @('dev', 'test'),
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/MailBlacklist/MailBlacklist.psd1'),
    [switch] $ShowMismatch,
    [switch] $IKnowThisSpoilsTheTestSet,
    [switch] $PassThru
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
if (-not (Get-Command Get-BounceReason -ErrorAction SilentlyContinue)) { Import-Module $ModulePath -Force }
. (Join-Path $PSScriptRoot 'BounceLabels.ps1')

if ($ShowMismatch -and @($Part | Where-Object { $_ -like 'test*' }).Count -and -not $IKnowThisSpoilsTheTestSet) {
    throw "Listing the misses of the 'test' part would make it a tuning set; measure it without -ShowMismatch."
}

$figures = @(
    foreach ($p in $Part) {
        $root = Join-Path $Path $p
        $labelFile = Join-Path $root 'labels.tsv'
        if (-not (Test-Path -LiteralPath $labelFile)) { throw "No labels.tsv in '$root'." }
        $fig = Measure-BounceRows $p $root @(Read-BounceLabels $labelFile) -ShowMismatch:$ShowMismatch
        # The test part's confusion pairs are its misses in short: keep them out of sight too.
        if ($p -like 'test*' -and -not $IKnowThisSpoilsTheTestSet) { $fig.Confusion = @() }
        $fig
    }
)
if ($PassThru) { return $figures }
Write-BounceFigures $figures -ShowMismatch:$ShowMismatch -ShowConfusion
