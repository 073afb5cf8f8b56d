using System.Collections;
using System.Management.Automation;
using ToApis.Models;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Cmdlets;

/// <summary>What a journaled run leaves behind: Get-ToApisRun's summary, the rows to feed again, the closing line.</summary>
public sealed class RunTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string JournalPath => Path.Combine(_temp.Path, "run.jsonl");

    private string Output => Path.Combine(_temp.Path, "out");

    /// <summary>The run of <paramref name="journal"/>, read without errors.</summary>
    internal static ToApisRun GetRun(EmulatedService service, string journal)
    {
        var result = service.Run("param($Journal) Get-ToApisRun -Journal $Journal", new Hashtable { ["Journal"] = journal });
        Assert.Empty(result.Errors);
        return Assert.Single(result.OutputOf<ToApisRun>());
    }

    private static string Column(object row, string name) => (string)((PSObject)row).Properties[name].Value;

    [Fact]
    public async Task A_run_with_failures_is_summarised_and_its_failed_rows_fed_again_retry_exactly_them()
    {
        await using var service = await EmulatedService.StartAsync();

        var first = service.Run(SampleRun.Script(JournalPath, Output));
        var created = service.Emulator.Stats.TasksCreated;
        var run = GetRun(service, JournalPath);

        Assert.Equal(4, first.Errors.Count);
        Assert.Equal((20, 18, 0, 16, 16, 4, 0, 16), (run.Rows, run.Submitted, run.Reused, run.Completed, run.Saved, run.Failed, run.Pending, run.Images));
        Assert.Equal(
            new Dictionary<string, int> { ["ToApis.TaskFailed"] = 2, ["ToApis.ContentPolicyViolation"] = 1, ["ToApis.InvalidRequest"] = 1 },
            run.Errors);
        Assert.Equal(SampleRun.FailingNames, run.FailedRows.Select(row => Column(row, "Name")));
        // The original rows, every column, as PSCustomObjects.
        var row7 = (PSObject)run.FailedRows[1];
        Assert.IsType<PSCustomObject>(row7.BaseObject);
        Assert.Equal(["Name", "Prompt", "Size", "Tag"], row7.Properties.Select(p => p.Name));
        Assert.Equal(("1920x1080", "tag-7"), (Column(row7, "Size"), Column(row7, "Tag")));
        Assert.Equal("Save", run.LastStep);
        // Each failure is one journal line with its ErrorId: a failed task's failed line, never a second error line.
        var failureLines = File.ReadLines(JournalPath).Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement)
            .Where(line => line.GetProperty("event").GetString() is "failed" or "timedout" or "error").ToList();
        Assert.Equal(["error", "error", "failed", "failed"], failureLines.Select(line => line.GetProperty("event").GetString()).Order());
        Assert.All(failureLines, line => Assert.StartsWith("ToApis.", line.GetProperty("error_id").GetString()));
        Assert.NotNull(run.Duration);
        Assert.True(run.Finished >= run.Started);

        // The service stops failing tasks and refusing content; it still refuses row 7's pixel size, so only it fails again.
        service.Emulator.Options.TaskFailureTriggerWord = "";
        service.Emulator.Options.ContentPolicyTriggerWord = "";
        var refeed = service.Run(
            SampleRun.Pipeline("(Get-ToApisRun -Journal $Journal).FailedRows", JournalPath, Output),
            new Hashtable { ["Journal"] = JournalPath });
        var after = GetRun(service, JournalPath);

        ErrorAssert.Is(Assert.Single(refeed.Errors), "ToApis.InvalidRequest", ErrorCategory.InvalidArgument);
        Assert.Equal(["row12.png", "row15.png", "row3.png"], refeed.OutputOf<FileInfo>().Select(f => f.Name).Order());
        Assert.Equal(created + 3, service.Emulator.Stats.TasksCreated);
        Assert.Equal((20, 19, 1, 0), (after.Rows, after.Saved, after.Failed, after.Pending));
        Assert.Equal(new Dictionary<string, int> { ["ToApis.InvalidRequest"] = 1 }, after.Errors);
        Assert.Equal("row7", Column(Assert.Single(after.FailedRows), "Name"));
        Assert.Equal(SampleRun.Rows - 1, Directory.GetFiles(Output, "*.png").Length);

        // Row 7 corrected, as its recommended action says: it is the same row, now saved, not a 21st row.
        var corrected = service.Run(
            SampleRun.Pipeline("(Get-ToApisRun -Journal $Journal).FailedRows | ForEach-Object { $_.Size = '16:9'; $_ }", JournalPath, Output),
            new Hashtable { ["Journal"] = JournalPath });
        var done = GetRun(service, JournalPath);

        Assert.Empty(corrected.Errors);
        Assert.Equal((20, 20, 0, 0), (done.Rows, done.Saved, done.Failed, done.Pending));
        Assert.Empty(done.FailedRows);
    }

    [Fact]
    public async Task A_journaled_pipeline_ends_with_one_summary_line_on_the_information_stream()
    {
        await using var service = await EmulatedService.StartAsync();

        var result = service.Run("& { " + SampleRun.Script(JournalPath, Output) + " } 6>&1 | Where-Object { $_ -is [System.Management.Automation.InformationRecord] }");

        var line = Assert.Single(result.OutputOf<InformationRecord>());
        Assert.Equal(["ToApis", "Summary"], line.Tags);
        var text = line.MessageData.ToString()!;
        Assert.StartsWith($"ToApis run {JournalPath}: 20 rows: 16 saved, 4 failed (ToApis.TaskFailed 2, ", text);
        Assert.Contains(", 0 pending; 16 images in ", text);
        Assert.EndsWith($"Rows to retry: (Get-ToApisRun -Journal '{JournalPath}').FailedRows", text);
    }

    [Fact]
    public async Task Each_journaled_cmdlet_run_on_its_own_ends_with_its_line_and_unjournaled_runs_say_nothing()
    {
        await using var service = await EmulatedService.StartAsync();
        const string Information = "6>&1 | Where-Object { $_ -is [System.Management.Automation.InformationRecord] } | ForEach-Object { $_.MessageData }";

        var submitted = service.Run($"& {{ $global:tasks = 'a fox', 'an owl' | New-ToApisImage -Journal '{JournalPath}' }} {Information}");
        var waited = service.Run($"& {{ $global:tasks | Wait-ToApisTask -Journal '{JournalPath}' {EmulatedService.FastPolling} | Out-Null }} {Information}");
        var unjournaled = service.Run($"& {{ 'a cat' | New-ToApisImage | Out-Null }} {Information}");

        // New-ToApisImage read the key's balance when it began and ended: the run's cost, which the Wait after it keeps saying.
        Assert.Matches(@": 2 rows: 2 submitted, 0 failed, 0 pending; 0 images in [0-9.]+s; 20 credits \(\$0\.10\) used by the key during the run, any other use of the key included\.$", Assert.Single(submitted.Output).ToString());
        Assert.Matches(@": 2 rows: 2 completed, 0 failed, 0 pending; 2 images in [0-9.]+s \([0-9.]+ per minute\); 20 credits \(\$0\.10\) used by the key during the run, any other use of the key included\.$", Assert.Single(waited.Output).ToString());
        Assert.Empty(unjournaled.Output);
    }

    [Fact]
    public async Task A_run_that_a_refused_key_ends_still_says_how_it_stands()
    {
        await using var service = await EmulatedService.StartAsync();
        service.Shell.Connect(service.Emulator.BaseUri, "sk-not-a-key", EmulatedService.FastRetries + " -SkipValidation");

        var result = service.Run(
            $"try {{ & {{ 'a fox', 'an owl' | New-ToApisImage -Journal '{JournalPath}' }} 6>&1 | Where-Object {{ $_ -is [System.Management.Automation.InformationRecord] }} }} catch {{ $_ }}");

        ErrorAssert.Is(ErrorAssert.Caught(result), "ToApis.Unauthorized", ErrorCategory.AuthenticationError);
        var line = Assert.Single(result.OutputOf<InformationRecord>());
        Assert.Contains(": 1 row: 0 submitted, 1 failed (ToApis.Unauthorized 1), 0 pending;", line.MessageData.ToString());
    }

    [Fact]
    public async Task Get_ToApisRun_reads_a_journal_that_a_run_is_still_writing()
    {
        await using var service = await EmulatedService.StartAsync();
        service.Run("'a fox', 'an owl' | New-ToApisImage -Journal $args[0] | Out-Null".Replace("$args[0]", $"'{JournalPath}'"));

        // A writer that shares nothing but reading, and a last line it has only half written.
        using (var writer = new FileStream(JournalPath, FileMode.Append, FileAccess.Write, FileShare.Read))
        {
            writer.Write("{\"time\":\"2026-11-30T10:00:00+00:00\",\"event\":\"compl"u8);
            writer.Flush();
            var result = service.Run($"Get-ToApisRun -Journal '{JournalPath}' -Verbose");

            Assert.Empty(result.Errors);
            var run = Assert.Single(result.OutputOf<ToApisRun>());
            Assert.Equal((2, 2, 0, "Submit"), (run.Rows, run.Submitted, run.Pending, run.LastStep));
            Assert.Contains(result.Verbose, v => v.Message.StartsWith("1 line(s) of ", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Get_ToApisRun_takes_journals_from_the_pipeline_and_reports_a_missing_one()
    {
        await using var service = await EmulatedService.StartAsync();
        service.Run($"'a fox' | New-ToApisImage -Journal '{JournalPath}' | Out-Null");

        var result = service.Run($"[System.IO.DirectoryInfo]::new('{_temp.Path}').GetFiles('*.jsonl') | Get-ToApisRun; Get-ToApisRun -Journal '{Path.Combine(_temp.Path, "nope.jsonl")}'");

        Assert.Equal(1, Assert.Single(result.OutputOf<ToApisRun>()).Rows);
        ErrorAssert.Is(Assert.Single(result.Errors), "ToApis.FileNotFound", ErrorCategory.ObjectNotFound);
    }
}
