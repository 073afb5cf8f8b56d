#Requires -Version 7.0
<#
.SYNOPSIS
    Builds, tests and demonstrates the ToApis module.

.DESCRIPTION
    Build  lays out the importable module folder out/ToApis (manifest, formats, assembly, dependencies, and
           en-US help built from docs/cmdlets by the project's own converter, src/ToApis.HelpBuilder).
    Test   runs the xunit suite (the hosted PowerShell engine against the emulator), then the Pester
           suite against out/ToApis in a fresh pwsh, with the installed Pester 5 or else the Pester that
           tools/ToApis.Tools.csproj brings from NuGet; closes with one "N passed, N failed, N skipped" line
           for both suites and fails when either failed. pwsh itself can be the .NET tool pinned in
           .config/dotnet-tools.json: dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test
    Demo   builds, starts the local ToAPIs emulator, runs examples/prompts.csv (and one row sized in
           pixels, which is refused) through New-ToApisImage | Wait-ToApisTask | Save-ToApisImage into
           out/demo with a journal, prints what it made, the run's summary (Get-ToApisRun) and the path
           of its gallery page (Export-ToApisGallery, out/demo/gallery.html), and stops the emulator.
           No key needed.
    Docs   builds, then, when platyPS is installed, rebuilds out/ToApis/en-US from docs/cmdlets with
           platyPS's New-ExternalHelp instead of the built-in converter. To refresh the markdown after
           changing a cmdlet: Import-Module ./out/ToApis/ToApis.psd1, then
           Update-MarkdownHelp -Path docs/cmdlets -ExcludeDontShow, and delete the ### -ProgressAction
           sections platyPS 0.14 adds on PowerShell 7.4 and later (it is a common parameter).

    Package builds, then writes out/package/ToApis.<version>.nupkg with PSResourceGet's Publish-PSResource
           (or PowerShellGet's Publish-Module) into a temporary local repository: the same package the
           PowerShell Gallery receives from Publish-PSResource -Repository PSGallery. Beside it, ToApis.zip
           for Azure Automation's module import (the ToApis folder at the zip's root). Checks both (manifest,
           both builds, help, LICENSE, CHANGELOG.md; no placeholder address), then installs the package by
           name with Install-PSResource and imports it by name in a fresh pwsh.

.EXAMPLE
    ./build.ps1 -Task Build

.EXAMPLE
    ./build.ps1 -Task Test

.EXAMPLE
    ./build.ps1 -Task Demo

.EXAMPLE
    ./build.ps1 -Task Docs

.EXAMPLE
    ./build.ps1 -Task Build, Test, Package
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Docs', 'Package')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Where Package writes the nupkg and the Azure Automation zip.
    [string] $PackageFolder = (Join-Path $PSScriptRoot 'out' 'package'),

    # Package the module folder as it is, without building it first.
    [switch] $NoBuild
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$RepoRoot = $PSScriptRoot
$ModuleFolder = Join-Path $RepoRoot 'out' 'ToApis'

function Invoke-DotNet {
    param([Parameter(ValueFromRemainingArguments)] [string[]] $Arguments)
    # To the host, not the output: callers such as Start-Emulator return values of their own.
    & dotnet @Arguments | Out-Host
    if ($LASTEXITCODE -ne 0) {
        throw "dotnet $($Arguments -join ' ') failed with exit code $LASTEXITCODE."
    }
}

function Invoke-BuildTask {
    Write-Host "Building out/ToApis ($Configuration)" -ForegroundColor Cyan
    Invoke-DotNet build (Join-Path $RepoRoot 'src' 'ToApis.PowerShell' 'ToApis.PowerShell.csproj') -c $Configuration --nologo
}

function Invoke-TestTask {
    Write-Host 'Running the xunit suite' -ForegroundColor Cyan
    $xunit = Invoke-XunitSuite
    $pester = Invoke-PesterSuite

    $passed = $xunit.Passed + $pester.Passed
    $failed = $xunit.Failed + $pester.Failed
    $skipped = $xunit.Skipped + $pester.Skipped
    Write-Host ("xunit: {0} passed, {1} failed, {2} skipped; Pester: {3} passed, {4} failed, {5} skipped" -f
        $xunit.Passed, $xunit.Failed, $xunit.Skipped, $pester.Passed, $pester.Failed, $pester.Skipped)
    # The closing line CI reads: both suites together.
    Write-Host "$passed passed, $failed failed, $skipped skipped"
    foreach ($suite in $xunit, $pester) {
        if (-not $suite.Completed) {
            throw "The $($suite.Name) suite did not run to the end: see its output above."
        }
    }
    if ($failed -gt 0) {
        throw "$failed test(s) failed."
    }
}

function Invoke-XunitSuite {
    $counts = [pscustomobject]@{ Name = 'xunit'; Passed = 0; Failed = 0; Skipped = 0; Completed = $false }
    $tally = @{ Passed = 0; Failed = 0; Skipped = 0; InPassed = $false }
    $summaries = [System.Collections.Generic.List[string]]::new()
    # Every test's result, so the run can be followed; passed ones are counted, not shown.
    $arguments = 'test', (Join-Path $RepoRoot 'tests' 'Unit' 'ToApis.Tests.csproj'), '-c', $Configuration, '--nologo',
        '--logger', 'console;verbosity=normal'
    $onLine = {
        param($line)
        if ($line -match '^\s+(Passed|Failed|Skipped) \S') {
            $tally[$Matches[1]]++
            $tally.InPassed = $Matches[1] -eq 'Passed'
            if ($tally.InPassed) { return $false }
        }
        elseif ($tally.InPassed -and $line -match '^\s') {
            # What a passing test wrote.
            return $false
        }
        else {
            $tally.InPassed = $false
        }
        if ($line -match '^\s*Total tests:' -or ($summaries.Count -gt 0 -and $line -match '^\s+(Passed|Failed|Skipped):\s*\d+')) {
            $summaries.Add($line)
        }
        Write-Host $line
        return $true
    }
    $status = {
        if ($tally.Passed + $tally.Failed + $tally.Skipped -eq 0) { 'building and starting the xunit suite' }
        else { 'xunit: {0} passed, {1} failed, {2} skipped so far' -f $tally.Passed, $tally.Failed, $tally.Skipped }
    }
    $exitCode = Invoke-Streamed -FilePath 'dotnet' -Arguments $arguments -OnLine $onLine -Status $status

    # The closing summary: "Total tests: 712", then "     Passed: 710", "     Failed: 2" and "    Skipped: 0" as they apply.
    foreach ($summary in $summaries) {
        if ($summary -match '^\s*Total tests:') {
            $counts.Completed = $true
        }
        elseif ($summary -match '^\s+(Passed|Failed|Skipped):\s*(\d+)') {
            $counts.($Matches[1]) += [int] $Matches[2]
        }
    }
    if ($exitCode -ne 0 -and $counts.Failed -eq 0) {
        # The build failed or the test host crashed: nothing to count, but not a pass.
        $counts.Completed = $false
    }
    return $counts
}

# Runs a program, hands each line of its output to $OnLine as it comes (which returns whether it showed
# something), and shows $Status whenever nothing was shown for 20 seconds, so a long restore, build or test
# never looks like a hang. Stopping the script (Ctrl+C) stops the program and its children.
function Invoke-Streamed {
    param([string] $FilePath, [string[]] $Arguments, [scriptblock] $OnLine, [scriptblock] $Status)
    $start = [System.Diagnostics.ProcessStartInfo]::new($FilePath)
    foreach ($argument in $Arguments) {
        $start.ArgumentList.Add($argument)
    }
    $start.UseShellExecute = $false
    $start.RedirectStandardOutput = $true
    $process = [System.Diagnostics.Process]::Start($start)
    try {
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        $lastShown = [timespan]::Zero
        $next = $process.StandardOutput.ReadLineAsync()
        while ($true) {
            if ($next.Wait(1000)) {
                $line = $next.Result
                if ($null -eq $line) {
                    break
                }
                if (& $OnLine $line) {
                    $lastShown = $clock.Elapsed
                }
                $next = $process.StandardOutput.ReadLineAsync()
            }
            if ($clock.Elapsed - $lastShown -ge [timespan]::FromSeconds(20)) {
                Write-Host ('  [{0:mm\:ss}] {1}' -f $clock.Elapsed, (& $Status))
                $lastShown = $clock.Elapsed
            }
        }
        $process.WaitForExit()
        return $process.ExitCode
    }
    finally {
        if (-not $process.HasExited) {
            $process.Kill($true)
        }
        $process.Dispose()
    }
}

function Resolve-Pester {
    $installed = Get-Module -ListAvailable -Name Pester | Where-Object Version -GE ([version] '5.0.0') |
        Sort-Object Version -Descending | Select-Object -First 1
    if ($installed) {
        return $installed.Path
    }

    # No Pester 5 here: the one tools/ToApis.Tools.csproj downloads from NuGet (no PowerShell Gallery needed).
    $tools = Join-Path $RepoRoot 'tools' 'ToApis.Tools.csproj'
    Invoke-DotNet restore $tools --nologo
    $manifest = (& dotnet msbuild $tools -nologo -getProperty:PesterManifest | Select-Object -Last 1).Trim()
    if ($LASTEXITCODE -ne 0 -or -not (Test-Path $manifest)) {
        throw "Pester was not found at '$manifest' after restoring $tools."
    }
    return $manifest
}

function Invoke-PesterSuite {
    $counts = [pscustomobject]@{ Name = 'Pester'; Passed = 0; Failed = 0; Skipped = 0; Completed = $false }
    try {
        $pesterManifest = Resolve-Pester
    }
    catch {
        # Counted as a suite that did not run; the closing line is still printed.
        Write-Host "Cannot run the Pester suite: $_" -ForegroundColor Red
        return $counts
    }
    $resultFile = Join-Path ([System.IO.Path]::GetTempPath()) "toapis-pester-result-$PID.json"
    Remove-Item $resultFile -ErrorAction SilentlyContinue
    Write-Host "Running the Pester suite with $pesterManifest in a fresh pwsh" -ForegroundColor Cyan

    $quote = { param($text) "'" + ($text -replace "'", "''") + "'" }
    $pesterScript = @"
Import-Module $(& $quote $pesterManifest)
`$config = New-PesterConfiguration
`$config.Run.Path = $(& $quote (Join-Path $RepoRoot 'tests' 'Pester'))
`$config.Run.PassThru = `$true
`$config.Output.Verbosity = 'Detailed'
`$result = Invoke-Pester -Configuration `$config
[pscustomobject]@{
    Passed  = `$result.PassedCount
    Failed  = `$result.FailedCount + `$result.FailedBlocksCount + `$result.FailedContainersCount
    Skipped = `$result.SkippedCount + `$result.NotRunCount + `$result.InconclusiveCount
} | ConvertTo-Json | Set-Content -LiteralPath $(& $quote $resultFile)
"@
    # Its output goes to the host: this function returns only the counts.
    $null = Invoke-FreshPwsh -Command $pesterScript -Status 'Pester suite still running'

    if (Test-Path $resultFile) {
        $result = Get-Content -LiteralPath $resultFile -Raw | ConvertFrom-Json
        Remove-Item $resultFile -ErrorAction SilentlyContinue
        $counts.Passed = $result.Passed
        $counts.Failed = $result.Failed
        $counts.Skipped = $result.Skipped
        $counts.Completed = $true
    }
    return $counts
}

