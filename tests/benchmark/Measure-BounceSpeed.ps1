<#
.SYNOPSIS
    Emails per second of Get-BounceReason beside p5-sisimai, over the same files in the same run.
.DESCRIPTION
    Installs Debian's p5-sisimai when it is missing (apt-get install libsisimai-perl) and prints its
    version. Starts one perl process (sisimai-speed.pl) and one fresh pwsh (Get-BounceReasonSpeed.ps1)
    and drives them in turns: one warm-up pass each (not counted), then -Rounds (default 5) rounds of
    sisimai / Get-BounceReason -Path <folders> / Get-ChildItem <folders> | Get-BounceReason, so that
    the load of a shared machine falls on both tools alike. Reports the best pass of each.
    Process start-up (perl plus loading Sisimai; pwsh plus Import-Module) is outside the timed passes
    for both tools; it is measured once and printed beside them. CPU time per email (user plus
    system, all threads) is printed too: on a shared machine it moves less with other load than
    wall time does, but the targets are judged on wall time.
    Targets (issue 9): Get-BounceReason >= 10x p5-sisimai, and >= 5,000 emails/s on the sisimai corpus.
.EXAMPLE
    ./build.ps1 BounceSpeed
.EXAMPLE
    ./tests/benchmark/Measure-BounceSpeed.ps1 -ModulePath ./out/MailBlacklist/MailBlacklist.psd1 -Rounds 5
#>
[CmdletBinding()]
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../out/MailBlacklist/MailBlacklist.psd1'),
    # Folders of message files; by default the sisimai corpus (its LF, CRLF and CR copies).
    [string[]] $Folder = @(Get-ChildItem -Directory (Join-Path $PSScriptRoot '../corpus/bounces/maildir') | ForEach-Object FullName),
    # Passes after the warm-up; .NET needs a few passes to finish tiering up, so the best of 5
    # is nearer the steady state than the best of 3.
    [ValidateRange(1, 100)]
    [int] $Rounds = 5,
    # Return the figures as an object instead of printing them.
    [switch] $PassThru
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

function Install-Sisimai {
    & perl -MSisimai -e 1 2>$null
    if ($LASTEXITCODE -eq 0) { return }
    Write-Host 'Installing p5-sisimai (libsisimai-perl)...'
    if (-not (Get-ChildItem /var/lib/apt/lists -Filter '*Packages*' -ErrorAction SilentlyContinue)) { & apt-get update -qq | Out-Null }
    & apt-get install -y -qq libsisimai-perl | Out-Null
    & perl -MSisimai -e 1
    if ($LASTEXITCODE -ne 0) { throw 'p5-sisimai is not installed and apt-get could not install libsisimai-perl.' }
}

# One long-lived child process driven line by line: a command in, one line of figures out.
function Start-Child([string] $File, [string[]] $Arguments) {
    $info = [Diagnostics.ProcessStartInfo]::new($File)
    foreach ($a in $Arguments) { $info.ArgumentList.Add($a) }
    $info.RedirectStandardInput = $true
    $info.RedirectStandardOutput = $true
    $info.UseShellExecute = $false
    $info.Environment['NO_COLOR'] = '1'
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $process = [Diagnostics.Process]::Start($info)
    $ready = $process.StandardOutput.ReadLine()
    $clock.Stop()
    if ($ready -notlike 'ready*') { throw "$File did not start: $ready" }
    [pscustomobject]@{ Process = $process; Banner = $ready.Substring(6); StartSeconds = $clock.Elapsed.TotalSeconds }
}

function Invoke-Pass($Child, [string] $Command) {
    $Child.Process.StandardInput.WriteLine($Command)
    $Child.Process.StandardInput.Flush()
    $line = $Child.Process.StandardOutput.ReadLine()
    $cells = "$line" -split ' '
    if ($cells.Count -lt 3) { throw "no figures from the child for '$Command': $line" }
    $inv = [cultureinfo]::InvariantCulture
    $cpuAt = if ($cells.Count -gt 4) { 4 } else { 3 }   # sisimai has no error column
    [pscustomobject]@{
        Seconds    = [double]::Parse($cells[0], $inv)
        Emails     = [int]$cells[1]
        Objects    = [int]$cells[2]
        Errors     = if ($cells.Count -gt 4) { [int]$cells[3] } else { 0 }
        CpuSeconds = [double]::Parse($cells[$cpuAt], $inv)
    }
}

function Stop-Child($Child) {
    if (-not $Child) { return }
    try { $Child.Process.StandardInput.WriteLine('quit'); $Child.Process.StandardInput.Flush() } catch { }
    if (-not $Child.Process.WaitForExit(10000)) { $Child.Process.Kill() }
}

Install-Sisimai
$ModulePath = (Resolve-Path $ModulePath).Path
$files = @(Get-ChildItem -LiteralPath $Folder -File | Sort-Object { $_.DirectoryName }, { $_.Name } -Culture ([cultureinfo]::InvariantCulture))
if ($files.Count -eq 0) { throw "no files in $($Folder -join ', ')" }
$list = [IO.Path]::GetTempFileName()
[IO.File]::WriteAllLines($list, [string[]]$files.FullName)

