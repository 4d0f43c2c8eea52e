<#
.SYNOPSIS
    Child process of Measure-BounceSpeed.ps1: times Get-BounceReason, one pass per command read from
    stdin, so that the driver can alternate it with p5-sisimai in the same run.
.DESCRIPTION
    Commands: "path" runs Get-BounceReason -Path <folders> (folders named without wildcards); "pipe" runs
    Get-ChildItem <folders> -File | Get-BounceReason; "quit" ends. Each pass prints
    "<seconds> <emails> <objects> <errors> <cpu seconds>" (CPU: user plus system time of the process). Start-up (pwsh, Import-Module) is outside the passes.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    # Folders, separated by [IO.Path]::PathSeparator (pwsh -File passes one string per parameter).
    [Parameter(Mandatory)] [string] $Folder
)
$ErrorActionPreference = 'Stop'
$folders = $Folder.Split([IO.Path]::PathSeparator)
Import-Module $ModulePath
$emails = @(Get-ChildItem -LiteralPath $folders -File).Count
[Console]::Out.WriteLine("ready PowerShell $($PSVersionTable.PSVersion) .NET $([Environment]::Version)")
while ($null -ne ($line = [Console]::In.ReadLine()) -and $line -ne 'quit') {
    $errors = @()
    $self = [Diagnostics.Process]::GetCurrentProcess()
    $cpu0 = $self.TotalProcessorTime
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $objects = switch ($line) {
        'path' { (Get-BounceReason -Path $folders -ErrorAction SilentlyContinue -ErrorVariable +errors | Measure-Object).Count }
        'pipe' { (Get-ChildItem -LiteralPath $folders -File | Get-BounceReason -ErrorAction SilentlyContinue -ErrorVariable +errors | Measure-Object).Count }
        default { throw "unknown command '$line'" }
    }
    $clock.Stop()
    $self.Refresh()
    $cpu = ($self.TotalProcessorTime - $cpu0).TotalSeconds
    [Console]::Out.WriteLine([string]::Format([cultureinfo]::InvariantCulture, '{0:F6} {1} {2} {3} {4:F6}', $clock.Elapsed.TotalSeconds, $emails, $objects, $errors.Count, $cpu))
}
