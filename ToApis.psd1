@{
    RootModule           = 'ToApis.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = 'b7d4f0a2-5c1e-4e8b-9a63-2f1d7c9e4a10'
    Author               = 'ToApis contributors'
    CompanyName          = 'ToApis'
    Copyright            = '(c) ToApis contributors. MIT License.'
    Description          = 'Cmdlets for the ToAPIs asynchronous image-generation API: submit, wait, download, upload.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    CmdletsToExport      = @(
        'Connect-ToApis'
        'Disconnect-ToApis'
        'Get-ToApisSession'
        'New-ToApisImage'
        'Get-ToApisTask'
        'Wait-ToApisTask'
        'Send-ToApisFile'
        'Save-ToApisImage'
        'Get-ToApisModel'
        'Get-ToApisBalance'
        'ConvertFrom-ToApisWebhook'
        'Get-ToApisRun'
        'Export-ToApisGallery'
    )
    TypesToProcess       = @('ToApis.Types.ps1xml')
    FormatsToProcess     = @('ToApis.Format.ps1xml')
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('ToAPIs', 'ImageGeneration', 'AI', 'Gemini', 'GPTImage', 'Seedream', 'Flux', 'Bulk', 'Automation', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
            # No ProjectUri, LicenseUri or HelpInfoURI: the project has no public address yet. LICENSE and
            # CHANGELOG.md ship in the module folder.
            ReleaseNotes = 'See CHANGELOG.md in the module folder: first release with submit, wait, upload, download, discovery and safe reruns.'
        }
    }
}
