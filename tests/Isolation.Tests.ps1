# MailBlacklist beside other modules that ship other versions of its libraries (issue 11): each
# scenario runs in a fresh child pwsh, as a user's session would, against the built module and
# the lab. The other copies come from NuGet through tests/Dependencies.proj.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $nuget = $env:MAILBLACKLIST_TEST_NUGET
    if (-not $nuget) { throw 'MAILBLACKLIST_TEST_NUGET is not set: run the tests through ./build.ps1 Test.' }
    $script:Other = @{
        DnsClient    = Join-Path $nuget 'dnsclient/1.6.1/lib/netstandard2.1/DnsClient.dll'
        BouncyCastle = Join-Path $nuget 'bouncycastle.cryptography/2.4.0/lib/net6.0/BouncyCastle.Cryptography.dll'
        MimeKit      = Join-Path $nuget 'mimekit/4.18.0/lib/net8.0/MimeKit.dll'
    }
    $script:Sample = Join-Path $PSScriptRoot '../samples/spamhaus-sbl.eml'

    # The child's script pieces. Each prints lines "key=value"; the test reads them back.
    $script:Prelude = @"
`$ErrorActionPreference = 'Stop'
`$server = '$($Lab.Dnsdist)'
`$catalog = '$LabCatalog'
`$module = '$ModulePath'
`$sample = '$Sample'
function Out-Fact([string] `$Key, `$Value) { "`$Key=`$Value" }
"@
    # What "another module" does with its own copies: a DNS query with DnsClient 1.6.1 and a
    # SHA-256 with BouncyCastle 2.4.0, checked against .NET's own.
    $script:LoadOthers = @"
`$otherDns = [System.Reflection.Assembly]::LoadFrom('$($Other.DnsClient)')
`$otherBc = [System.Reflection.Assembly]::LoadFrom('$($Other.BouncyCastle)')
"@
    $script:UseOthers = @'
$ip, $port = $server -split ':'
$options = [DnsClient.LookupClientOptions]::new([System.Net.IPEndPoint]::new([ipaddress]$ip, [int]$port))
$options.UseCache = $false
$options.Timeout = [timespan]::FromSeconds(2)
$answer = [DnsClient.LookupClient]::new($options).Query('2.0.0.127.good.bl.test', [DnsClient.QueryType]::A)
Out-Fact OtherDnsAnswer (($answer.Answers | ForEach-Object { $_.Address }) -join ',')
Out-Fact OtherDnsVersion ([DnsClient.LookupClient].Assembly.GetName().Version)
$bytes = [System.Text.Encoding]::UTF8.GetBytes('MailBlacklist')
$digest = [Org.BouncyCastle.Crypto.Digests.Sha256Digest]::new()
$digest.BlockUpdate($bytes, 0, $bytes.Length)
$hash = [byte[]]::new(32)
$null = $digest.DoFinal($hash, 0)
$expected = [System.Security.Cryptography.SHA256]::Create().ComputeHash($bytes)
Out-Fact OtherBcHashOk ([Convert]::ToBase64String($hash) -eq [Convert]::ToBase64String($expected))
Out-Fact OtherBcFile ([Org.BouncyCastle.Crypto.Digests.Sha256Digest].Assembly.Location)
'@
    # Every cmdlet against the lab, and where the module's own libraries came from.
    $script:UseModule = @'
Import-Module $module
$common = @{ Server = $server; TimeoutSec = 2; Retry = 0 }
Out-Fact TestDnsbl (Test-Dnsbl 127.0.0.2 -Zone good.bl.test -CatalogPath $catalog @common).Status
Out-Fact Zones (Get-DnsblZone -CatalogPath $catalog).Count
Out-Fact MailServerIp ((Get-MailServerIp -Domain chain.ms.test @common | Measure-Object).Count)
Out-Fact BounceReason (Get-BounceReason -Path $sample | Select-Object -First 1).Reason
Out-Fact DiagnosisCause ((Invoke-MailDeliveryDiagnosis -Path $sample -CatalogPath $catalog @common -WarningAction SilentlyContinue).CauseCode -contains 'BlocklistReported')
foreach ($name in 'DnsClient', 'MimeKit', 'BouncyCastle.Cryptography') {
    $ours = [System.AppDomain]::CurrentDomain.GetAssemblies() | Where-Object {
        $_.GetName().Name -eq $name -and [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name -eq 'MailBlacklist' }
    Out-Fact "Ours.$name" (@($ours | ForEach-Object { Split-Path $_.Location }) -join ';')
}
'@

    function Invoke-Scenario([string] $Script) {
        $out = Invoke-ChildPwsh ($Prelude + "`n" + $Script)
        $facts = @{}
        foreach ($line in $out) {
            if ("$line" -match '^([\w.]+)=(.*)$') { $facts[$Matches[1]] = $Matches[2] }
        }
        $facts.Output = ($out | Out-String)
        $facts
    }

    function Assert-ModuleWorked($Facts) {
        $Facts.TestDnsbl | Should -Be 'Listed' -Because $Facts.Output
        [int]$Facts.Zones | Should -BeGreaterThan 1
        [int]$Facts.MailServerIp | Should -BeGreaterThan 0 -Because $Facts.Output
        $Facts.BounceReason | Should -Be 'Blocked' -Because $Facts.Output
        $Facts.DiagnosisCause | Should -Be 'True' -Because $Facts.Output
        # The module's libraries are its own files, in its own load context.
        $private = Join-Path (Split-Path $ModulePath) 'bin/net8.0'
        foreach ($name in 'DnsClient', 'MimeKit', 'BouncyCastle.Cryptography') {
            $Facts["Ours.$name"] | Should -Be $private -Because "$name must load from the module's folder"
        }
    }

    function Assert-OthersWorked($Facts) {
        $Facts.OtherDnsAnswer | Should -Be '127.0.0.2' -Because $Facts.Output
        $Facts.OtherDnsVersion | Should -Be '1.6.1.0'
        $Facts.OtherBcHashOk | Should -Be 'True' -Because $Facts.Output
        $Facts.OtherBcFile | Should -Be $Other.BouncyCastle
    }
}

