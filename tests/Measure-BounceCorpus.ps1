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

# Read-BounceLabels, Measure-BounceRows and Write-BounceFigures, shared with Measure-HeldOutBounces.ps1.
. (Join-Path $PSScriptRoot 'BounceLabels.ps1')
$labels = @(Read-BounceLabels (Join-Path $Corpus 'labels.tsv'))

$external = @($Suite | Where-Object { $_ -ne 'sisimai' })
$externalScript = Join-Path $PSScriptRoot 'Measure-ExternalBounces.ps1'
if ($Suite -notcontains 'sisimai') {
    if ($PassThru) { return & $externalScript -ModulePath $ModulePath -Suite $external -PassThru }
    & $externalScript -ModulePath $ModulePath -Suite $external -ShowMismatch:$ShowMismatch
    return
}

$figures = @(
    foreach ($f in $Flavor) { Measure-BounceRows $f $Corpus @($labels | Where-Object path -like "maildir/$f/*") -ShowMismatch:$ShowMismatch }
    if ($Flavor.Count -gt 1) { Measure-BounceRows 'all' $Corpus @($labels | Where-Object { $Flavor -contains ($_.path -split '/')[1] }) -ShowMismatch:$ShowMismatch }
)

if ($PassThru) {
    if ($external) { $figures += & $externalScript -ModulePath $ModulePath -Suite $external -PassThru }
    return $figures
}
Write-BounceFigures $figures -ShowMismatch:$ShowMismatch
if ($external) { & $externalScript -ModulePath $ModulePath -Suite $external -ShowMismatch:$ShowMismatch }