$pwsh = [Environment]::ProcessPath
# Run as a dotnet tool ("dotnet pwsh"), the process is dotnet itself: start pwsh.dll from $PSHOME.
$pwshArgs = @(if ([IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
$loadBefore = if (Test-Path /proc/loadavg) { (Get-Content /proc/loadavg).Split(' ')[0] } else { 'n/a' }

$perl = $null; $ours = $null
try {
    $perl = Start-Child 'perl' @((Join-Path $PSScriptRoot 'sisimai-speed.pl'), $list)
    $ours = Start-Child $pwsh ($pwshArgs + @('-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'Get-BounceReasonSpeed.ps1'), '-ModulePath', $ModulePath, '-Folder', ($Folder -join [IO.Path]::PathSeparator)))

    # Warm-up, not counted: Perl loads Sisimai's MTA modules on first use, .NET compiles the patterns.
    $warm = @{ Sisimai = Invoke-Pass $perl 'run'; Path = Invoke-Pass $ours 'path'; Pipe = Invoke-Pass $ours 'pipe' }
    $passes = @{ Sisimai = @(); Path = @(); Pipe = @() }
    for ($i = 0; $i -lt $Rounds; $i++) {
        $passes.Sisimai += Invoke-Pass $perl 'run'
        $passes.Path += Invoke-Pass $ours 'path'
        $passes.Pipe += Invoke-Pass $ours 'pipe'
    }
}
finally {
    Stop-Child $perl
    Stop-Child $ours
    Remove-Item -LiteralPath $list -ErrorAction SilentlyContinue
}
$loadAfter = if (Test-Path /proc/loadavg) { (Get-Content /proc/loadavg).Split(' ')[0] } else { 'n/a' }

function Best($Name, $All, $Warm) {
    $best = $All | Sort-Object Seconds | Select-Object -First 1
    [pscustomobject]@{
        Tool          = $Name
        Emails        = $best.Emails
        Objects       = $best.Objects
        Errors        = $best.Errors
        BestSeconds   = [Math]::Round($best.Seconds, 4)
        EmailsPerSec  = [int]($best.Emails / [Math]::Max(1e-6, $best.Seconds))
        AllPasses     = ($All | ForEach-Object { [int]($_.Emails / [Math]::Max(1e-6, $_.Seconds)) }) -join ', '
        WarmUpPerSec  = [int]($Warm.Emails / [Math]::Max(1e-6, $Warm.Seconds))
        # CPU time (all threads) per email in the best pass: less sensitive to other load than wall time.
        CpuMsPerEmail = [Math]::Round(1000 * $best.CpuSeconds / [Math]::Max(1, $best.Emails), 3)
    }
}
$rows = @(
    Best "p5-sisimai $($perl.Banner -replace '^Sisimai ', '')" $passes.Sisimai $warm.Sisimai
    Best 'Get-BounceReason -Path <folders>' $passes.Path $warm.Path
    Best 'Get-ChildItem <folders> | Get-BounceReason' $passes.Pipe $warm.Pipe
)
$sisimai = $rows[0].EmailsPerSec
$slower = [Math]::Min($rows[1].EmailsPerSec, $rows[2].EmailsPerSec)
$figures = [pscustomobject]@{
    Rows            = $rows
    SisimaiVersion  = $perl.Banner
    Runtime         = $ours.Banner
    StartSisimai    = [Math]::Round($perl.StartSeconds, 2)
    StartPwsh       = [Math]::Round($ours.StartSeconds, 2)
    Ratio           = [Math]::Round($slower / [Math]::Max(1, $sisimai), 1)
    CpuRatio        = [Math]::Round($rows[0].CpuMsPerEmail / [Math]::Max(0.001, [Math]::Max($rows[1].CpuMsPerEmail, $rows[2].CpuMsPerEmail)), 1)
    RatioTargetMet  = $slower -ge 10 * $sisimai
    RateTargetMet   = $slower -ge 5000
    LoadAverage     = "$loadBefore -> $loadAfter"
    Processors      = [Environment]::ProcessorCount
}
if ($PassThru) { return $figures }

Write-Host "Files: $($files.Count) (one email each) in $($Folder.Count) folder(s); $([Environment]::ProcessorCount) processors; load average $($figures.LoadAverage)"
Write-Host "p5-sisimai: $($perl.Banner)  |  Get-BounceReason: $($ours.Banner)"
Write-Host "Each tool: one warm-up pass (not counted), then the best of $Rounds passes, the tools taking turns."
Write-Host "Start-up is excluded for both: perl + Sisimai took $($figures.StartSisimai) s to start, pwsh + Import-Module $($figures.StartPwsh) s."
$rows | Format-Table Tool, Emails, Objects, Errors, BestSeconds, EmailsPerSec, AllPasses, WarmUpPerSec, CpuMsPerEmail -AutoSize | Out-String -Width 200 | Write-Host
$mark = { param($ok) if ($ok) { 'met' } else { 'NOT met' } }
Write-Host ("Ratio (slower of the two Get-BounceReason forms / p5-sisimai): {0}x   target >= 10x: {1}" -f $figures.Ratio, (& $mark $figures.RatioTargetMet))
Write-Host ("Get-BounceReason emails/s (slower form): {0}   target >= 5,000: {1}" -f $slower, (& $mark $figures.RateTargetMet))
Write-Host ("For reference, CPU time per email: p5-sisimai {0} ms, Get-BounceReason (costlier form) {1} ms; ratio {2}x" -f $rows[0].CpuMsPerEmail, [Math]::Max($rows[1].CpuMsPerEmail, $rows[2].CpuMsPerEmail), $figures.CpuRatio)