# The same pwsh as this one, fresh: no profile, no module already loaded; its output goes to the host as it
# comes, with $Status shown whenever it is quiet for a while. Returns its exit code.
function Invoke-FreshPwsh {
    param([string] $Command, [string] $Status = 'running')
    $pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
    $arguments = '-NoProfile', '-NonInteractive', '-Command', $Command
    if (-not (Test-Path $pwsh)) {
        $arguments = @((Join-Path $PSHOME 'pwsh.dll')) + $arguments
        $pwsh = 'dotnet'
    }
    $showLine = { param($line) Write-Host $line; $true }
    return Invoke-Streamed -FilePath $pwsh -Arguments $arguments -OnLine $showLine -Status { $Status }.GetNewClosure()
}

function Invoke-DocsTask {
    Invoke-BuildTask
    $platyPS = Get-Module -ListAvailable -Name platyPS | Sort-Object Version -Descending | Select-Object -First 1
    if (-not $platyPS) {
        Write-Host 'platyPS is not installed: out/ToApis/en-US keeps the help built by src/ToApis.HelpBuilder.' -ForegroundColor Yellow
        Write-Host 'To build it with platyPS instead: Install-Module platyPS -Scope CurrentUser' -ForegroundColor Yellow
        return
    }

    Write-Host "Building out/ToApis/en-US with platyPS $($platyPS.Version) New-ExternalHelp" -ForegroundColor Cyan
    Import-Module $platyPS.Path -Force
    New-ExternalHelp -Path (Join-Path $RepoRoot 'docs' 'cmdlets') -OutputPath (Join-Path $ModuleFolder 'en-US') -Force | Out-Null
    Get-ChildItem (Join-Path $ModuleFolder 'en-US') | Format-Table -AutoSize -Property Name, Length, LastWriteTime
}

