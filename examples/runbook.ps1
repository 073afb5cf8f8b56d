<#
.SYNOPSIS
Makes one image per row of a CSV file, unattended, and exits 0 only when every row's image was saved.

.DESCRIPTION
The scheduled job as Task Scheduler, cron, a CI job or Azure Automation runs it:

    pwsh -NonInteractive -File runbook.ps1 -CsvPath prompts.csv -OutputPath D:\images -RunKey nightly-2026-12-04

Every row of the CSV file (columns Prompt, and optionally Name, Model, Size, Count, ImageUrl) is submitted,
waited for and saved to -OutputPath. A bad row (an empty prompt, a refused model, a failed task) is reported
as an error naming the row and does not stop the others; every image that was paid for is saved. The run
ends with its summary: rows saved and failed, images, time, and the credits the key used meanwhile.

Exit code: 0 when every row was saved; 1 otherwise, after the error ToApis.RunIncomplete has listed each row
not saved and why. Run it again with the same -RunKey to finish: rows that already have a task are found by
their client_business_id (also on a fresh machine without the journal) and never paid for twice, and images
already saved are kept.

The API key and address come from the environment, $env:TOAPIS_API_KEY and $env:TOAPIS_BASE_URL (the address
defaults to https://toapis.com), or, with -VaultName, from a SecretManagement vault.

The module is imported by name: install it (Install-Module ToApis, or copy its ToApis folder) into a folder
on $env:PSModulePath, such as $HOME/.local/share/powershell/Modules, or C:\Program Files\PowerShell\Modules
for every account. In Azure Automation, import it into the account's modules.

.PARAMETER CsvPath
The CSV file of rows, one image request a row.

.PARAMETER OutputPath
The folder the images are saved in, named after the rows' Name column; created if missing.

.PARAMETER RunKey
Names the run for good: the same key on a rerun finds the tasks of every row already submitted, so nothing is
paid twice. Use one key per batch of work, for instance the date of a nightly run.

.PARAMETER JournalPath
The run's journal (JSON lines): what happened to each row, read for the summary and the failed rows.
Default: <RunKey>.toapis.jsonl in -OutputPath.

.PARAMETER VaultName
Read the API key from this SecretManagement vault (Get-Secret) instead of $env:TOAPIS_API_KEY.

.PARAMETER SecretName
The name of the API key's secret in -VaultName. Default: ToApisApiKey.

.EXAMPLE
$env:TOAPIS_API_KEY = '<key>'; pwsh -NonInteractive -File runbook.ps1 -CsvPath prompts.csv -OutputPath ./images -RunKey nightly-2026-12-04

Runs the whole CSV with the key from the environment; rerun the same line to finish what failed.

.EXAMPLE
pwsh -NonInteractive -File runbook.ps1 -CsvPath prompts.csv -OutputPath ./images -RunKey nightly-2026-12-04 -VaultName Automation

Reads the key from the secret ToApisApiKey of the vault Automation (Microsoft.PowerShell.SecretManagement).

.NOTES
Exit codes: 0 every row saved; 1 some rows not saved (listed by ToApis.RunIncomplete), or the run could not
start (no key, a journal held by another run).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string] $CsvPath,

    [Parameter(Mandatory)]
    [string] $OutputPath,

    [Parameter(Mandatory)]
    [string] $RunKey,

    [string] $JournalPath = (Join-Path $OutputPath "$RunKey.toapis.jsonl"),

    [string] $VaultName,

    [string] $SecretName = 'ToApisApiKey'
)

$ErrorActionPreference = 'Stop'
Import-Module ToApis

if ($VaultName) {
    # Without -VaultName the cmdlets read $env:TOAPIS_API_KEY themselves; the address comes from
    # $env:TOAPIS_BASE_URL either way.
    Connect-ToApis -ApiKey (Get-Secret -Name $SecretName -Vault $VaultName)
}

# Under 'Stop' the first bad row would end the whole pipeline. -ErrorAction Continue keeps a row's error that
# row's own (reported on the error stream, recorded in the journal); errors that doom every row, such as a
# refused key, still end the pipeline, and the summary below still says where each row stands.
$eachRow = @{ Journal = $JournalPath; ErrorAction = 'Continue' }
try {
    Import-Csv -LiteralPath $CsvPath |
        New-ToApisImage -RunKey $RunKey @eachRow |
        Wait-ToApisTask @eachRow |
        Save-ToApisImage -Path $OutputPath -FileName '{Name}' @eachRow |
        ForEach-Object { "Saved $($_.FullName)" }
}
catch {
    Write-Error -ErrorRecord $_ -ErrorAction Continue
}

# The summary, and the error ToApis.RunIncomplete listing every row not saved: under 'Stop' it ends the
# script, so the exit code is 1 unless every row was saved.
Get-ToApisRun -Journal $JournalPath -FailIfIncomplete
