# What every cmdlet built on the ordered-async base (src/MailBlacklist/OrderedAsyncCmdlet.cs) does
# alike: errors about rejected input stand in their input's place among the results, and Ctrl+C
# ends the command within a second even with queries waiting on a server that never answers.
BeforeAll {
    . $PSScriptRoot/Common.ps1
}

Describe 'Ordered output: rejected input in its place' {
    It 'Test-Dnsbl writes an error for a bad address between the results of the addresses around it' {
        $all = @('192.0.2.10', 'not-an-address', '192.0.2.99' |
            Test-Dnsbl -Zone good.bl.test -Server $Lab.Dnsdist -CatalogPath $LabCatalog -TimeoutSec 1 -Retry 0 -NoCache 2>&1)
        $all.Count | Should -Be 3
        $all[0].Input | Should -Be '192.0.2.10'
        $all[1] | Should -BeOfType [System.Management.Automation.ErrorRecord]
        $all[1].FullyQualifiedErrorId | Should -BeLike 'InvalidIPAddress,*'
        $all[1].TargetObject | Should -Be 'not-an-address'
        $all[2].Input | Should -Be '192.0.2.99'
    }
}

Describe 'Ordered output: Ctrl+C' {
    It '<Name> stops within a second with every query waiting on a dead server' -ForEach @(
        @{ Name = 'Get-MailServerIp'; Script = { param($m, $s) Import-Module $m; 1..200 | ForEach-Object { "d$_.ms.test" } | Get-MailServerIp -Server $s -TimeoutSec 10 -Retry 3 } }
        @{ Name = 'Invoke-MailDeliveryDiagnosis'; Script = { param($m, $s) Import-Module $m; 1..200 | ForEach-Object { "d$_.diag.test" } | Invoke-MailDeliveryDiagnosis -Server $s -TimeoutSec 10 -Retry 3 } }
    ) {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript($Script.ToString()).AddArgument($ModulePath).AddArgument($Lab.Dead)
            Assert-StopsWithQueriesOnTheWire $ps -StartSeconds 20
        }
        finally { $ps.Dispose() }
    }
}