function Invoke-PackageTask {
    if (-not $NoBuild) {
        Invoke-BuildTask
    }
    New-Item -ItemType Directory -Path $PackageFolder -Force | Out-Null
    Get-ChildItem -Path $PackageFolder -Filter 'ToApis.*nupkg' | Remove-Item
    Remove-Item (Join-Path $PackageFolder 'ToApis.zip') -ErrorAction SilentlyContinue

    Publish-ModuleFolder
    $package = Get-ChildItem -Path $PackageFolder -Filter 'ToApis.*.nupkg' | Select-Object -First 1
    if (-not $package) {
        throw "Publishing wrote no ToApis.*.nupkg into $PackageFolder."
    }
    Assert-PackageHolds -Path $package.FullName -Root '' -Description "The package $($package.Name)"

    # Azure Automation imports a zip named after the module, with the module folder at its root.
    $zip = Join-Path $PackageFolder 'ToApis.zip'
    Add-Type -AssemblyName System.IO.Compression.FileSystem
    [System.IO.Compression.ZipFile]::CreateFromDirectory($ModuleFolder, $zip, [System.IO.Compression.CompressionLevel]::Optimal, $true)
    Assert-PackageHolds -Path $zip -Root 'ToApis/' -Description 'The Azure Automation zip ToApis.zip'

    Test-InstallByName
    Get-ChildItem -Path $PackageFolder -File | Format-Table -AutoSize -Property Name, Length | Out-Host
}

