@{
    RootModule           = 'MailBlacklist.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '92be0526-d152-4199-9419-30749f2f6ff7'
    Author               = 'MailBlacklist developers'
    CompanyName          = 'MailBlacklist'
    Copyright            = '(c) MailBlacklist developers. MIT License.'
    Description          = 'Tells a mail administrator why mail is not delivered: reads bounces, finds the sending servers, checks them against DNS blocklists correctly and fast, and says what to do, in English and Japanese.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('MailBlacklist.Format.ps1xml')
    CmdletsToExport      = @('Test-Dnsbl', 'Get-DnsblZone', 'Get-MailServerIp', 'Get-BounceReason', 'Invoke-MailDeliveryDiagnosis', 'New-DelistingRequest', 'Export-MailDeliveryReport')
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('DNSBL', 'Blocklist', 'Spamhaus', 'Email', 'Bounce', 'SMTP', 'Linux', 'Windows')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            ProjectUri   = 'https://example.invalid/MailBlacklist'
        }
    }
}
