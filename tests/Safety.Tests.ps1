# Nothing raw, nothing unanswered, no key anywhere: every string the module writes (object
# properties, errors, warnings, verbose) shows control, bidi, zero-width and BOM characters as
# visible escapes; every input gets an object or an error naming it (also under fuzzing); the DQS
# key may come as a SecureString; a host without a resolver gets a clear error.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    # What SafeText escapes: C0, DEL, C1, Arabic letter mark, zero-width and directional marks,
    # bidi embeddings/overrides, word joiner, bidi isolates, BOM.
    $script:Unsafe = '[\x00-\x1F\x7F-\x9F\u061C\u200B-\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]'
    $script:ESC = [char]0x1B; $script:BEL = [char]7
    $script:RLE = [char]0x202B; $script:RLO = [char]0x202E; $script:PDI = [char]0x2069
    $script:LRM = [char]0x200E; $script:ZWSP = [char]0x200B; $script:ALM = [char]0x061C; $script:BOM = [char]0xFEFF

    # Every string a record shows: each property of an object (strings and string arrays), or an
    # error's message, target name and its ToString.
    function script:Get-ShownText($Record) {
        if ($Record -is [System.Management.Automation.ErrorRecord]) {
            $Record.ToString(); $Record.Exception.Message; $Record.CategoryInfo.TargetName; $Record.CategoryInfo.ToString()
            if ($Record.ErrorDetails) { $Record.ErrorDetails.Message }
            return
        }
        if ($Record -is [System.Management.Automation.InformationalRecord]) { $Record.Message; return }
        foreach ($p in $Record.PSObject.Properties) {
            foreach ($v in @($p.Value)) { if ($v -is [string]) { $v } }
        }
    }

    function script:Get-UnsafeText([object[]] $Records) {
        foreach ($r in $Records) { foreach ($t in @(Get-ShownText $r)) { if ($t -match $Unsafe) { $t } } }
    }

    # A delivery status report whose every field carries a character that must not reach a terminal raw.
    function script:New-HostileReport {
        @"
From: Mail Delivery System <MAILER-DAEMON@mx.example.org>
To: sender@example.com
Subject: Undelivered Mail Returned to Sender
Date: Tue, 1 Jan 2026 00:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain; charset=utf-8

Delivery failed.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx$RLO.example.org

Final-Recipient: rfc822; a${RLE}b@example.org
Action: failed$PDI
Status: 5.7.1
Remote-MTA: dns; rx$ZWSP.example.net
Last-Attempt-Date: Tue, 1 Jan 2026 00:00:00 +0000$ALM$BOM
Diagnostic-Code: smtp; 550 5.7.1 Service unavailable; Client host [192.0.2.2] blocked using zen.spamhaus.org; see https://www.spamhaus.org/query/ip/192.0.2.2$LRM$ESC]0;x

--B--
"@
    }
}