# Publish-PSResource (PSResourceGet, in PowerShell 7.4 and later) or Publish-Module (PowerShellGet) into a
# temporary local repository: the same package the PowerShell Gallery receives with -Repository PSGallery.
function Publish-ModuleFolder {
    $repository = 'ToApisLocalBuild'
    if (Get-Command -Name Publish-PSResource -ErrorAction SilentlyContinue) {
        if (Get-PSResourceRepository -Name $repository -ErrorAction SilentlyContinue) {
            Unregister-PSResourceRepository -Name $repository
        }
        Register-PSResourceRepository -Name $repository -Uri $PackageFolder -Trusted
        try {
            Publish-PSResource -Path $ModuleFolder -Repository $repository
        }
        finally {
            Unregister-PSResourceRepository -Name $repository
        }
    }
    elseif (Get-Command -Name Publish-Module -ErrorAction SilentlyContinue) {
        if (Get-PSRepository -Name $repository -ErrorAction SilentlyContinue) {
            Unregister-PSRepository -Name $repository
        }
        Register-PSRepository -Name $repository -SourceLocation $PackageFolder -PublishLocation $PackageFolder -InstallationPolicy Trusted
        try {
            Publish-Module -Path $ModuleFolder -Repository $repository
        }
        finally {
            Unregister-PSRepository -Name $repository
        }
    }
    else {
        throw 'Neither PSResourceGet (Publish-PSResource) nor PowerShellGet (Publish-Module) is available; PowerShell 7.4 and later ship PSResourceGet.'
    }
}

