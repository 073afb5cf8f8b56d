#Requires -Version 7.0
# Pester 5 tests against the built module folder (out/ToApis) and the local emulator, in a real pwsh: what an
# admin does with the module (the README's examples, jobs, other modules' versions of our dependencies,
# Import-Module -Force). Run through ./build.ps1 -Task Test, which builds everything first; the emulator is
# started here on a free port and stopped by its id.

BeforeDiscovery {
    # The README's PowerShell blocks, each run verbatim below.
    $readme = Get-Content (Join-Path $PSScriptRoot '..' '..' 'README.md')
    $heading = 'README'
    $readmeBlocks = for ($i = 0; $i -lt $readme.Count; $i++) {
        if ($readme[$i] -match '^#+\s*(.+)$') {
            $heading = $Matches[1]
        }
        elseif ($readme[$i].Trim() -eq '```powershell') {
            $start = $i + 1
            while ($readme[++$i].Trim() -ne '```') { }
            @{ Name = "$heading (line $start)"; Heading = $heading; Code = $readme[$start..($i - 1)] -join "`n"; Before = '' }
        }
    }
    # Blocks that build on something: "See the run" reads the journal of the block in "Safe to rerun"; the
    # webhook block receives a delivery ($Request, as an Azure Functions host gives it), made and signed first.
    $rerun = $readmeBlocks | Where-Object Heading -like 'Safe to rerun*' | Select-Object -First 1
    foreach ($block in $readmeBlocks) {
        if ($block.Heading -like 'See the run*') {
            $block.Before = $rerun.Code
        }
        elseif ($block.Heading -like '*webhooks*') {
            $block.Before = @'
$task = 'A lighthouse told by webhook' | New-ToApisImage | Wait-ToApisTask
$now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
$eventId = "evt_$([guid]::NewGuid().ToString('N'))"
$body = [ordered]@{ id = $eventId; type = 'generation.completed'; api_version = 'v1'; created_at = $now
    data = [ordered]@{ task_id = $task.Id; client_business_id = $task.ClientBusinessId; status = 'SUCCESS'; progress = '100%'
        result = @{ type = 'image'; data = @(@{ url = $task.ImageUrls[0] }) }; error = $null; submitted_at = $now; finished_at = $now } } |
    ConvertTo-Json -Depth 6 -Compress
$hmac = [System.Security.Cryptography.HMACSHA256]::new([System.Text.Encoding]::UTF8.GetBytes($env:TOAPIS_WEBHOOK_SECRET))
$signature = [System.Convert]::ToHexString($hmac.ComputeHash([System.Text.Encoding]::UTF8.GetBytes("$eventId.$now.$body"))).ToLowerInvariant()
$Request = [pscustomobject]@{ RawBody = $body; Headers = @{ 'x-toapis-webhook-id' = $eventId; 'x-toapis-webhook-timestamp' = "$now"; 'x-toapis-webhook-signature' = "v1=$signature" } }
'@
        }
    }
}