Describe 'Isolation from other modules' {
    It 'works when DnsClient 1.6.1 and BouncyCastle 2.4.0 were loaded first, and leaves them working' {
        $facts = Invoke-Scenario ($LoadOthers + "`n" + $UseOthers + "`n" + $UseModule + "`n" + $UseOthers)
        Assert-ModuleWorked $facts
        Assert-OthersWorked $facts
    }

    It 'lets DnsClient 1.6.1 and BouncyCastle 2.4.0 load and work after it, and still works' {
        $facts = Invoke-Scenario ($UseModule + "`n" + $LoadOthers + "`n" + $UseOthers + "`n" + $UseModule)
        Assert-OthersWorked $facts
        Assert-ModuleWorked $facts
    }

    It 'reads bounces with its own MimeKit when an older MimeKit was loaded first' {
        $facts = Invoke-Scenario (@"
`$older = [System.Reflection.Assembly]::LoadFrom('$($Other.MimeKit)')
Out-Fact OlderSubject ([MimeKit.MimeMessage]::Load(`$sample).Subject)
"@ + "`n" + @'
Import-Module $module
$r = @(Get-BounceReason -Path $sample -ErrorVariable errs)
Out-Fact Reason $r[0].Reason
Out-Fact Errors $errs.Count
$ours = [System.AppDomain]::CurrentDomain.GetAssemblies() | Where-Object {
    $_.GetName().Name -eq 'MimeKit' -and [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name -eq 'MailBlacklist' }
Out-Fact OursMimeKit (Split-Path $ours.Location)
Out-Fact OlderStill ([MimeKit.MimeMessage].Assembly.Location)
'@)
        $facts.OlderSubject | Should -Not -BeNullOrEmpty -Because $facts.Output
        $facts.Reason | Should -Be 'Blocked' -Because $facts.Output
        $facts.Errors | Should -Be '0'
        $facts.OursMimeKit | Should -Be (Join-Path (Split-Path $ModulePath) 'bin/net8.0')
        $facts.OlderStill | Should -Be $Other.MimeKit
    }

    It 'shows the engine''s types to PowerShell, but not the libraries beneath it' {
        $facts = Invoke-Scenario @'
Import-Module $module
Out-Fact Engine ([bool]('MailBlacklist.DnsblResult' -as [type]))
Out-Fact DnsClient ([bool]('DnsClient.LookupClient' -as [type]))
Out-Fact MimeKit ([bool]('MimeKit.MimeMessage' -as [type]))
'@
        $facts.Engine | Should -Be 'True' -Because $facts.Output
        $facts.DnsClient | Should -Be 'False'
        $facts.MimeKit | Should -Be 'False'
    }
}

Describe 'A broken installation' {
    BeforeAll {
        # A copy of the module whose DnsClient.dll is the older 1.6.1: what a half-finished update
        # or a hand-copied file leaves behind.
        $script:Broken = Join-Path $TestDrive 'MailBlacklist'
        Copy-Item (Split-Path $ModulePath) $Broken -Recurse
        Copy-Item $Other.DnsClient (Join-Path $Broken 'bin/net8.0/DnsClient.dll') -Force
    }

    It 'stops Import-Module naming the assembly, the version found and the version needed (<Culture>)' -ForEach @(
        @{ Culture = 'en-US'; Words = 'version' }
        @{ Culture = 'ja-JP'; Words = 'バージョン' }
    ) {
        $facts = Invoke-Scenario @"
[cultureinfo]::CurrentUICulture = '$Culture'
try { Import-Module '$Broken'; Out-Fact Imported yes }
catch {
    Out-Fact ErrorId `$_.FullyQualifiedErrorId
    Out-Fact Category `$_.CategoryInfo.Category
    Out-Fact Message (`$_.Exception.Message -replace '\r?\n', ' ')
}
"@
        $facts.Imported | Should -BeNullOrEmpty -Because $facts.Output
        $facts.ErrorId | Should -BeLike 'DependencyLoadFailed*'
        $facts.Category | Should -Be 'ResourceUnavailable'
        $facts.Message | Should -Match "'DnsClient'"
        $facts.Message | Should -Match '1\.8\.0\.0'
        $facts.Message | Should -Match '1\.6\.1\.0'
        $facts.Message | Should -Match $Words
        $facts.Message | Should -Not -Match 'Cannot read'
    }
}