# What the Gallery and Azure Automation need in an archive: the manifest, loader, both builds, help, the
# license and the change log, under $Root; and no address the project does not have.
function Assert-PackageHolds {
    param([string] $Path, [string] $Root, [string] $Description)
    Add-Type -AssemblyName System.IO.Compression.FileSystem
    $archive = [System.IO.Compression.ZipFile]::OpenRead($Path)
    try {
        # Nupkg entries are URL-escaped (%2B for +); the zip's are plain.
        $entries = @($archive.Entries | ForEach-Object { [uri]::UnescapeDataString($_.FullName) })
        $required = 'ToApis.psd1', 'ToApis.psm1', 'LICENSE', 'CHANGELOG.md', 'en-US/about_ToApis.help.txt',
            'bin/net8.0/ToApis.PowerShell.dll', 'bin/netstandard2.0/ToApis.PowerShell.dll', 'bin/netstandard2.0/ToApis.Initializer.dll'
        $missing = @($required | Where-Object { "$Root$_" -notin $entries })
        if ($missing) {
            throw "$Description lacks $($missing -join ', ')."
        }
        if ($Root -and ($outside = @($entries | Where-Object { -not $_.StartsWith($Root) }))) {
            throw "$Description has entries outside its module folder $($Root): $($outside -join ', ')."
        }
        $nuspec = $archive.Entries | Where-Object FullName -Like '*.nuspec' | Select-Object -First 1
        if ($nuspec) {
            $reader = [System.IO.StreamReader]::new($nuspec.Open())
            try { $text = $reader.ReadToEnd() } finally { $reader.Dispose() }
            if ($text -match '<(projectUrl|licenseUrl|iconUrl)>') {
                throw "$Description names a $($Matches[1]), but the project has no public address yet."
            }
        }
    }
    finally {
        $archive.Dispose()
    }
}

# Installs the package by name from a local folder repository and imports it by name, in a fresh pwsh whose
# per-user data (modules, repositories) lives in a temporary folder, so the user's own are never touched.
function Test-InstallByName {
    $userData = Join-Path ([System.IO.Path]::GetTempPath()) "toapis-install-check-$([guid]::NewGuid().ToString('N'))"
    $quote = { param($text) "'" + ($text -replace "'", "''") + "'" }
    $script = @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name ToApisPackageCheck -Uri $(& $quote $PackageFolder) -Trusted
try {
    Install-PSResource -Name ToApis -Repository ToApisPackageCheck -Scope CurrentUser -TrustRepository -Quiet
    try {
        Import-Module ToApis
        `$module = Get-Module ToApis
        '{0} {1} from {2}, {3} cmdlets' -f `$module.Name, `$module.Version, `$module.ModuleBase, `$module.ExportedCmdlets.Count
        if (@(Get-Command -Module ToApis).Count -lt 1) { throw 'The installed module exports no command.' }
        if ($($IsWindows ? '$false' : '$true') -and -not `$module.ModuleBase.StartsWith($(& $quote $userData))) {
            throw "Import-Module ToApis found `$(`$module.ModuleBase), not the copy just installed."
        }
    }
    finally {
        Remove-Module ToApis -ErrorAction SilentlyContinue
        Uninstall-PSResource -Name ToApis -Scope CurrentUser -ErrorAction SilentlyContinue
    }
}
finally {
    Unregister-PSResourceRepository -Name ToApisPackageCheck
}
"@
    # Where pwsh and PSResourceGet keep per-user modules and repositories on Linux and macOS.
    $saved = @{ HOME = $env:HOME; XDG_DATA_HOME = $env:XDG_DATA_HOME }
    if (-not $IsWindows) {
        $env:HOME = $userData
        # Created first: .NET answers an empty path for a special folder that does not exist, and PSResourceGet
        # would then keep its repositories relative to the working folder.
        $env:XDG_DATA_HOME = (New-Item -ItemType Directory -Path (Join-Path $userData '.local' 'share') -Force).FullName
    }
    Push-Location (New-Item -ItemType Directory -Path $userData -Force).FullName
    try {
        Write-Host 'Installing ToApis by name with Install-PSResource in a fresh pwsh' -ForegroundColor Cyan
        $exitCode = Invoke-FreshPwsh -Command $script -Status 'still installing'
        if ($exitCode -ne 0) {
            throw "Install-PSResource ToApis, then Import-Module ToApis, failed in a fresh pwsh (exit code $exitCode): see above."
        }
    }
    finally {
        Pop-Location
        $env:HOME = $saved.HOME
        $env:XDG_DATA_HOME = $saved.XDG_DATA_HOME
        Remove-Item $userData -Recurse -Force -ErrorAction SilentlyContinue
    }
}