BeforeAll {
    $repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '..' '..')).Path
    Import-Module (Join-Path $repoRoot 'out' 'ToApis' 'ToApis.psd1') -Force

    $emulatorDll = Get-ChildItem (Join-Path $repoRoot 'src' 'ToApis.Emulator' 'bin') -Recurse -Filter 'ToApis.Emulator.dll' |
        Sort-Object LastWriteTime -Descending |
        Select-Object -First 1
    if (-not $emulatorDll) {
        throw 'The emulator is not built: run ./build.ps1 -Task Test (or dotnet build) first.'
    }

    $readyFile = Join-Path ([System.IO.Path]::GetTempPath()) "toapis-pester-$PID.json"
    $emulatorLog = Join-Path ([System.IO.Path]::GetTempPath()) "toapis-pester-$PID.log"
    Remove-Item $readyFile -ErrorAction SilentlyContinue
    $emulatorErrors = "$emulatorLog.err"
    # Start-Process quotes nothing: quote each argument, for paths with spaces.
    $arguments = @($emulatorDll.FullName, '--time-scale', '0.001', '--ready-file', $readyFile) | ForEach-Object { '"{0}"' -f $_ }
    $emulator = Start-Process -FilePath 'dotnet' -ArgumentList $arguments -PassThru -NoNewWindow `
        -RedirectStandardOutput $emulatorLog -RedirectStandardError $emulatorErrors
    $deadline = (Get-Date).AddSeconds(30)
    while (-not (Test-Path $readyFile)) {
        if ($emulator.HasExited -or (Get-Date) -gt $deadline) {
            throw "The emulator did not start: $(Get-Content $emulatorLog, $emulatorErrors -Raw -ErrorAction SilentlyContinue)"
        }
        Start-Sleep -Milliseconds 100
    }

    $endpoint = Get-Content $readyFile -Raw | ConvertFrom-Json
    $emulatorKey = ConvertTo-SecureString $endpoint.apiKey -AsPlainText -Force
    Connect-ToApis -BaseUri $endpoint.baseUrl -ApiKey $emulatorKey

    $manifest = Join-Path $repoRoot 'out' 'ToApis' 'ToApis.psd1'
    # A fresh pwsh like this one, for tests that change process-wide state.
    $pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
}

AfterAll {
    if (Get-Command Disconnect-ToApis -ErrorAction Ignore) {
        Disconnect-ToApis
    }
    if ($emulator) {
        Stop-Process -Id $emulator.Id -ErrorAction SilentlyContinue
    }
    @($readyFile, $emulatorLog, $emulatorErrors) | Where-Object { $_ } | Remove-Item -ErrorAction SilentlyContinue
}

Describe 'Module' {
    It 'exports exactly its cmdlets' {
        $names = (Get-Command -Module ToApis).Name | Sort-Object
        $names | Should -Be @('Connect-ToApis', 'ConvertFrom-ToApisWebhook', 'Disconnect-ToApis', 'Export-ToApisGallery', 'Get-ToApisBalance', 'Get-ToApisModel', 'Get-ToApisRun', 'Get-ToApisSession', 'Get-ToApisTask', 'New-ToApisImage', 'Save-ToApisImage', 'Send-ToApisFile', 'Wait-ToApisTask')
    }

    It 'has a valid manifest' {
        { Test-ModuleManifest (Join-Path $repoRoot 'ToApis.psd1') -ErrorAction Stop } | Should -Not -Throw
    }
}

Describe 'New-ToApisImage | Wait-ToApisTask' {
    It 'runs a real CSV file end to end and keeps each row' {
        $rows = Import-Csv (Join-Path $repoRoot 'examples' 'prompts.csv')
        $tasks = $rows | New-ToApisImage | Wait-ToApisTask -PollIntervalSec 0.05

        $tasks | Should -HaveCount $rows.Count
        $tasks.Status | Sort-Object -Unique | Should -Be 'completed'
        ($tasks.InputObject.Name | Sort-Object) | Should -Be ($rows.Name | Sort-Object)
        foreach ($task in $tasks) {
            $task.ImageUrls | Should -Not -BeNullOrEmpty
        }
    }

    It 'binds a prompt by value' {
        $task = 'A red fox asleep in the snow' | New-ToApisImage | Wait-ToApisTask -PollIntervalSec 0.05
        $task.Prompt | Should -Be 'A red fox asleep in the snow'
        $task.Status | Should -Be 'completed'
    }

    It 'submits nothing under -WhatIf' {
        'A teapot' | New-ToApisImage -WhatIf | Should -BeNullOrEmpty
    }

    It 'refuses a count the model does not make before sending anything' {
        { New-ToApisImage 'A teapot' -Model gpt-4o-image -Count 3 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ToApis.InvalidParameter,ToApis.Commands.NewToApisImageCommand'
    }

    It 'sends a pixel size with a warning naming the documented sizes' {
        New-ToApisImage 'A teapot' -Size 1024x1024 -WhatIf -WarningVariable sizeWarning 3>$null
        "$sizeWarning" | Should -BeLike "*'1024x1024' is not documented*not pixels*"
    }
}

Describe 'Send-ToApisFile and Save-ToApisImage' {
    BeforeAll {
        $work = Join-Path ([System.IO.Path]::GetTempPath()) "toapis-pester-files-$PID"
        $refs = Join-Path $work 'refs'
        New-Item -ItemType Directory -Path $refs -Force | Out-Null
        $pixel = [Convert]::FromBase64String('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==')
        [System.IO.File]::WriteAllBytes((Join-Path $refs 'a.png'), $pixel)
        [System.IO.File]::WriteAllBytes((Join-Path $refs 'b.png'), $pixel)
        Set-Content -Path (Join-Path $refs 'fake.png') -Value 'not an image'
    }

    AfterAll {
        Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'binds Get-ChildItem output and refuses a text file named .png' {
        $uploads = Get-ChildItem $refs -Filter *.png | Send-ToApisFile -ErrorVariable uploadErrors -ErrorAction SilentlyContinue
        $uploads | Should -HaveCount 2
        $uploadErrors | Should -HaveCount 1
        $uploadErrors[0].FullyQualifiedErrorId | Should -BeLike 'ToApis.UnsupportedImageType,*'
    }

    It 'saves a CSV pipeline under the Name column' {
        $out = Join-Path $work 'out'
        $files = Import-Csv (Join-Path $repoRoot 'examples' 'prompts.csv') |
            New-ToApisImage | Wait-ToApisTask -PollIntervalSec 0.05 |
            Save-ToApisImage -Path $out -FileName '{Name}'

        $files | Should -HaveCount 5
        (Get-ChildItem $out -Filter *.png).Count | Should -Be 5
        Test-Path (Join-Path $out 'fox.png') | Should -BeTrue
    }
}

Describe 'Get-ToApisTask' {
    It 'binds by value and by property name' {
        $submitted = New-ToApisImage 'A lighthouse at dawn'
        (Get-ToApisTask -Id $submitted.Id).Id | Should -Be $submitted.Id
        ($submitted.Id | Get-ToApisTask).Id | Should -Be $submitted.Id
        ([pscustomobject]@{ TaskId = $submitted.Id } | Get-ToApisTask).Id | Should -Be $submitted.Id
        ($submitted | Get-ToApisTask).Prompt | Should -Be 'A lighthouse at dawn'
    }

    It 'reports an unknown task as not found' {
        { Get-ToApisTask -Id 'tsk_img_does_not_exist' -ErrorAction Stop } |
            Should -Throw -ErrorId 'ToApis.TaskNotFound,ToApis.Commands.GetToApisTaskCommand'
    }
}

Describe 'Formats' {
    It 'shows tasks as a table of Id, Status, %, Images and a Prompt still readable at 80 columns' {
        $task = New-ToApisImage 'A red fox curled up asleep in fresh snow, at dusk' | Wait-ToApisTask -PollIntervalSec 0.05
        $lines = ($task | Format-Table | Out-String -Width 80) -replace "`e\[[0-9;]*m", '' -split "`r?`n" | Where-Object { $_.Trim() }

        ($lines[0] -split '\s+' | Where-Object { $_ }) | Should -Be @('Id', 'Status', '%', 'Images', 'Prompt')
        $lines[2] | Should -BeLike "$($task.Id) *"
        $lines[2] | Should -BeLike '*A red fox curled up*'
    }

    It 'shows uploads as a table of Name, Url, MimeType and Length' {
        $work = Join-Path ([System.IO.Path]::GetTempPath()) "toapis-pester-format-$PID"
        New-Item -ItemType Directory -Path $work -Force | Out-Null
        try {
            $file = Join-Path $work 'pixel.png'
            [System.IO.File]::WriteAllBytes($file, [Convert]::FromBase64String('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='))
            $upload = Send-ToApisFile -LiteralPath $file
            $lines = ($upload | Format-Table | Out-String -Width 200) -replace "`e\[[0-9;]*m", '' -split "`r?`n" | Where-Object { $_.Trim() }

            ($lines[0] -split '\s+' | Where-Object { $_ }) | Should -Be @('Name', 'Url', 'MimeType', 'Length')
            $lines[2] | Should -BeLike 'pixel.png *'
        }
        finally {
            Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
        }
    }
}