Describe 'Windows PowerShell 5.1' {
    # Runs only where powershell.exe exists (Windows); elsewhere it is reported as skipped, and the
    # README claims nothing for 5.1. It checks the 5.1 path end to end: the net472 folder, the
    # AssemblyResolve handler, and a DnsClient 1.6.1 loaded first beside the module's 1.8.0.
    It 'imports the net472 build and reads a bounce beside another DnsClient' -Skip:(-not (Get-Command powershell.exe -ErrorAction Ignore)) {
        $dnsClient = Join-Path $env:MAILBLACKLIST_TEST_NUGET 'dnsclient/1.6.1/lib/net471/DnsClient.dll'
        $out = & powershell.exe -NoProfile -NonInteractive -Command @"
`$ErrorActionPreference = 'Stop'
`$null = [System.Reflection.Assembly]::LoadFrom('$dnsClient')
Import-Module '$ModulePath'
`$r = Get-BounceReason -Path '$Sample' | Select-Object -First 1
`$zones = (Get-DnsblZone).Count
`$ours = [System.AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'DnsClient' } |
    ForEach-Object { `$_.GetName().Version.ToString() + '@' + (Split-Path `$_.Location) }
'{0}|{1}|{2}' -f `$r.Reason, `$zones, (`$ours -join ';')
"@ 2>&1
        $reason, $zones, $loaded = "$($out | Select-Object -Last 1)" -split '\|'
        $reason | Should -Be 'Blocked' -Because ($out | Out-String)
        [int]$zones | Should -BeGreaterThan 5
        $loaded | Should -Match '1\.6\.1\.0@'
        $loaded | Should -Match ([regex]::Escape('1.8.0.0@' + (Join-Path (Split-Path $ModulePath) 'bin\net472')))
    }
}
