# The module's entry point. Only MailBlacklist.Loader.dll loads into PowerShell's shared context;
# it loads the cmdlets, the engine and their dependencies (MimeKit, DnsClient, BouncyCastle, ...)
# from bin/<framework> so that other modules' copies of those libraries, of any version, do not
# clash with ours: through the module's own AssemblyLoadContext on PowerShell 7, through an
# AssemblyResolve handler on Windows PowerShell 5.1 (see src/MailBlacklist.Loader).

$framework = if ($PSVersionTable.PSEdition -eq 'Core') { 'net8.0' } else { 'net472' }
$isReload = [bool]('MailBlacklist.Loader.ModuleLoader' -as [type])
if (-not $isReload) {
    # LoadFrom, not Add-Type: the same load, without Add-Type's own start-up cost.
    $null = [System.Reflection.Assembly]::LoadFrom([System.IO.Path]::Combine($PSScriptRoot, 'bin', $framework, 'MailBlacklist.Loader.dll'))
}

try {
    $cmdletAssembly = [MailBlacklist.Loader.ModuleLoader]::Initialize()
}
catch {
    # A missing file or a version clash: say which assembly and which versions, and stop the import.
    $cause = $_.Exception
    while ($cause.InnerException -and -not ($cause -is [MailBlacklist.Loader.DependencyLoadException])) { $cause = $cause.InnerException }
    $target = if ($cause -is [MailBlacklist.Loader.DependencyLoadException]) { $cause.AssemblyName } else { $null }
    throw (New-Object System.Management.Automation.ErrorRecord $cause, 'DependencyLoadFailed', 'ResourceUnavailable', $target)
}

# The nested module is the cmdlet assembly; its cmdlets become this module's own.
$importModule = Get-Command -Name Import-Module -Module Microsoft.PowerShell.Core
$inner = & $importModule -Assembly $cmdletAssembly -PassThru:$isReload
# The engine's types (the output types, such as MailBlacklist.DnsblResult) are the
# module's contract: importing its assembly lets [type] literals find them in the module's load
# context. The libraries below it (MimeKit, DnsClient) stay out of sight.
$engineAssembly = [MailBlacklist.Loader.ModuleLoader]::EngineAssembly
& $importModule -Assembly $engineAssembly
if ($inner) {
    # Import-Module -Force imports an assembly already loaded from a cache that skips adding its
    # cmdlets to the calling module (PowerShell issue 20710), so add them here.
    $addExportedCmdlet = [System.Management.Automation.PSModuleInfo].GetMethod('AddExportedCmdlet',
        [System.Reflection.BindingFlags]'Instance, NonPublic')
    foreach ($cmdlet in $inner.ExportedCmdlets.Values) {
        $addExportedCmdlet.Invoke($ExecutionContext.SessionState.Module, @(, $cmdlet))
    }
}