function Start-Emulator {
    param([string] $ReadyFile, [string[]] $Options)
    $project = Join-Path $RepoRoot 'src' 'ToApis.Emulator' 'ToApis.Emulator.csproj'
    Invoke-DotNet build $project -c $Configuration --nologo
    $dll = Join-Path $RepoRoot 'src' 'ToApis.Emulator' 'bin' $Configuration 'net10.0' 'ToApis.Emulator.dll'
    # Start-Process joins arguments with spaces and quotes nothing: quote each, for paths with spaces.
    $arguments = (@($dll, '--ready-file', $ReadyFile) + $Options) | ForEach-Object { '"{0}"' -f $_ }
    $process = Start-Process -FilePath 'dotnet' -ArgumentList $arguments -PassThru -NoNewWindow
    $deadline = (Get-Date).AddSeconds(30)
    while (-not (Test-Path $ReadyFile)) {
        if ($process.HasExited -or (Get-Date) -gt $deadline) {
            if (-not $process.HasExited) {
                Stop-Process -Id $process.Id -ErrorAction SilentlyContinue
            }
            throw 'The emulator did not start; run it by hand to see why: dotnet run --project src/ToApis.Emulator'
        }
        Start-Sleep -Milliseconds 100
    }
    return $process
}

function Invoke-DemoTask {
    Invoke-BuildTask
    $readyFile = Join-Path ([System.IO.Path]::GetTempPath()) "toapis-emulator-$PID.json"
    Remove-Item $readyFile -ErrorAction SilentlyContinue
    # Latencies of 5-30 s, compressed 20 times, so the demo takes seconds.
    $emulator = Start-Emulator -ReadyFile $readyFile -Options @('--time-scale', '0.05')
    try {
        $endpoint = Get-Content $readyFile -Raw | ConvertFrom-Json
        Write-Host "Emulator at $($endpoint.baseUrl)" -ForegroundColor Cyan

        Import-Module (Join-Path $ModuleFolder 'ToApis.psd1') -Force
        Connect-ToApis -BaseUri $endpoint.baseUrl -ApiKey (ConvertTo-SecureString $endpoint.apiKey -AsPlainText -Force)

        $demoFolder = Join-Path $RepoRoot 'out' 'demo'
        # A fresh folder each time: the demo shows one run, not a pile of earlier ones.
        Remove-Item $demoFolder -Recurse -Force -ErrorAction SilentlyContinue
        $journal = Join-Path $demoFolder 'run.jsonl'
        # One row more than the CSV, sized in pixels: the module warns and sends it, the service (which takes
        # aspect ratios) refuses it, and the summary and the gallery show it as a failure with its remedy.
        $rows = @(Import-Csv (Join-Path $RepoRoot 'examples' 'prompts.csv')) +
            [pscustomobject]@{ Name = 'poster'; Prompt = 'A travel poster of Lisbon, trams and tiles'; Size = '1920x1080'; Model = '' }
        $files = $rows |
            New-ToApisImage -RunKey 'demo' -Journal $journal -ErrorAction SilentlyContinue -ErrorVariable refused |
            Wait-ToApisTask -PollIntervalSec 0.5 -Journal $journal |
            Save-ToApisImage -Path $demoFolder -FileName '{Name}' -Sidecar -Journal $journal -InformationAction Continue

        $files | Format-Table -AutoSize -Property Name, Length, TaskId
        Write-Host "$(@($files).Count) image(s) saved in $demoFolder" -ForegroundColor Green
        foreach ($refusal in $refused) {
            Write-Host "Refused: $($refusal.Exception.Message)" -ForegroundColor Yellow
        }

        Get-ToApisRun -Journal $journal | Out-Host
        $gallery = Export-ToApisGallery -Journal $journal -Path (Join-Path $demoFolder 'gallery.html') -Title 'ToApis demo run'
        Write-Host "Gallery of the run: $($gallery.FullName)" -ForegroundColor Green
    }
    finally {
        if (Get-Command Disconnect-ToApis -ErrorAction SilentlyContinue) {
            Disconnect-ToApis
        }
        Stop-Process -Id $emulator.Id -ErrorAction SilentlyContinue
        Remove-Item $readyFile -ErrorAction SilentlyContinue
    }
}

foreach ($name in $Task) {
    & "Invoke-$($name)Task"
}
