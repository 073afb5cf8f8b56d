using System.Management.Automation;
using ToApis.Emulator;
using ToApis.Models;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Cmdlets;

/// <summary>
/// What an unattended run needs beyond its rows: what it cost, a warning before it spends what the key has not
/// got, an error a scheduler turns into a failed exit code, and advice where a session cannot follow into a job.
/// </summary>
public sealed class SchedulerTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string JournalPath => Path.Combine(_temp.Path, "run.jsonl");

    private string Output => Path.Combine(_temp.Path, "out");

    private string Pipeline(int rows, string runKey = "nightly") =>
        EmulatedService.CsvRows(rows) + SampleRun.Pipeline("$rows", JournalPath, Output, runKey) + " | Out-Null";

    [Fact]
    public async Task A_journaled_run_reads_the_balance_when_it_starts_and_ends_and_says_what_the_key_used()
    {
        await using var service = await EmulatedService.StartAsync(options => options.Credits = 200);

        var result = service.Run(Pipeline(4));
        var run = RunTests.GetRun(service, JournalPath);

        Assert.Empty(result.Errors);
        Assert.Equal(2, service.Emulator.Stats.RequestCount(RouteKeys.TokenBalance));
        var cost = Assert.IsType<ToApisRunCost>(run.Cost);
        Assert.Equal((40m, 0.20m, 160m, 10m, true), (cost.CreditsUsed, cost.MoneyUsed, cost.CreditsLeft, cost.CreditsPerImage, cost.Complete));
        Assert.EndsWith("; 40 credits ($0.20) used by the key during the run, any other use of the key included.", run.ToString());

        var gallery = Path.Combine(_temp.Path, "gallery.html");
        Assert.Empty(service.Run($"Export-ToApisGallery -Journal '{JournalPath}' -Path '{gallery}'").Errors);
        Assert.Contains("<b>40</b>credits ($0.20) used by the key during the run, any other use of it included", File.ReadAllText(gallery));
    }

    [Fact]
    public async Task Other_use_of_the_key_during_the_run_is_counted_and_the_summary_says_it_may_be()
    {
        await using var service = await EmulatedService.StartAsync(options => options.Credits = 200);

        // Another script spends with the same key while this run waits for its tasks.
        var result = service.Run(
            EmulatedService.CsvRows(2) +
            $"$rows | New-ToApisImage -RunKey mine -Journal '{JournalPath}' | ForEach-Object {{ 'by someone else' | New-ToApisImage | Out-Null; $_ }} | " +
            $"Wait-ToApisTask -Journal '{JournalPath}' {EmulatedService.FastPolling} | Out-Null");

        Assert.Empty(result.Errors);
        var cost = RunTests.GetRun(service, JournalPath).Cost!;
        Assert.Equal(40m, cost.CreditsUsed);
        Assert.Contains("any other use of the key included", cost.ToString());
    }

    [Fact]
    public async Task A_run_killed_before_its_closing_reading_is_left_out_of_the_cost_and_said_to_be()
    {
        await using var service = await EmulatedService.StartAsync(options => options.Credits = 200);
        service.Run(Pipeline(2));
        // What a killed invocation leaves: its start reading and its submits, no end reading.
        File.AppendAllLines(JournalPath, [
            """{"time":"2026-12-04T10:00:00+00:00","event":"balance","balance_at":"start","remain_credits":180,"used_credits":20,"unlimited_quota":false}""",
        ]);

        var cost = RunTests.GetRun(service, JournalPath).Cost!;

        Assert.Equal((20m, false), (cost.CreditsUsed, cost.Complete));
        Assert.Contains("an invocation without its closing balance reading, still running or killed, is not counted", cost.ToString());
    }

    [Fact]
    public async Task Before_spending_a_run_warns_when_the_credit_left_cannot_pay_for_the_rows_still_to_pay()
    {
        await using var service = await EmulatedService.StartAsync(options => options.Credits = 30);
        // Three rows are paid for; the fourth is refused for lack of credit.
        service.Run($"try {{ {Pipeline(6)} }} catch {{ }}");
        service.Emulator.Options.Credits = 35; // a small top-up: 5 credits left, one row costs 10

        var rerun = service.Run($"try {{ {Pipeline(6)} }} catch {{ }}");

        var warning = Assert.Single(rerun.Warnings, w => w.Message.Contains("credits left"));
        // The refused row at least (rows the first run never read are unknown to the journal), at 10 credits an image.
        var said = System.Text.RegularExpressions.Regex.Match(
            warning.Message, @"^The key has 5 credits left, but the (\d+) row\(s\) of the journal .* will likely cost about (\d+) at the last known cost per image\.");
        Assert.True(said.Success, warning.Message);
        Assert.Equal(int.Parse(said.Groups[1].Value) * 10, int.Parse(said.Groups[2].Value));
    }

    [Fact]
    public async Task No_warning_when_the_credit_covers_the_rows_still_to_pay()
    {
        await using var service = await EmulatedService.StartAsync(options => options.Credits = 30);
        service.Run($"try {{ {Pipeline(6)} }} catch {{ }}");
        service.Emulator.Options.Credits = 1000;

        var rerun = service.Run(Pipeline(6));

        Assert.DoesNotContain(rerun.Warnings, w => w.Message.Contains("credits left"));
        Assert.Equal(6, RunTests.GetRun(service, JournalPath).Saved);
    }

    [Fact]
    public async Task FailIfIncomplete_names_every_row_not_done_after_the_summary_and_is_silent_when_all_are()
    {
        await using var service = await EmulatedService.StartAsync();
        service.Run(SampleRun.Script(JournalPath, Output));

        var result = service.Run($"try {{ Get-ToApisRun -Journal '{JournalPath}' -FailIfIncomplete }} catch {{ $_ }}");

        Assert.Single(result.OutputOf<ToApisRun>()); // the summary comes first
        var error = ErrorAssert.Is(ErrorAssert.Caught(result), "ToApis.RunIncomplete", ErrorCategory.InvalidResult);
        Assert.StartsWith($"The run {JournalPath} did not finish every row: 4 failed and 0 pending of 20.", error.Exception.Message);
        Assert.Contains("Row 3 (Name=row3): ", error.Exception.Message);
        Assert.Contains("[ToApis.TaskFailed]", error.Exception.Message);
        Assert.Contains("Row 7 (Name=row7): ", error.Exception.Message);
        Assert.Contains("Row 12 (Name=row12): ", error.Exception.Message);
        Assert.Contains("Row 15 (Name=row15): ", error.Exception.Message);
        Assert.DoesNotContain("): Row ", error.Exception.Message); // each row named once, though the cmdlets' exceptions name it too
        Assert.Contains("FailedRows", error.ErrorDetails.RecommendedAction);

        var done = Path.Combine(_temp.Path, "done.jsonl");
        service.Run(EmulatedService.CsvRows(2) + SampleRun.Pipeline("$rows", done, Output, "done") + " | Out-Null");
        var complete = service.Run($"Get-ToApisRun -Journal '{done}' -FailIfIncomplete");
        Assert.Empty(complete.Errors);
        Assert.Equal(2, Assert.Single(complete.OutputOf<ToApisRun>()).Saved);
    }

    [Fact]
    public async Task Rows_a_run_never_saved_are_pending_for_FailIfIncomplete_even_when_no_row_reached_the_save()
    {
        await using var service = await EmulatedService.StartAsync();
        // The run's Save-ToApisImage began but got no task.
        service.Run(
            EmulatedService.CsvRows(2) +
            $"$rows | New-ToApisImage -Journal '{JournalPath}' | Where-Object {{ $false }} | Save-ToApisImage -Path '{Output}' -Journal '{JournalPath}'");

        var result = service.Run($"try {{ Get-ToApisRun -Journal '{JournalPath}' -FailIfIncomplete }} catch {{ $_ }}");

        var run = Assert.Single(result.OutputOf<ToApisRun>());
        Assert.Equal(("Save", 2), (run.LastStep, run.Pending));
        ErrorAssert.Is(ErrorAssert.Caught(result), "ToApis.RunIncomplete", ErrorCategory.InvalidResult);
    }

    [Fact]
    public async Task A_session_copied_into_a_job_is_refused_with_advice_that_works_there()
    {
        await using var service = await EmulatedService.StartAsync();

        // What Start-Job and remoting hand the job for -Session $using:s: the session serialized and read back.
        var result = service.Run("""
            $copy = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize((Get-ToApisSession)))
            try { Get-ToApisBalance -Session $copy } catch { $_ }
            """);

        var error = ErrorAssert.Is(ErrorAssert.Caught(result), "ToApis.SessionNotTransferable", ErrorCategory.InvalidArgument);
        Assert.Contains("Start-Job", error.Exception.Message);
        Assert.Contains("$env:TOAPIS_API_KEY", error.ErrorDetails.RecommendedAction);
        Assert.Contains("Connect-ToApis", error.ErrorDetails.RecommendedAction);
        Assert.Equal(0, service.Emulator.Stats.RequestCount(RouteKeys.TokenBalance));
    }
}
