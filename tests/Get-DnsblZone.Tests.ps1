# Get-DnsblZone with a user's own catalogue file (-CatalogPath): what loads, and how a broken one fails.
BeforeAll {
    . $PSScriptRoot/Common.ps1
}

Describe 'Get-DnsblZone -CatalogPath' {
    It 'loads a catalogue saved with a byte-order mark, as Windows PowerShell writes it' {
        $expected = (Get-DnsblZone -CatalogPath $LabCatalog).Name
        foreach ($encoding in 'utf8BOM', 'unicode', 'bigendianunicode') {
            $path = Join-Path $TestDrive "bom-$encoding.json"
            Get-Content $LabCatalog -Raw | Set-Content $path -Encoding $encoding -NoNewline
            (Get-DnsblZone -CatalogPath $path).Name | Should -Be $expected -Because $encoding
        }
    }

    It 'stops with a localized error naming a catalogue that is not valid JSON' {
        $path = Join-Path $TestDrive 'broken.json'
        (Get-Content $LabCatalog -Raw).Substring(0, 200) | Set-Content $path
        $err = $null
        try { Get-DnsblZone -CatalogPath $path } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'CatalogLoadFailed,*'
        $err.TargetObject | Should -Be $path
        $err.Exception.Message | Should -BeLike "The blocklist catalogue '$path' could not be read: *"

        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                param($module, $catalog)
                [System.Threading.Thread]::CurrentThread.CurrentUICulture = 'ja-JP'
                Import-Module $module
                try { Get-DnsblZone -CatalogPath $catalog } catch { $_.Exception.Message }
            }).AddArgument($ModulePath).AddArgument($path)
            $ps.Invoke() | Should -BeLike "ブラックリストのカタログ '$path' を読み込めませんでした: *"
        }
        finally { $ps.Dispose() }
    }

    It 'stops on a catalogue whose values have the wrong shape' {
        $path = Join-Path $TestDrive 'shape.json'
        '{"version": 1, "zones": [{"name": "a.test", "kinds": "IPv4"}]}' | Set-Content $path
        $err = $null
        try { Get-DnsblZone -CatalogPath $path } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'CatalogLoadFailed,*'
        $err.Exception.Message | Should -Match 'kinds'
    }
}