Describe 'Every string that leaves the module is shown safe' {
    BeforeAll {
        $script:Report = Join-Path $TestDrive 'hostile.eml'
        [System.IO.File]::WriteAllText($Report, (New-HostileReport))
        $script:Bounce = Get-BounceReason -LiteralPath $Report
    }

    It 'escapes <Property> of a bounce: <Expected>' -ForEach @(
        @{ Property = 'Recipient'; Expected = 'a\u202Bb@example.org' }
        @{ Property = 'ReportingMta'; Expected = 'mx\u202E.example.org' }
        @{ Property = 'RemoteMta'; Expected = 'rx\u200B.example.net' }
        @{ Property = 'Action'; Expected = 'failed\u2069' }
        @{ Property = 'Date'; Expected = 'Tue, 1 Jan 2026 00:00:00 +0000\u061C\uFEFF' }
    ) {
        $Bounce.$Property | Should -BeExactly $Expected
    }
    It 'escapes DiagnosticText and Url of a bounce' {
        $Bounce.DiagnosticText | Should -BeLike '*192.0.2.2\u200E\x1B]0;x'
        # A URL ends where a control or format character starts.
        $Bounce.Url | Should -BeExactly 'https://www.spamhaus.org/query/ip/192.0.2.2'
        @(Get-UnsafeText $Bounce) | Should -BeNullOrEmpty
    }
    It 'escapes bidi controls in -Message text (the case the fuzz campaign found)' {
        $r = Get-BounceReason -Message "550 5.1.1 <a$($RLE)b@example.org>: User unknown"
        $r.Recipient | Should -BeExactly 'a\u202Bb@example.org'
        $r.DiagnosticText | Should -BeExactly '550 5.1.1 <a\u202Bb@example.org>: User unknown'
    }
    It 'escapes Target and Evidence of a diagnosis, and every other string it writes' {
        $all = Invoke-MailDeliveryDiagnosis -LiteralPath $Report -Zone spamhaus.bl.test -Server $Lab.Dnsdist -CatalogPath $LabCatalog -TimeoutSec 1 -Retry 0 -Verbose *>&1
        $bounce = $all | Where-Object { $_ -is [MailBlacklist.DiagnosisFinding] -and $_.Check -eq 'Bounce' }
        $bounce.Target | Should -BeExactly 'a\u202Bb@example.org'
        $bounce.Evidence | Should -BeLike '*192.0.2.2\u200E\x1B]0;x*'
        @($all | Where-Object { $_ -is [MailBlacklist.DiagnosisFinding] }).Count | Should -BeGreaterThan 1
        @(Get-UnsafeText $all) | Should -BeNullOrEmpty
    }
    It 'escapes a blocklist TXT with ESC, BEL and CR in Reason' {
        $r = Test-Dnsbl 192.0.2.66 -Zone good.bl.test -Server $Lab.Dnsdist -CatalogPath $LabCatalog -TimeoutSec 1 -Retry 0
        $r.Status | Should -Be 'Listed'
        $r.Reason | Should -Match '\\x1B'
        @(Get-UnsafeText $r) | Should -BeNullOrEmpty
    }

    Context 'A file name that would retitle the terminal (ESC ] 0 ; ... BEL)' {
        BeforeAll {
            $script:EvilName = Join-Path $TestDrive "title$ESC]0;PWNED$BEL.eml"
            [System.IO.File]::WriteAllText($EvilName, "From MAILER-DAEMON Tue Jan  1 00:00:00 2026`n")
            $script:EvilMissing = Join-Path $TestDrive "gone$ESC]0;PWNED$BEL$RLO.eml"
        }
        It '<Command> shows it escaped in its error and keeps the raw name as TargetObject' -ForEach @(
            @{ Command = 'Get-BounceReason -LiteralPath'; Run = { param($p) Get-BounceReason -LiteralPath $p } }
            @{ Command = 'Get-BounceReason -Path'; Run = { param($p) Get-BounceReason -Path ([WildcardPattern]::Escape($p)) } }
            @{ Command = 'Invoke-MailDeliveryDiagnosis -LiteralPath'; Run = { param($p) Invoke-MailDeliveryDiagnosis -LiteralPath $p -Server $Lab.Dead -TimeoutSec 0.2 -Retry 0 } }
            @{ Command = 'Get-MailServerIp -Path'; Run = { param($p) Get-MailServerIp -Path ([WildcardPattern]::Escape($p)) -Server $Lab.Dead -TimeoutSec 0.2 -Retry 0 } }
        ) {
            foreach ($file in $EvilName, $EvilMissing) {
                $all = @(& $Run $file 2>&1)
                $errs = @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
                $all.Count | Should -Be $errs.Count
                $errs.Count | Should -Be 1 -Because "one error for $Command"
                # -Path names the input as given: the wildcard-escaped name (a backtick before ']').
                $errs[0].ToString() | Should -Match '\\x1B`?\]0;PWNED\\x07'
                @(Get-UnsafeText $errs) | Should -BeNullOrEmpty
            }
            ([string]$errs[0].TargetObject).Contains("$ESC") | Should -BeTrue -Because 'a script acts on the very input that failed'
            [string]$errs[0].TargetObject | Should -Match 'PWNED'
        }
    }
}