Describe 'Help' {
    It 'has full help with examples for every cmdlet' {
        foreach ($name in (Get-Command -Module ToApis).Name) {
            $help = Get-Help $name -Full
            $help.description | Should -Not -BeNullOrEmpty -Because "$name needs a description"
            @($help.examples.example).Count | Should -BeGreaterOrEqual 2 -Because "$name needs examples"
        }
    }

    It 'finds the about topic' {
        Get-Help about_ToApis | Out-String | Should -Match 'RESUMING SAFELY'
    }
}

Describe 'Discovery' {
    It 'lists image models with their documented limits' {
        $model = Get-ToApisModel -Name 'gemini-2.5-flash-image-official'
        $model.Id | Should -Be 'gemini-2.5-flash-image-official'
        $model.MaxReferenceImages | Should -Be 3
    }

    It 'reads the balance' {
        (Get-ToApisBalance).Scope | Should -Be 'Token'
    }
}

Describe 'Resumable runs' {
    It 'reuses every task when the same run key runs again' {
        $first = 'a fox', 'a whale' | New-ToApisImage -RunKey "pester-$PID"
        $again = 'a fox', 'a whale' | New-ToApisImage -RunKey "pester-$PID"
        $again.Id | Should -Be $first.Id
    }
}

Describe 'ConvertFrom-ToApisWebhook' {
    BeforeAll {
        $secret = 'whsec_pester_0123456789abcdef'
        function New-SignedDelivery([string] $Body, [string] $Id, [long] $Timestamp) {
            $hmac = [System.Security.Cryptography.HMACSHA256]::new([System.Text.Encoding]::UTF8.GetBytes($secret))
            $signed = [System.Text.Encoding]::UTF8.GetBytes("$Id.$Timestamp.$Body")
            $hex = [System.Convert]::ToHexString($hmac.ComputeHash($signed)).ToLowerInvariant()
            @{ 'x-toapis-webhook-id' = $Id; 'x-toapis-webhook-timestamp' = "$Timestamp"; 'x-toapis-webhook-signature' = "v1=$hex" }
        }
    }

    It 'turns a signed completed event into a completed task, once' {
        $id = "evt_pester_$([guid]::NewGuid().ToString('N'))"
        $now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
        $body = '{"id":"' + $id + '","type":"generation.completed","api_version":"v1","created_at":' + $now + ',"data":{"task_id":"tsk_img_pester","status":"SUCCESS","progress":"100%","result":{"type":"image","data":[{"url":"https://files.example/a.png"}]},"error":null,"submitted_at":' + $now + ',"finished_at":' + $now + '}}'
        $headers = New-SignedDelivery -Body $body -Id $id -Timestamp $now

        $task = ConvertFrom-ToApisWebhook -Body $body -Header $headers -Secret $secret
        $task.Id | Should -Be 'tsk_img_pester'
        $task.Status | Should -Be 'completed'
        $task.ImageUrls | Should -Be @('https://files.example/a.png')

        ConvertFrom-ToApisWebhook -Body $body -Header $headers -Secret $secret -ErrorVariable again -ErrorAction SilentlyContinue
        $again[0].FullyQualifiedErrorId | Should -BeLike 'ToApis.WebhookReplayed,*'
    }

    It 'refuses a body changed after signing' {
        $id = "evt_pester_$([guid]::NewGuid().ToString('N'))"
        $now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
        $body = '{"id":"' + $id + '","type":"endpoint.test","data":{"result":{"message":"ToAPIs webhook endpoint test"}}}'
        $headers = New-SignedDelivery -Body $body -Id $id -Timestamp $now

        ConvertFrom-ToApisWebhook -Body $body.Replace('test"}', 'TEST"}') -Header $headers -Secret $secret -ErrorVariable refused -ErrorAction SilentlyContinue |
            Should -BeNullOrEmpty
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'ToApis.WebhookSignatureMismatch,*'
        $refused[0].ToString() | Should -Not -Match $secret
    }
}

