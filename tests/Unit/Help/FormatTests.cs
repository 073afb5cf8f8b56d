using System.Management.Automation.Runspaces;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Help;

/// <summary>ToApis.Format.ps1xml: it loads, the manifest ships it, and the engine renders tasks and uploads with its views.</summary>
public sealed class FormatTests
{
    private static readonly string FormatFile = Path.Combine(ModuleAssembly.ModuleFolder, "ToApis.Format.ps1xml");

    private static readonly string[] TaskColumns = ["Id", "Status", "%", "Images", "Prompt"];

    [Fact]
    public void Format_file_is_laid_out_and_loads_without_errors()
    {
        Assert.True(File.Exists(FormatFile), FormatFile + " is missing: the module build copies it from the repository root.");

        // The engine's own loader: throws FormatTableLoadException listing every bad element.
        _ = new FormatTable([FormatFile]);
    }

    [Fact]
    public void Manifest_lists_the_format_file()
    {
        using var host = new PowerShellHost();
        var result = host.Run("(Get-Module ToApis).ExportedFormatFiles | ForEach-Object { [System.IO.Path]::GetFileName($_) }");
        Assert.Empty(result.Errors);
        Assert.Equal(["ToApis.Format.ps1xml"], result.Output.Select(o => o.ToString()));
    }

    [Fact]
    public void A_task_shows_as_a_table_with_its_prompt_and_an_image_count()
    {
        var lines = Render("""
            [ToApis.Models.ToApisTask]@{
                Id = 'tsk_img_01KSWX9YZJREDY9Q5W361KR8QW'; Status = 'completed'; Progress = 100
                Model = 'gemini-2.5-flash-image-official'
                Prompt = 'A lighthouse on a cliff at dawn in watercolor, seen from the sea'
                ImageUrls = [string[]]@('https://files.example/a.png', 'https://files.example/b.png')
            }
            """);

        Assert.Equal(TaskColumns, Words(lines[0]));
        Assert.StartsWith("tsk_img_01KSWX9YZJREDY9Q5W361KR8QW completed   100      2 A lighthouse on a cliff at dawn in watercolor, seen from the sea", lines[2]);
    }

    [Fact]
    public void The_task_table_keeps_the_prompt_readable_in_an_80_column_window()
    {
        var lines = Render(
            """
            [ToApis.Models.ToApisTask]@{
                Id = 'tsk_img_01KSWX9YZJREDY9Q5W361KR8QW'; Status = 'in_progress'; Progress = 40
                Model = 'gemini-3.1-flash-image-preview-official'; Prompt = 'A red fox curled up asleep in fresh snow, at dusk'
            }
            """,
            width: 80);

        Assert.Equal(TaskColumns, Words(lines[0]));
        Assert.All(lines, line => Assert.True(line.TrimEnd().Length <= 80, line));
        Assert.StartsWith("tsk_img_01KSWX9YZJREDY9Q5W361KR8QW in_progress  40      0 A red fox curled up", lines[2]);
    }

    [Fact]
    public async Task A_task_made_from_a_row_with_a_Name_shows_the_name_and_the_prompt_at_80_columns()
    {
        await using var emulator = await ToApis.Emulator.ToApisEmulator.StartAsync(new ToApis.Emulator.EmulatorOptions { TimeScale = 0.001 });
        var capture = new TextCaptureHost(80);
        using var host = new PowerShellHost(capture);
        host.Connect(emulator.BaseUri, emulator.ApiKey);

        var result = host.Run("[pscustomobject]@{ Name = 'fox-in-snow'; Prompt = 'A red fox curled up asleep in fresh snow, at dusk' } | New-ToApisImage | Out-Host");

        Assert.Empty(result.Errors);
        var lines = Lines(capture);
        Assert.Equal(["Name", "Status", "%", "Images", "Prompt"], Words(lines[0]));
        Assert.Matches(@"^fox-in-snow +queued +0 +0 A red fox curled up asleep", lines[2]);
        Assert.All(lines, line => Assert.True(line.TrimEnd().Length <= 80, line));
    }