Describe 'Every input gets an answer' {
    It 'reports a file holding only an mbox From line, in <Command>' -ForEach @(
        @{ Command = 'Get-BounceReason'; Run = { param($p) Get-BounceReason -Path $p } }
        @{ Command = 'Invoke-MailDeliveryDiagnosis'; Run = { param($p) Invoke-MailDeliveryDiagnosis -Path $p -Server $Lab.Dead -TimeoutSec 0.2 -Retry 0 } }
    ) {
        $files = foreach ($text in "From MAILER-DAEMON Tue Jan  1 00:00:00 2026`n", "From a`n`nFrom b`n", "From MAILER-DAEMON Tue Jan  1 00:00:00 2026") {
            $f = Join-Path $TestDrive ("only-from-{0}.mbox" -f [guid]::NewGuid().ToString('N').Substring(0, 8))
            [System.IO.File]::WriteAllText($f, $text); $f
        }
        foreach ($f in $files) {
            $all = @(& $Run $f 2>&1)
            $errs = @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            $all.Count | Should -BeGreaterThan 0 -Because "$f must give an object or an error"
            if ($errs.Count) {
                $errs.Count | Should -Be 1
                $errs[0].TargetObject | Should -Be $f
                $errs[0].ToString() | Should -Match ([regex]::Escape((Split-Path -Leaf $f)))
            }
        }
    }

    Context 'Fuzzing: mutants of the corpus, fixed seed' {
        BeforeAll {
            # Mutations the fuzz campaign used: byte flips, truncation, inserted control and bidi
            # characters, duplicated headers; and all of them at once.
            $rng = [System.Random]::new(20261202)
            $sources = @(Get-ChildItem (Join-Path $Corpus 'maildir') -Recurse -File -Filter *.eml | Sort-Object FullName)
            $inserts = @(0x00, 0x07, 0x08, 0x0B, 0x1B, 0x7F, 0x85, 0x9B, 0x061C, 0x200B, 0x200E, 0x200F, 0x202A, 0x202B, 0x202E, 0x2066, 0x2069, 0xFEFF) |
                ForEach-Object { , [System.Text.Encoding]::UTF8.GetBytes([string][char]$_) }
            $script:Mutants = [System.Collections.Generic.List[string]]::new()
            $dir = Join-Path $TestDrive 'mutants'; New-Item -ItemType Directory $dir | Out-Null
            for ($i = 0; $i -lt 300; $i++) {
                $bytes = [System.Collections.Generic.List[byte]]::new([System.IO.File]::ReadAllBytes($sources[$rng.Next($sources.Count)].FullName))
                $kind = $i % 5
                if ($kind -eq 0 -or $kind -eq 4) {
                    for ($n = $rng.Next(1, 40); $n -gt 0; $n--) { $at = $rng.Next($bytes.Count); $bytes[$at] = $bytes[$at] -bxor (1 -shl $rng.Next(8)) }
                }
                if ($kind -eq 1 -or $kind -eq 4) { $keep = $rng.Next($bytes.Count); $bytes.RemoveRange($keep, $bytes.Count - $keep) }
                if ($kind -eq 2 -or $kind -eq 4) {
                    for ($n = $rng.Next(1, 30); $n -gt 0; $n--) { $bytes.InsertRange($rng.Next($bytes.Count + 1), $inserts[$rng.Next($inserts.Count)]) }
                }
                if ($kind -eq 3 -or $kind -eq 4) {
                    # Duplicate a run of header lines, several times over.
                    $text = [System.Text.Encoding]::Latin1.GetString($bytes.ToArray())
                    $end = $text.IndexOf("`n`n"); if ($end -lt 0) { $end = [Math]::Min($text.Length, 400) }
                    $lines = $text.Substring(0, $end) -split "`n"
                    $from = $rng.Next($lines.Count); $run = ($lines[$from..([Math]::Min($lines.Count - 1, $from + $rng.Next(1, 5)))] -join "`n") + "`n"
                    $text = $text.Insert($text.IndexOf($lines[$from]), $run * $rng.Next(1, 20))
                    $bytes = [System.Collections.Generic.List[byte]]::new([System.Text.Encoding]::Latin1.GetBytes($text))
                }
                $path = Join-Path $dir ('mutant-{0:D3}.eml' -f $i)
                [System.IO.File]::WriteAllBytes($path, $bytes.ToArray())
                $Mutants.Add($path)
            }
        }

        It 'gives each of 300 mutants to Get-BounceReason an object or one error, and nothing raw' {
            $errs = $null
            $out = @(Get-BounceReason -LiteralPath $Mutants -ErrorAction SilentlyContinue -ErrorVariable errs)
            $unanswered = foreach ($m in $Mutants) {
                $objects = @($out | Where-Object Path -eq $m).Count
                $errors = @($errs | Where-Object TargetObject -eq $m).Count
                if (-not (($objects -gt 0 -and $errors -eq 0) -or ($objects -eq 0 -and $errors -eq 1))) { "$(Split-Path -Leaf $m): $objects objects, $errors errors" }
            }
            @($unanswered) | Should -BeNullOrEmpty
            $out.Count | Should -BeGreaterThan 200
            @(Get-UnsafeText ($out + @($errs))) | Should -BeNullOrEmpty
        }
        It 'gives each of 100 mutants to Invoke-MailDeliveryDiagnosis -Path findings or one error, and nothing raw' {
            $some = @(for ($i = 0; $i -lt $Mutants.Count; $i += 3) { $Mutants[$i] })
            $errs = $null
            $all = @(Invoke-MailDeliveryDiagnosis -Path $some -Zone spamhaus.bl.test -Server $Lab.Dnsdist -CatalogPath $LabCatalog -TimeoutSec 1 -Retry 0 -ErrorVariable errs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
            $unanswered = foreach ($m in $some) {
                $findings = @($all | Where-Object Input -eq $m).Count
                $errors = @($errs | Where-Object TargetObject -eq $m).Count
                if (-not (($findings -gt 0 -and $errors -eq 0) -or ($findings -eq 0 -and $errors -eq 1))) { "$(Split-Path -Leaf $m): $findings findings, $errors errors" }
            }
            @($unanswered) | Should -BeNullOrEmpty
            @(Get-UnsafeText ($all + @($errs))) | Should -BeNullOrEmpty
        }
    }
}

Describe 'The Spamhaus DQS key as a SecureString' {
    It 'takes -DqsKey as a SecureString (as Get-Secret returns it) and shows the key nowhere' {
        $key = 'SECRETKEY123abc'
        $secure = [System.Net.NetworkCredential]::new('', $key).SecurePassword
        $all = @('192.0.2.2', 'bogus' | Test-Dnsbl -Zone spamhaus.bl.test -DqsKey $secure -Server $Lab.Dnsdist -CatalogPath $LabCatalog -TimeoutSec 1 -Retry 0 -NoCache -Verbose *>&1)
        $all += @(Invoke-MailDeliveryDiagnosis -IPAddress 192.0.2.4 -Zone spamhaus.bl.test -DqsKey $secure -Server $Lab.Dnsdist -CatalogPath $LabCatalog -TimeoutSec 1 -Retry 0 -Verbose *>&1)
        $listed = $all | Where-Object { $_ -is [MailBlacklist.DnsblResult] -and $_.Input -eq '192.0.2.2' }
        $listed.Status | Should -Be 'Listed'
        ($all | Where-Object { $_ -is [MailBlacklist.DiagnosisFinding] -and $_.Check -eq 'IpBlocklist' }).CauseCode | Should -Be 'BlocklistCompromise'
        $shown = @($all | ForEach-Object { Get-ShownText $_ }) + @($all | Out-String -Width 500) + @($all | ConvertTo-Json -Depth 4 -WarningAction SilentlyContinue)
        ($shown -join "`n") | Should -Not -Match $key
        ($shown -join "`n").Length | Should -BeGreaterThan 500
    }
    It 'refuses a malformed SecureString key without showing it' {
        $secure = [System.Net.NetworkCredential]::new('', 'evil.key.example').SecurePassword
        $err = $null
        try { Test-Dnsbl -IPAddress 192.0.2.4 -Zone spamhaus.bl.test -DqsKey $secure -Server $Lab.Dnsdist -CatalogPath $LabCatalog -ErrorAction Stop }
        catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'InvalidDqsKey,*'
        ($err | Out-String) | Should -Not -Match 'evil'
    }
}

Describe 'A host with no system resolver' {
    BeforeAll {
        # A private network namespace (only a loopback adapter) and a mount namespace in which
        # /etc/resolv.conf is a file of the test's own: what a container or sandbox looks like.
        $script:CanIsolate = $false
        if ($IsLinux -and (Get-Command unshare -ErrorAction SilentlyContinue)) {
            & unshare -n -m true 2>$null
            $script:CanIsolate = $LASTEXITCODE -eq 0
        }
        function script:Invoke-Isolated([string] $ResolvConf, [string] $Command, [switch] $LoopbackUp, [string] $Lang = 'en_US.UTF-8') {
            $conf = Join-Path $TestDrive ('resolv-{0}.conf' -f [guid]::NewGuid().ToString('N').Substring(0, 8))
            [System.IO.File]::WriteAllText($conf, $ResolvConf)
            $script = Join-Path $TestDrive 'isolated.ps1'
            Set-Content -LiteralPath $script -Value "Import-Module '$ModulePath'; $Command"
            $pwsh = Join-Path $PSHOME 'pwsh.dll'
            $up = if ($LoopbackUp) { 'ip link set lo up && ' } else { '' }
            & unshare -n -m sh -c "$up mount --bind '$conf' /etc/resolv.conf && NO_COLOR=1 LANG=$Lang exec dotnet '$pwsh' -NoProfile -NonInteractive -File '$script'" 2>&1 | Out-String
        }
    }
    It 'stops with a localized error that names -Server (en-US and ja-JP)' {
        if (-not $CanIsolate) { Set-ItResult -Skipped -Because 'no private network namespace here (needs root and unshare)'; return }
        $text = Invoke-Isolated "# no nameserver`n" 'try { Test-Dnsbl 192.0.2.1 -ErrorAction Stop } catch { "ID=" + $_.FullyQualifiedErrorId; "MSG=" + $_.Exception.Message }'
        $text | Should -Match 'ID=NoSystemResolver,'
        $text | Should -Match 'MSG=No DNS resolver was found.*-Server'
        $text | Should -Not -Match 'Value cannot be null'
        $ja = Invoke-Isolated '' -Lang 'ja_JP.UTF-8' -Command 'try { Invoke-MailDeliveryDiagnosis -Domain example.org -ErrorAction Stop } catch { "ID=" + $_.FullyQualifiedErrorId; "MSG=" + $_.Exception.Message }'
        $ja | Should -Match 'ID=NoSystemResolver,'
        $ja | Should -Match 'MSG=.*DNS サーバー.*-Server'
    }
    It 'reads /etc/resolv.conf itself when the only adapter is loopback' {
        if (-not $CanIsolate) { Set-ItResult -Skipped -Because 'no private network namespace here (needs root and unshare)'; return }
        # Nothing listens on 127.0.0.1:53 in the new namespace: every list is an Error, never NotListed.
        $command = "`$r = Test-Dnsbl 192.0.2.1 -Zone good.bl.test -CatalogPath '$LabCatalog' -TimeoutSec 0.3 -Retry 0 -Verbose 4>&1; " +
            '$r | ForEach-Object { if ($_ -is [MailBlacklist.DnsblResult]) { "STATUS=" + $_.Status } else { "VERBOSE=" + $_.Message } }'
        $text = Invoke-Isolated "nameserver 127.0.0.1`n" $command -LoopbackUp
        $text | Should -Match 'VERBOSE=.*system \(127\.0\.0\.1(:53)?\)'
        $text | Should -Match 'STATUS=Error'
        $text | Should -Not -Match 'NoSystemResolver'
    }
}
