#Requires -Version 7.0
# Get-BounceReason over many files: files are parsed on worker threads and written in input order
# on the pipeline thread. These tests check the order (with big files ahead of small ones, so that
# workers finish out of order), errors in their place, and Ctrl+C. They time nothing: speed is
# measured by ./build.ps1 BounceSpeed beside p5-sisimai.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:Own = Join-Path $PSScriptRoot 'bounces'
    $bsd = @(Get-ChildItem (Join-Path $script:Corpus 'maildir/bsd') -File | Sort-Object Length)
    # Largest, smallest, second largest, second smallest...: a slow file ahead of fast ones.
    $script:Files = @(for ($i = 0; $i -lt [Math]::Ceiling($bsd.Count / 2); $i++) {
            $bsd[$bsd.Count - 1 - $i]
            if ($i -lt $bsd.Count - 1 - $i) { $bsd[$i] }
        })

    # The inputs in the order their objects and errors came out: Path of a BounceReason,
    # TargetObject of an error; consecutive repeats (several recipients of one file) collapsed.
    function Get-OutputOrder([object[]] $Items) {
        $order = [Collections.Generic.List[string]]::new()
        foreach ($item in $Items) {
            $key = if ($item -is [System.Management.Automation.ErrorRecord]) { [string]$item.TargetObject } else { $item.Path }
            if ($order.Count -eq 0 -or $order[$order.Count - 1] -ne $key) { $order.Add($key) }
        }
        $order.ToArray()
    }

    function Get-Key($r) { '{0}|{1}|{2}|{3}|{4}|{5}' -f $r.Path, $r.MessageNumber, $r.Recipient, $r.Reason, $r.Status, $r.IPAddress }
}

Describe 'Get-BounceReason over many files' {
    It 'writes every file in input order, with the objects each file gives on its own' {
        $script:Files.Count | Should -BeGreaterThan 200
        $all = @(Get-BounceReason -LiteralPath $script:Files.FullName -ErrorVariable errs)
        $errs.Count | Should -Be 0
        Get-OutputOrder $all | Should -Be $script:Files.FullName
        # One file per command cannot be reordered: the same objects must come out.
        $alone = @(foreach ($f in $script:Files) { Get-BounceReason -LiteralPath $f.FullName })
        $all.Count | Should -Be $alone.Count
        @($all | ForEach-Object { Get-Key $_ }) | Should -Be @($alone | ForEach-Object { Get-Key $_ })
    }

    It 'keeps the order of Get-ChildItem items piped in' {
        $all = @($script:Files | Get-BounceReason)
        Get-OutputOrder $all | Should -Be $script:Files.FullName
    }

    It 'writes a folder''s files in name order' {
        $folder = Join-Path $script:Corpus 'maildir/mac'
        $names = @(Get-ChildItem $folder -File | ForEach-Object FullName)
        [Array]::Sort($names, [StringComparer]::Ordinal)
        Get-OutputOrder @(Get-BounceReason -Path $folder) | Should -Be $names
    }

    It 'writes the error of a bad or missing file in its place and goes on with the rest' {
        $missing = Join-Path $TestDrive 'missing.eml'
        $bad = @((Join-Path $script:Own 'binary.bin'), $missing, (Join-Path $script:Own 'empty.eml'))
        $inputs = @($script:Files[0..29].FullName) + $bad[0] + @($script:Files[30..59].FullName) + $bad[1] + $bad[2] + @($script:Files[60..89].FullName)
        $items = @(Get-BounceReason -LiteralPath $inputs -ErrorAction Continue 2>&1)
        Get-OutputOrder $items | Should -Be $inputs
        $errors = @($items | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $errors.Count | Should -Be 3
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'BinaryInput,*'
        $errors[1].FullyQualifiedErrorId | Should -BeLike 'PathNotFound,*'
        $errors[2].FullyQualifiedErrorId | Should -BeLike 'EmptyInput,*'
        # Each message names the file it is about.
        $errors[0].Exception.Message | Should -BeLike '*binary.bin*'
        $errors[1].Exception.Message | Should -BeLike '*missing.eml*'
        $errors[2].Exception.Message | Should -BeLike '*empty.eml*'
        @($items | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] }).Count | Should -BeGreaterOrEqual 90
    }

    It 'shows no control character of a file name in its error, as the other bounce cmdlets do' {
        # A file name may hold an escape sequence; printed raw it would recolour or rewrite the
        # terminal. The error is written on the pipeline thread from what a worker returned.
        $name = Join-Path $TestDrive "esc$([char]27)[31mred.eml"
        [IO.File]::WriteAllBytes($name, [byte[]]@())
        $errs = $null
        Get-BounceReason -LiteralPath $name -ErrorVariable errs -ErrorAction SilentlyContinue
        @($errs).Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'EmptyInput,*'
        $errs[0].Exception.Message | Should -BeLike '*red.eml*'
        $errs[0].Exception.Message.Contains([char]27) | Should -BeFalse
    }

    It 'stops when the pipeline is stopped, without reading the files still queued' {
        # Enough work for a long while: the corpus forty times over.
        $many = @(foreach ($i in 1..40) { $script:Files.FullName })
        $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddCommand('Import-Module').AddParameter('Name', $script:ModulePath).Invoke()
            $ps.Commands.Clear()
            $null = $ps.AddCommand('Get-BounceReason').AddParameter('LiteralPath', [string[]]$many)
            $handle = $ps.BeginInvoke([System.Management.Automation.PSDataCollection[psobject]]$null, $output)
            # Wait until it is writing (generous: a loaded machine).
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while ($output.Count -eq 0 -and -not $handle.IsCompleted -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            $output.Count | Should -BeGreaterThan 0
            $ps.Stop()   # returns when the pipeline has stopped
            $handle.AsyncWaitHandle.WaitOne(10000) | Should -BeTrue
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            # It stopped, rather than running through: far fewer objects than the whole input gives.
            $written = $output.Count
            $written | Should -BeLessThan ($many.Count / 2)
            # And nothing more arrives afterwards.
            Start-Sleep -Milliseconds 300
            $output.Count | Should -Be $written
        }
        finally { $ps.Dispose() }
    }
}
