using System.Management.Automation.Runspaces;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Help;

/// <summary>ToApis.Format.ps1xml: it loads, the manifest ships it, and the engine renders tasks and uploads with its views.</summary>
public sealed class FormatTests
{
    private static readonly string FormatFile = Path.Combine(ModuleAssembly.ModuleFolder, "ToApis.Format.ps1xml");

    private static readonly string[] TaskColumns = ["Id", "Status", "Progress", "Model", "Prompt", "Images"];

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
    public void A_task_shows_as_a_table_with_a_shortened_prompt_and_an_image_count()
    {
        var lines = Render("""
            [ToApis.Models.ToApisTask]@{
                Id = 'tsk_img_01KSWX9YZJREDY9Q5W361KR8QW'; Status = 'completed'; Progress = 100
                Model = 'gemini-2.5-flash-image-official'
                Prompt = 'A lighthouse on a cliff at dawn in watercolor, seen from the sea'
                ImageUrls = @('https://files.example/a.png', 'https://files.example/b.png')
            }
            """);

        Assert.Equal(TaskColumns, Words(lines[0]));
        Assert.True(lines[2].Contains("A lighthouse on a cliff at dawn in water\u2026", StringComparison.Ordinal), string.Join("\n", lines));
        Assert.DoesNotContain("seen from the sea", string.Join("\n", lines));
        Assert.EndsWith(" 2", lines[2].TrimEnd());
    }

    [Fact]
    public void The_task_table_keeps_every_column_in_a_120_column_window()
    {
        var lines = Render(
            """
            [ToApis.Models.ToApisTask]@{
                Id = 'tsk_img_01KSWX9YZJREDY9Q5W361KR8QW'; Status = 'in_progress'; Progress = 40
                Model = 'gemini-3.1-flash-image-preview-official'; Prompt = 'A red fox curled up asleep in fresh snow, at dusk'
            }
            """,
            width: 120);

        Assert.Equal(TaskColumns, Words(lines[0]));
        Assert.All(lines, line => Assert.True(line.TrimEnd().Length <= 120, line));
        Assert.StartsWith("tsk_img_01KSWX9YZJREDY9Q5W361KR8QW in_progress", lines[2]);
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
        return System.Text.RegularExpressions.Regex.Replace(capture.Text, "\u001b\\[[0-9;]*m", "").Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static string[] Words(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