    [Fact]
    public async Task Saved_files_come_out_as_Get_Item_shows_them()
    {
        await using var emulator = await ToApis.Emulator.ToApisEmulator.StartAsync(new ToApis.Emulator.EmulatorOptions { TimeScale = 0.001 });
        using var temp = new TempFolder();
        var capture = new TextCaptureHost(120);
        using var host = new PowerShellHost(capture);
        host.Connect(emulator.BaseUri, emulator.ApiKey);

        var result = host.Run(
            "param($out) $files = New-ToApisImage 'p' | Wait-ToApisTask -PollIntervalSec 0.02 | Save-ToApisImage -Path $out; $files | Out-Host; $files | Get-Item | Out-Host; $files",
            new System.Collections.Hashtable { ["out"] = temp.Path });

        Assert.Empty(result.Errors);
        var file = Assert.Single(result.Output);
        Assert.IsType<FileInfo>(file.BaseObject);
        Assert.All(["PSPath", "PSParentPath", "PSChildName", "PSDrive", "PSProvider", "TaskId", "ImageIndex"], name => Assert.NotNull(file.Properties[name]?.Value));
        // Out-Host of what Save-ToApisImage wrote and of Get-Item on the same file read the same.
        var text = System.Text.RegularExpressions.Regex.Replace(capture.Text, "\u001b\\[[0-9;]*m", "");
        var halves = text.Split("Directory: ").Select(h => h.Trim()).Where(h => h.Length > 0).ToList();
        Assert.Equal(2, halves.Count);
        Assert.Equal(halves[1], halves[0]);
        Assert.Contains(OperatingSystem.IsWindows() ? "Mode" : "UnixMode", halves[0]);
    }

    [Fact]
    public void Models_and_balances_have_table_views()
    {
        var models = Render("[ToApis.Models.ToApisModel]@{ Id = 'gpt-image-2'; MaxCount = 10; MaxReferenceImages = 16; Sizes = [string[]]@('1:1', '16:9') }", width: 80);
        var balance = Render("[ToApis.Models.ToApisBalance]@{ Scope = 'Token'; RemainCredits = 2100; UsedCredits = 460; RemainBalance = 10.5; UsedBalance = 2.3 }", width: 80);

        Assert.Equal(["Id", "MaxCount", "MaxRefs", "Sizes"], Words(models[0]));
        Assert.Equal(["gpt-image-2", "10", "16", "1:1", "16:9"], Words(models[2]));
        Assert.Equal(["Scope", "RemainCredits", "UsedCredits", "RemainBalance", "UsedBalance", "Unlimited"], Words(balance[0]));
        Assert.Equal(["Token", "2100", "460", "10.5", "2.3", "False"], Words(balance[2]));
    }

    [Fact]
    public void An_upload_shows_as_a_table_with_the_file_name()
    {
        var lines = Render("""
            [ToApis.Models.ToApisUpload]@{
                Url = 'https://files.example/uploads/4f9c0e1a.png'; Id = 'file_1'; MimeType = 'image/png'; Length = 482113
                Path = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), 'refs', 'cat.png')
            }
            """);

        Assert.Equal(["Name", "Url", "MimeType", "Length"], Words(lines[0]));
        Assert.Equal(["cat.png", "https://files.example/uploads/4f9c0e1a.png", "image/png", "482113"], Words(lines[2]));
    }

    [Fact]
    public void A_run_shows_as_a_list_that_fits_a_runbook_pane()
    {
        var lines = Render(
            """
            $run = [ToApis.Models.ToApisRun]@{
                Journal = 'run.jsonl'; Rows = 20; Submitted = 18; Reused = 2; Completed = 17; Saved = 17; Failed = 3; Pending = 0; Images = 17
                LastStep = 'Save'; Duration = [timespan]::FromSeconds(72); ImagesPerMinute = 14.1666
                Started = [datetimeoffset]'2026-11-30T10:00:00Z'
                FailedRows = @(3, 7, 15, 16 | ForEach-Object { [pscustomobject]@{ Name = "row$_"; Prompt = "A lighthouse $_" } })
            }
            $run.Errors.Add('ToApis.TaskFailed', 2)
            $run.Errors.Add('ToApis.InvalidParameter', 1)
            $run
            """,
            width: 80);

        Assert.All(lines, line => Assert.True(line.TrimEnd().Length <= 80, line));
        Assert.Equal(
            [
                "Journal         : run.jsonl", "Rows            : 20", "Completed       : 17", "Saved           : 17", "Failed          : 3",
                "Pending         : 0", "Errors          : ToApis.TaskFailed 2", "                  ToApis.InvalidParameter 1",
                "Tasks           : 18 submitted, 2 reused", "Images          : 17", "Started         : 2026-11-30 10:00:00 UTC",
                "Duration        : 1m 12s", "ImagesPerMinute : 14.2", "FailedRows      : 4: row3, row7, row15, \u2026",
            ],
            lines.Select(line => line.TrimEnd()));
    }

    /// <summary>
    /// What a console of <paramref name="width"/> columns shows for the objects <paramref name="script"/> emits,
    /// through Out-Host and the module's default views, as non-empty lines without the ANSI colours of the headers.
    /// </summary>
    private static string[] Render(string script, int width = 200)
    {
        var capture = new TextCaptureHost(width);
        using var host = new PowerShellHost(capture);
        var result = host.Run(script + " | Out-Host");
        Assert.Empty(result.Errors);
        return Lines(capture);
    }

    private static string[] Lines(TextCaptureHost capture) =>
        System.Text.RegularExpressions.Regex.Replace(capture.Text, "\u001b\\[[0-9;]*m", "").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static string[] Words(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
