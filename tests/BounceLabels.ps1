<#
.SYNOPSIS
    Shared by Measure-BounceCorpus.ps1 and Measure-HeldOutBounces.ps1: reads a labels.tsv in the
    corpus format (tests/corpus/bounces/README.md) and scores Get-BounceReason against its rows.
    Dot-source it; it defines Read-BounceLabels and Measure-BounceRows.
#>

# labels.tsv: split on tabs, never with a CSV parser (recipients may contain double quotes). The
# header may start with '#' (tests/corpus/external's expectations.tsv).
function Read-BounceLabels([string] $Path) {
    $lines = Get-Content -LiteralPath $Path -Encoding utf8
    $columns = ($lines[0] -replace '^#\s*', '') -split "`t"
    foreach ($line in $lines | Select-Object -Skip 1) {
        if (-not $line) { continue }
        $cells = $line -split "`t"
        $row = [ordered]@{}
        for ($i = 0; $i -lt $columns.Count; $i++) { $row[$columns[$i]] = if ($i -lt $cells.Count) { $cells[$i] } else { '' } }
        [pscustomobject]$row
    }
}

# Reads every file the rows name (paths relative to $Root) and returns one figures object: reason,
# status and recipient agreement, errors, emails per second, the confusion pairs (expected -> got,
# most frequent first) and, with -ShowMismatch, every disagreeing row.
function Measure-BounceRows([string] $Name, [string] $Root, [object[]] $Rows, [switch] $ShowMismatch) {
    $byFile = $Rows | Group-Object path
    $files = $byFile | ForEach-Object { Join-Path $Root $_.Name }
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
    $confusion = @{}
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
            if ($label.unstable -ne 'true') {
                $reasonTotal++
                if ($reasonGood) { $reasonOk++ }
                else {
                    $pair = '{0} -> {1}' -f $label.reason, $(if ($r) { $r.Reason } else { '(none)' })
                    $confusion[$pair] = 1 + [int]$confusion[$pair]
                }
            }
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
        Confusion          = @($confusion.GetEnumerator() | Sort-Object @{ Expression = 'Value'; Descending = $true }, Name |
                                ForEach-Object { [pscustomobject]@{ Pair = $_.Name; Rows = $_.Value } })
        Mismatches         = $mismatches
    }
}

# Prints a figures table, then the confusion pairs and (when collected) the mismatching rows.
function Write-BounceFigures([object[]] $Figures, [switch] $ShowMismatch, [switch] $ShowConfusion) {
    $Figures | Format-Table Flavor, Emails, Objects, ReasonAgreement, ReasonRows, StatusAgreement, StatusRows, RecipientAgreement, RecipientRows, Errors, EmailsPerSecond -AutoSize | Out-String -Width 200 | Write-Host
    foreach ($fig in $Figures) {
        if ($ShowConfusion -and $fig.Confusion) {
            Write-Host "Confusion pairs, expected -> got ($($fig.Flavor)):"
            $fig.Confusion | ForEach-Object { '  {0,3}  {1}' -f $_.Rows, $_.Pair } | Write-Host
        }
        if ($ShowMismatch) {
            Write-Host "Mismatches ($($fig.Flavor)):"
            $fig.Mismatches | ForEach-Object { "{0}`t{1} -> {2}`t{3} -> {4}`t{5} -> {6}`t{7}" -f $_.File, $_.Expected, $_.Got, $_.ExpStatus, $_.GotStatus, $_.ExpRcpt, $_.GotRcpt, ($_.Diag -replace '^(.{0,220}).*', '$1') } | Write-Host
        }
    }
}