Describe 'Seeing the run' {
    BeforeAll {
        $work = Join-Path ([System.IO.Path]::GetTempPath()) "toapis-pester-run-$PID"
        $journal = Join-Path $work 'run.jsonl'
        $rows = @(
            [pscustomobject]@{ Name = 'fox'; Prompt = 'A red fox asleep in the snow'; Size = '1:1' }
            [pscustomobject]@{ Name = 'poster'; Prompt = 'A travel poster'; Size = '1920x1080' }
            [pscustomobject]@{ Name = 'owl'; Prompt = 'An owl at <dusk>'; Size = '4:3' }
        )
        $info = $rows |
            New-ToApisImage -RunKey "pester-run-$PID" -Journal $journal -ErrorAction SilentlyContinue |
            Wait-ToApisTask -PollIntervalSec 0.05 -Journal $journal |
            Save-ToApisImage -Path $work -FileName '{Name}' -Journal $journal 6>&1 |
            Where-Object { $_ -is [System.Management.Automation.InformationRecord] }
    }

    AfterAll {
        Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'ends the run with one summary line tagged ToApis and Summary' {
        $info | Should -HaveCount 1
        $info[0].Tags | Should -Be @('ToApis', 'Summary')
        "$($info[0].MessageData)" | Should -BeLike '*: 3 rows: 2 saved, 1 failed (ToApis.InvalidRequest 1), 0 pending;*'
    }

    It 'summarises the journal and gives back the failed rows with all their columns' {
        $run = Get-ToApisRun -Journal $journal
        $run.Rows | Should -Be 3
        $run.Saved | Should -Be 2
        $run.Errors['ToApis.InvalidRequest'] | Should -Be 1
        $run.FailedRows | Should -HaveCount 1
        $run.FailedRows[0].Name | Should -Be 'poster'
        $run.FailedRows[0].Size | Should -Be '1920x1080'
    }

    It 'retries exactly the failed rows once they are corrected' {
        $retry = (Get-ToApisRun -Journal $journal).FailedRows | ForEach-Object { $_.Size = '16:9'; $_ }
        $files = $retry | New-ToApisImage -RunKey "pester-run-$PID" -Journal $journal |
            Wait-ToApisTask -PollIntervalSec 0.05 -Journal $journal | Save-ToApisImage -Path $work -FileName '{Name}' -Journal $journal
        $files.Name | Should -Be 'poster.png'
        (Get-ToApisRun -Journal $journal).Failed | Should -Be 0
    }

    It 'writes a gallery page with every row, the CSV text escaped' {
        $page = Export-ToApisGallery -Journal $journal -Path (Join-Path $work 'gallery.html')
        $html = Get-Content $page.FullName -Raw
        $html | Should -Match 'An owl at &lt;dusk&gt;'
        ([regex]::Matches($html, '<article class="card')).Count | Should -Be 3
    }
}

Describe 'Tasks that travel' {
    BeforeAll {
        $travel = Join-Path ([System.IO.Path]::GetTempPath()) "toapis-pester-travel-$PID"
        New-Item -ItemType Directory -Path $travel -Force | Out-Null
    }

    AfterAll {
        Remove-Item $travel -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'saves tasks that come back from Start-Job and Receive-Job under their rows names' {
        $job = Start-Job -ArgumentList (Join-Path $repoRoot 'out' 'ToApis' 'ToApis.psd1'), $endpoint.baseUrl, $endpoint.apiKey -ScriptBlock {
            param($manifest, $uri, $key)
            Import-Module $manifest
            Connect-ToApis -BaseUri $uri -ApiKey $key
            [pscustomobject]@{ Name = 'job-fox'; Prompt = 'A fox' }, [pscustomobject]@{ Name = 'job-whale'; Prompt = 'A whale' } | New-ToApisImage
        }
        $received = Receive-Job $job -Wait -AutoRemoveJob

        $received[0].pstypenames[0] | Should -BeLike 'Deserialized.ToApis.Models.ToApisTask*'
        $files = $received | Wait-ToApisTask -PollIntervalSec 0.05 | Save-ToApisImage -Path (Join-Path $travel 'job') -FileName '{Name}'
        ($files.Name | Sort-Object) | Should -Be @('job-fox.png', 'job-whale.png')
    }

    It 'refuses a session copied into Start-Job with advice to use the environment or Connect-ToApis there' {
        $s = Get-ToApisSession
        $job = Start-Job -ArgumentList (Join-Path $repoRoot 'out' 'ToApis' 'ToApis.psd1') -ScriptBlock {
            param($manifest)
            Import-Module $manifest
            try { Get-ToApisBalance -Session $using:s } catch { $_.FullyQualifiedErrorId; $_.ErrorDetails.RecommendedAction }
        }
        $id, $advice = Receive-Job $job -Wait -AutoRemoveJob

        $id | Should -BeLike 'ToApis.SessionNotTransferable,*'
        $advice | Should -BeLike '*$env:TOAPIS_API_KEY*Connect-ToApis*'
    }

    It 'writes readable CSV columns and saves from Import-Csv of them' {
        $csv = Join-Path $travel 'tasks.csv'
        [pscustomobject]@{ Name = 'csv-fox'; Prompt = 'A fox' } | New-ToApisImage | Wait-ToApisTask -PollIntervalSec 0.05 | Export-Csv $csv
        $text = Get-Content $csv -Raw

        $text | Should -Not -Match 'System\.String\[\]|@\{'
        $row = Import-Csv $csv
        $row.Created | Should -Match '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$'
        (Import-Csv $csv | Save-ToApisImage -Path (Join-Path $travel 'csv') -FileName '{Name}').Name | Should -Be 'csv-fox.png'
    }
}

Describe 'The README''s examples' {
    BeforeAll {
        # What differs from an admin's machine, outside the examples' text: the key comes from the emulator
        # (Read-Host returns it), Connect-ToApis without -BaseUri connects to the emulator, Wait-ToApisTask polls
        # every 50 ms, the module is found by name (as if installed) by -Parallel and thread-job runspaces, and
        # each block runs in a folder of its own holding the files it names.
        function global:Read-Host { param([Parameter(Position = 0)] $Prompt, [switch] $AsSecureString) $emulatorKey }
        $global:PSDefaultParameterValues['Connect-ToApis:BaseUri'] = $endpoint.baseUrl
        $global:PSDefaultParameterValues['Wait-ToApisTask:PollIntervalSec'] = 0.05
        $modulePath = $env:PSModulePath
        $env:PSModulePath = (Join-Path $repoRoot 'out') + [System.IO.Path]::PathSeparator + $env:PSModulePath
        # The app setting the webhook block reads.
        $env:TOAPIS_WEBHOOK_SECRET = 'whsec_pester_readme_0123456789abcdef'
    }

    AfterAll {
        Remove-Item Function:\Read-Host -ErrorAction Ignore
        $global:PSDefaultParameterValues.Remove('Connect-ToApis:BaseUri')
        $global:PSDefaultParameterValues.Remove('Wait-ToApisTask:PollIntervalSec')
        $env:PSModulePath = $modulePath
        Remove-Item Env:\TOAPIS_WEBHOOK_SECRET -ErrorAction Ignore
        Connect-ToApis -BaseUri $endpoint.baseUrl -ApiKey $emulatorKey
    }

    It 'runs <Name> without an error' -ForEach $readmeBlocks {
        # Each block in a folder of its own with the files it names: prompts.csv and refs/*.jpg.
        $folder = Join-Path ([System.IO.Path]::GetTempPath()) "toapis-pester-readme-$PID-$([guid]::NewGuid().ToString('N'))"
        New-Item -ItemType Directory -Path (Join-Path $folder 'refs') -Force | Out-Null
        Copy-Item (Join-Path $repoRoot 'examples' 'prompts.csv') $folder
        foreach ($name in 'cat.jpg', 'dog.jpg') {
            [System.IO.File]::WriteAllBytes((Join-Path $folder 'refs' $name), [byte[]](@(0xFF, 0xD8, 0xFF, 0xE0) + @(1..64) + @(0xFF, 0xD9)))
        }
        $code = $Code.Replace('Import-Module ./out/ToApis/ToApis.psd1', "Import-Module '$manifest'")
        Push-Location $folder
        try {
            $ErrorActionPreference = 'Stop'
            if ($Before) {
                $null = . ([scriptblock]::Create($Before))
            }
            $null = . ([scriptblock]::Create($code))
        }
        finally {
            Pop-Location
            Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue
        }
    }
}

Describe 'In jobs and beside other modules' {
    It 'works in a pwsh where other versions of Polly and System.Text.Json were loaded first' {
        $conflicts = Get-ChildItem (Join-Path $repoRoot 'tests' 'ModuleHost' 'bin') -Recurse -Directory -Filter conflicts |
            Sort-Object LastWriteTime -Descending | Select-Object -First 1
        $conflicts | Should -Not -BeNullOrEmpty -Because 'tests/ModuleHost builds them (dotnet build ToApis.sln)'
        # System.Text.Json 8, as a module with a load context of its own brings it (pwsh's own is newer).
        $otherJson = Join-Path $repoRoot 'out' 'ToApis' 'bin' 'netstandard2.0' 'System.Text.Json.dll'

        $report = & $pwsh -NoProfile -NonInteractive -Command {
            param($manifest, $uri, $key, $polly, $json)
            $null = [System.Reflection.Assembly]::LoadFrom($polly)
            $null = [System.Runtime.Loader.AssemblyLoadContext]::new('AnotherModule').LoadFromAssemblyPath($json)
            Import-Module $manifest
            Connect-ToApis -BaseUri $uri -ApiKey (ConvertTo-SecureString $key -AsPlainText -Force)
            $tasks = 'one', 'two' | New-ToApisImage | Wait-ToApisTask -PollIntervalSec 0.05
            [pscustomobject]@{
                Completed = @($tasks | Where-Object IsCompleted).Count
                Loaded    = [System.AppDomain]::CurrentDomain.GetAssemblies() |
                    Where-Object { $_.GetName().Name -in 'Polly.Core', 'System.Text.Json' } |
                    ForEach-Object { '{0} {1} in {2}' -f $_.GetName().Name, $_.GetName().Version, [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name }
            }
        } -args $manifest, $endpoint.baseUrl, $endpoint.apiKey, (Join-Path $conflicts.FullName 'Polly.Core.dll'), $otherJson

        $LASTEXITCODE | Should -Be 0
        $report.Completed | Should -Be 2
        $report.Loaded | Should -Contain 'Polly.Core 8.0.0.0 in Default'
        $report.Loaded | Should -Contain 'Polly.Core 8.0.0.0 in ToApis'
        $report.Loaded | Should -Contain 'System.Text.Json 8.0.0.0 in AnotherModule'
    }

    It 'keeps working after Import-Module -Force twice' {
        Import-Module $manifest -Force
        Import-Module $manifest -Force
        (Get-Command -Module ToApis).Count | Should -Be 13

        Connect-ToApis -BaseUri $endpoint.baseUrl -ApiKey $emulatorKey
        $task = 'A lighthouse after a reload' | New-ToApisImage | Wait-ToApisTask -PollIntervalSec 0.05
        $task.Status | Should -Be 'completed'
    }
}
