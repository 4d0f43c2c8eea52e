# The module as a user gets it: manifest, package, help and messages in both cultures.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:Cmdlets = (Import-PowerShellDataFile $ModulePath).CmdletsToExport
    $script:Common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters

    # Get-Help caches per session, so each culture gets a fresh runspace.
    function Get-HelpIn([string] $Culture, [string] $Name) {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                param($module, $culture, $name)
                [System.Threading.Thread]::CurrentThread.CurrentUICulture = $culture
                [System.Threading.Thread]::CurrentThread.CurrentCulture = $culture
                Import-Module $module
                Get-Help $name -Full
            }).AddArgument($ModulePath).AddArgument($Culture).AddArgument($Name)
            $ps.Invoke() | Select-Object -First 1
        }
        finally { $ps.Dispose() }
    }
}

Describe 'Module' {
    It 'has a valid manifest that exports every cmdlet the DLL defines' {
        $manifest = Test-ModuleManifest $ModulePath
        $manifest.CompatiblePSEditions | Should -Be @('Desktop', 'Core')
        $defined = (Get-Module MailBlacklist).ExportedCmdlets.Keys | Sort-Object
        $defined | Should -Be ($Cmdlets | Sort-Object)
        $Cmdlets | Should -Contain 'Test-Dnsbl'
    }

    It 'ships the catalogue as a data file beside the module' {
        $catalog = Join-Path (Split-Path $ModulePath) 'catalog.json'
        Test-Path $catalog | Should -BeTrue
        (Get-Content $catalog -Raw | ConvertFrom-Json).zones.Count | Should -BeGreaterThan 10
    }

    It 'installs from a local repository with Install-PSResource and works' {
        $packages = $env:MAILBLACKLIST_TEST_PACKAGES
        $packages | Should -Not -BeNullOrEmpty
        Get-ChildItem $packages -Filter 'MailBlacklist.*.nupkg' | Should -Not -BeNullOrEmpty
        # A separate HOME keeps the install and the repository registration out of the user's.
        $home_ = Join-Path $TestDrive 'home'
        New-Item -ItemType Directory $home_ | Out-Null
        $script = @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name t -Uri '$packages' -Trusted
Install-PSResource -Name MailBlacklist -Repository t -TrustRepository -Scope CurrentUser
Import-Module MailBlacklist
`$base = (Get-Module MailBlacklist).ModuleBase
`$count = (Get-DnsblZone -Default).Count
# The package carries both private folders, and the installed copy loads its own libraries.
`$engine = [System.AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'MailBlacklist.Engine' }
`$alc = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$engine).Name
`$net472 = Test-Path (Join-Path `$base 'bin/net472/MailBlacklist.dll')
'{0}|{1}|{2}|{3}|{4}' -f `$base, `$count, (Split-Path `$engine.Location), `$alc, `$net472
"@
        $savedHome = $env:HOME
        try {
            $env:HOME = $home_
            $out = Invoke-ChildPwsh $script
        }
        finally { $env:HOME = $savedHome }
        $line = $out | Select-Object -Last 1
        $base, $count, $engineDir, $context, $net472 = "$line" -split '\|'
        $base | Should -BeLike "$home_*" -Because ($out | Out-String)
        [int]$count | Should -BeGreaterThan 5
        $engineDir | Should -Be (Join-Path $base 'bin/net8.0')
        $context | Should -Be 'MailBlacklist'
        $net472 | Should -Be 'True'
    }
}

Describe 'Help' {
    It 'is complete for <Name> in <Culture>' -ForEach @(
        foreach ($c in (Import-PowerShellDataFile $env:MAILBLACKLIST_TEST_MODULE).CmdletsToExport) {
            @{ Name = $c; Culture = 'en-US' }
            @{ Name = $c; Culture = 'ja-JP' }
        }
    ) {
        $help = Get-HelpIn $Culture $Name
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -BeLike "$Name *"   # not the generated syntax line
        ($help.Description.Text -join '') | Should -Not -BeNullOrEmpty
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 3
        foreach ($example in $help.Examples.Example) {
            $example.Code | Should -Not -BeNullOrEmpty
        }
        $parameters = (Get-Command $Name).Parameters.Keys | Where-Object { $_ -notin $Common }
        foreach ($p in $parameters) {
            $entry = $help.Parameters.Parameter | Where-Object Name -eq $p
            $entry | Should -Not -BeNullOrEmpty -Because "-$p of $Name needs help in $Culture"
            ($entry.Description.Text -join '') | Should -Not -BeNullOrEmpty -Because "-$p of $Name needs a description in $Culture"
        }
        if ($Culture -eq 'ja-JP') { $help.Synopsis | Should -Match '[\u3040-\u30ff\u4e00-\u9fff]' }
        else { $help.Synopsis | Should -Not -Match '[\u3040-\u30ff\u4e00-\u9fff]' }
    }

    It 'states the real default of -ThrottleLimit for <Name> in <Culture>' -ForEach @(
        foreach ($c in 'Test-Dnsbl', 'Get-MailServerIp', 'Invoke-MailDeliveryDiagnosis') {
            @{ Name = $c; Culture = 'en-US' }
            @{ Name = $c; Culture = 'ja-JP' }
        }
    ) {
        # The value a command gets when the user gives none, read from a fresh instance of the cmdlet.
        $default = [Activator]::CreateInstance((Get-Command $Name).ImplementingType).ThrottleLimit
        $default | Should -BeGreaterThan 1
        $xml = [xml](Get-Content (Join-Path $PSScriptRoot "../$Culture/MailBlacklist.dll-Help.xml") -Raw -Encoding utf8)
        $command = $xml.SelectNodes("//*[local-name()='command']") | Where-Object { $_.details.name -eq $Name }
        $entries = @($command.SelectNodes(".//*[local-name()='parameter'][*[local-name()='name']='ThrottleLimit']"))
        $stated = @($entries | Where-Object { $_.SelectSingleNode("*[local-name()='defaultValue']") })
        $stated.Count | Should -BeGreaterThan 0
        foreach ($e in $entries) {
            $value = $e.SelectSingleNode("*[local-name()='defaultValue']")
            if ($value) { $value.InnerText | Should -Be "$default" }
            # The description says the same number ("The default is 512", "既定値は 512").
            $text = $e.SelectSingleNode("*[local-name()='description']").InnerText
            if ($text) { $text | Should -Match "(default is|既定値は) $default\b" }
        }
    }

    It 'has about topics in both cultures' -ForEach @(
        foreach ($culture in 'en-US', 'ja-JP') {
            foreach ($file in Get-ChildItem (Join-Path $PSScriptRoot "../$culture") -Filter 'about_*.help.txt') {
                @{ Culture = $culture; Topic = $file.Name -replace '\.help\.txt$' }
            }
        }
    ) {
        $text = Get-HelpIn $Culture $Topic
        "$text" | Should -Match 'MailBlacklist'
        if ($Culture -eq 'ja-JP') { "$text" | Should -Match '[\u3040-\u30ff\u4e00-\u9fff]' }
    }

    It 'names the same about topics in both cultures' {
        $en = (Get-ChildItem (Join-Path $PSScriptRoot '../en-US') -Filter 'about_*').Name | Sort-Object
        $ja = (Get-ChildItem (Join-Path $PSScriptRoot '../ja-JP') -Filter 'about_*').Name | Sort-Object
        $ja | Should -Be $en
        $en | Should -Contain 'about_MailBlacklist.help.txt'
    }
}

Describe 'Messages' {
    It 'has the same keys in <File> and its ja-JP twin, and every Japanese text is Japanese' -ForEach @(
        foreach ($f in Get-ChildItem (Join-Path $PSScriptRoot '../src') -Recurse -Filter '*.resx' | Where-Object Name -notlike '*.ja-JP.resx') {
            @{ File = $f.Name; Path = $f.FullName }
        }
    ) {
        $read = { param($p) $x = [xml](Get-Content $p -Raw -Encoding utf8); $h = @{}; foreach ($d in $x.root.data) { $h[$d.name] = $d.value }; $h }
        $en = & $read $Path
        $ja = & $read ($Path -replace '\.resx$', '.ja-JP.resx')
        ($ja.Keys | Sort-Object) | Should -Be ($en.Keys | Sort-Object)
        foreach ($k in $en.Keys) {
            $en[$k] | Should -Not -BeNullOrEmpty -Because $k
            $ja[$k] | Should -Match '[\u3040-\u30ff\u4e00-\u9fff]' -Because "$k must be translated"
            # The same format placeholders, or a translated message would throw or drop a value.
            ([regex]::Matches($ja[$k], '\{\d+[^}]*\}').Value | Sort-Object -Unique) | Should -Be ([regex]::Matches($en[$k], '\{\d+[^}]*\}').Value | Sort-Object -Unique) -Because $k
        }
    }
}

Describe 'Source layout' {
    It 'puts every type in the namespace of its folder, but for the output types users name' {
        # The output types are the module's contract: the help's OUTPUTS, the Format.ps1xml views,
        # users' "-is [MailBlacklist.DnsblResult]" and the #TYPE line of saved CSVs name them in
        # the module's own namespace, wherever their file sits.
        $contract = 'BounceReason.cs', 'DiagnosisFinding.cs', 'DnsblResult.cs', 'DnsblZone.cs', 'MailServerAddress.cs', 'DelistingRequest.cs'
        $src = (Resolve-Path (Join-Path $PSScriptRoot '../src')).Path
        $wrong = foreach ($file in Get-ChildItem $src -Recurse -Filter '*.cs' | Where-Object FullName -notmatch '[\\/](obj|bin)[\\/]') {
            $relative = [System.IO.Path]::GetRelativePath($src, $file.DirectoryName) -replace '[\\/]', '.'
            $expected = if ($file.Name -in $contract) { 'MailBlacklist' } else { $relative }
            foreach ($m in [regex]::Matches((Get-Content $file.FullName -Raw), '(?m)^namespace\s+([\w.]+)')) {
                if ($m.Groups[1].Value -ne $expected) { "$($file.Name): $($m.Groups[1].Value), expected $expected" }
            }
        }
        $wrong | Should -BeNullOrEmpty
    }
}
