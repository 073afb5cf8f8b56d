using System.Collections;
using System.Management.Automation;
using ToApis.Emulator;
using ToApis.Models;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Cmdlets;

/// <summary>Reruns after a crash or a stop must never pay twice for a row.</summary>
public sealed class ResumeTests
{
    [Fact]
    public async Task Rerun_with_the_same_run_key_reuses_every_task()
    {
        await using var service = await EmulatedService.StartAsync();
        var script = EmulatedService.CsvRows(8) + $"$rows | New-ToApisImage -RunKey 'batch-1' | Wait-ToApisTask {EmulatedService.FastPolling}";

        var first = service.Run(script);
        var rerun = service.Run(script + " -Verbose");

        Assert.Empty(first.Errors);
        Assert.Empty(rerun.Errors);
        Assert.Equal(8, rerun.OutputOf<ToApisTask>().Count());
        Assert.Equal(first.OutputOf<ToApisTask>().Select(t => t.Id).Order(), rerun.OutputOf<ToApisTask>().Select(t => t.Id).Order());
        Assert.Equal(8, service.Emulator.Stats.TasksCreated);
        Assert.Equal(8, service.Submits);
        Assert.All(first.OutputOf<ToApisTask>(), t => Assert.StartsWith("batch-1-", t.ClientBusinessId));
    }

    [Fact]
    public async Task Identical_rows_stay_distinct_tasks_across_reruns()
    {
        await using var service = await EmulatedService.StartAsync();
        const string Script = "'same prompt', 'same prompt', 'other prompt' | New-ToApisImage -RunKey 'dupes'";

        var first = service.Run(Script);
        var rerun = service.Run(Script);

        Assert.Equal(3, first.OutputOf<ToApisTask>().Select(t => t.ClientBusinessId).Distinct().Count());
        Assert.Equal(first.OutputOf<ToApisTask>().Select(t => t.Id), rerun.OutputOf<ToApisTask>().Select(t => t.Id));
        Assert.Equal(3, service.Emulator.Stats.TasksCreated);
    }

    [Fact]
    public async Task A_different_run_key_or_a_changed_row_is_a_new_task()
    {
        await using var service = await EmulatedService.StartAsync();

        service.Run("'a fox' | New-ToApisImage -RunKey 'one'");
        service.Run("'a fox' | New-ToApisImage -RunKey 'two'");
        service.Run("'a fox' | New-ToApisImage -RunKey 'one' -Size 16:9");
        service.Run("'a fox' | New-ToApisImage -RunKey 'one'");

        Assert.Equal(3, service.Emulator.Stats.TasksCreated);
    }

    [Fact]
    public async Task Failed_tasks_are_submitted_again_on_rerun()
    {
        await using var service = await EmulatedService.StartAsync(o => o.FailureRate = 1.0);
        var script = $"'one', 'two' | New-ToApisImage -RunKey 'retry-failed' | Wait-ToApisTask {EmulatedService.FastPolling}";

        var first = service.Run(script);
        service.Emulator.Options.FailureRate = 0;
        var rerun = service.Run(script);

        Assert.Equal(2, first.Errors.Count);
        Assert.Empty(rerun.Errors);
        Assert.Equal(2, rerun.OutputOf<ToApisTask>().Count());
        Assert.Equal(4, service.Emulator.Stats.TasksCreated);
    }

    [Fact]
    public async Task Stopped_mid_submit_then_rerun_ends_with_exactly_one_task_per_row()
    {
        await using var service = await EmulatedService.StartAsync();
        var script = EmulatedService.CsvRows(30) + "$rows | New-ToApisImage -RunKey 'stopped'";
        var stats = service.Emulator.Stats;

        using (var stopped = service.Shell.Start(script))
        {
            stopped.BeginInvoke();
            Assert.True(SpinWait.SpinUntil(() => stats.TasksCreated >= 10, TimeSpan.FromSeconds(30)));
            stopped.StopWithin(TimeSpan.FromSeconds(30));
        }

        var createdBeforeRerun = stats.TasksCreated;
        var rerun = service.Run(script);

        Assert.InRange(createdBeforeRerun, 10, 29);
        Assert.Empty(rerun.Errors);
        var tasks = rerun.OutputOf<ToApisTask>().ToList();
        Assert.Equal(30, tasks.Count);
        Assert.Equal(30, stats.TasksCreated);
        Assert.All(tasks, t => Assert.Equal(1, stats.TasksForClientBusinessId(t.ClientBusinessId!)));
    }
}

/// <summary>The local journal: a readable record, and the memory of a rerun where the service cannot look ids up.</summary>
public sealed class JournalTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string Pipeline(string journal, string output) =>
        $"'a fox', 'a whale' | New-ToApisImage -RunKey 'journaled' -Journal '{journal}' | " +
        $"Wait-ToApisTask -Journal '{journal}' {EmulatedService.FastPolling} | Save-ToApisImage -Path '{output}' -Journal '{journal}'";

    [Fact]
    public async Task Journal_records_every_step_as_json_lines_without_the_key()
    {
        await using var service = await EmulatedService.StartAsync();
        var journal = Path.Combine(_temp.Path, "run.jsonl");

        var result = service.Run(Pipeline(journal, Path.Combine(_temp.Path, "out")));

        Assert.Empty(result.Errors);
        var text = File.ReadAllText(journal);
        Assert.DoesNotContain(service.Emulator.ApiKey, text);
        var events = File.ReadAllLines(journal).Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("event").GetString()).ToList();
        Assert.Equal(2, events.Count(e => e == "submitted"));
        Assert.Equal(2, events.Count(e => e == "completed"));
        Assert.Equal(2, events.Count(e => e == "saved"));
    }

    [Fact]
    public async Task Where_the_service_cannot_look_ids_up_the_journal_prevents_paying_twice()
    {
        await using var service = await EmulatedService.StartAsync(o => o.Quirks = EmulatorQuirks.NoBusinessIdLookup);
        var journal = Path.Combine(_temp.Path, "run.jsonl");
        var output = Path.Combine(_temp.Path, "out");

        var first = service.Run(Pipeline(journal, output));
        var downloads = service.Emulator.Stats.RequestCount(RouteKeys.Files);
        var rerun = service.Run(Pipeline(journal, output) + " -Verbose");

        Assert.Empty(first.Errors);
        Assert.Empty(rerun.Errors);
        Assert.Equal(2, service.Emulator.Stats.TasksCreated);
        Assert.Equal(downloads, service.Emulator.Stats.RequestCount(RouteKeys.Files));
        Assert.Equal(2, _temp.Files("out").Count);
        Assert.Contains(rerun.Verbose, v => v.Message.Contains("saved by an earlier run"));
    }

    [Fact]
    public async Task A_journal_cut_short_still_proves_every_task_its_surviving_lines_name()
    {
        // A log rotation with copy-truncate keeps only the later lines: completed and saved, not submitted.
        await using var service = await EmulatedService.StartAsync(o => o.Quirks = EmulatorQuirks.NoBusinessIdLookup);
        var journal = Path.Combine(_temp.Path, "run.jsonl");
        var output = Path.Combine(_temp.Path, "out");
        Assert.Empty(service.Run(Pipeline(journal, output)).Errors);
        var later = File.ReadAllLines(journal).Where(line => !line.Contains("\"submitt") && !line.Contains("\"row\"")).ToArray();
        Assert.Contains(later, line => line.Contains("\"saved\""));
        File.WriteAllLines(journal, later);

        var rerun = service.Run(Pipeline(journal, output));

        Assert.Empty(rerun.Errors);
        Assert.Equal(2, service.Emulator.Stats.TasksCreated);
    }

    [Theory]
    [InlineData("Remove-Item", "removed or replaced")]
    [InlineData("Clear-Content", "cut short")]
    public async Task A_journal_removed_or_cut_mid_run_is_written_back_whole_with_one_warning(string cmdlet, string said)
    {
        await using var service = await EmulatedService.StartAsync();
        var journal = Path.Combine(_temp.Path, "run.jsonl");

        var result = service.Run(
            $"'a fox', 'a whale' | New-ToApisImage -RunKey 'cut' -Journal '{journal}' | " +
            $"ForEach-Object {{ {cmdlet} -LiteralPath '{journal}' -ErrorAction SilentlyContinue; $_ }} | " +
            $"Wait-ToApisTask -Journal '{journal}' {EmulatedService.FastPolling} | Out-Null");

        Assert.Empty(result.Errors);
        var warning = Assert.Single(result.Warnings, w => w.Message.Contains(said));
        Assert.Contains(journal, warning.Message);
        var events = Lines(journal).Select(line => line.GetProperty("event").GetString()).ToList();
        Assert.Equal(2, events.Count(e => e == "submitted"));
        Assert.Equal(2, events.Count(e => e == "completed"));
    }

    [Fact]
    public async Task Without_a_journal_such_a_service_would_be_paid_twice()
    {
        // The counterpart of the test above: shows what the journal is for.
        await using var service = await EmulatedService.StartAsync(o => o.Quirks = EmulatorQuirks.NoBusinessIdLookup);

        service.Run("'a fox' | New-ToApisImage -RunKey 'unjournaled'");
        service.Run("'a fox' | New-ToApisImage -RunKey 'unjournaled'");

        Assert.Equal(2, service.Emulator.Stats.TasksCreated);
    }

    // Lines about the run (step, balance) name no task.
    private static string? BusinessIdOf(System.Text.Json.JsonElement line) =>
        line.TryGetProperty("client_business_id", out var id) ? id.GetString() : null;

    private static List<System.Text.Json.JsonElement> Lines(string journal) =>
        File.ReadAllLines(journal).Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement.Clone()).ToList();

    [Fact]
    public async Task Each_submit_is_journaled_as_submitting_before_it_is_sent()
    {
        await using var service = await EmulatedService.StartAsync();
        var journal = Path.Combine(_temp.Path, "run.jsonl");

        var result = service.Run($"'a fox', 'a whale' | New-ToApisImage -RunKey 'ahead' -Journal '{journal}'");

        Assert.Empty(result.Errors);
        var lines = Lines(journal);
        foreach (var task in result.OutputOf<ToApisTask>())
        {
            var events = lines.Where(l => BusinessIdOf(l) == task.ClientBusinessId)
                .Select(l => l.GetProperty("event").GetString()).ToList();
            Assert.Equal(new[] { "submitting", "submitted" }, events);
        }

        Assert.Equal(new[] { 1, 2 }, lines.Where(l => l.GetProperty("event").GetString() == "submitting").Select(l => l.GetProperty("row_number").GetInt32()).Order());
    }

    /// <summary>A crash (or a full disk) leaves the journal's last line half written; the next record must stay readable.</summary>
    [Fact]
    public async Task A_torn_last_line_is_skipped_and_the_next_record_starts_on_a_line_of_its_own()
    {
        await using var service = await EmulatedService.StartAsync(o => o.Quirks = EmulatorQuirks.NoBusinessIdLookup);
        var journal = Path.Combine(_temp.Path, "run.jsonl");
        service.Run(Pipeline(journal, Path.Combine(_temp.Path, "out")));
        File.AppendAllText(journal, "{\"time\":\"2026-11-24T10:00:00Z\",\"event\":\"submi");

        var rerun = service.Run(Pipeline(journal, Path.Combine(_temp.Path, "out")));

        Assert.Empty(rerun.Errors);
        Assert.Equal(2, service.Emulator.Stats.TasksCreated); // the records before the fragment still count
        var lines = File.ReadAllLines(journal);
        Assert.Single(lines, line => line.EndsWith("\"event\":\"submi", StringComparison.Ordinal));
        Assert.All(lines.Where(line => !line.EndsWith("\"event\":\"submi", StringComparison.Ordinal)), line => System.Text.Json.JsonDocument.Parse(line).Dispose());
        Assert.Contains(lines, line => line.Contains("\"event\":\"reused\""));
    }

    /// <summary>
    /// A run killed with a submit in flight leaves a <c>submitting</c> line and no task id. Where the service cannot
    /// look client_business_id up, the rerun cannot know whether the task exists: it says so instead of paying again,
    /// and -RetryUnknown pays for it on request.
    /// </summary>
    [Fact]
    public async Task A_submit_an_earlier_run_left_unanswered_is_not_paid_again_unless_RetryUnknown()
    {
        await using var service = await EmulatedService.StartAsync(o => o.Quirks = EmulatorQuirks.NoBusinessIdLookup);
        var journal = Path.Combine(_temp.Path, "run.jsonl");
        File.WriteAllText(journal, "{\"time\":\"2026-11-24T10:00:00Z\",\"event\":\"submitting\",\"client_business_id\":\"row-1\",\"row\":1}\n");
        var command = $"New-ToApisImage 'a fox' -ClientBusinessId 'row-1' -Journal '{journal}'";

        var rerun = service.Run(command);

        var error = ErrorAssert.Is(Assert.Single(rerun.Errors), "ToApis.SubmitOutcomeUnknown", System.Management.Automation.ErrorCategory.ResourceUnavailable);
        Assert.Contains("row-1", error.Exception.Message);
        Assert.Contains("Get-ToApisTask -Id row-1", error.ErrorDetails.RecommendedAction);
        Assert.Contains("-RetryUnknown", error.ErrorDetails.RecommendedAction);
        Assert.Equal(0, service.Submits);

        var paid = service.Run(command + " -RetryUnknown");

        Assert.Empty(paid.Errors);
        Assert.Contains(paid.Warnings, w => w.Message.Contains("-RetryUnknown"));
        Assert.Equal(1, service.Submits);
        Assert.Equal(
            new[] { "submitting", "submitting", "submitted" },
            Lines(journal).Where(l => BusinessIdOf(l) == "row-1").Select(l => l.GetProperty("event").GetString()));
    }

    /// <summary>
    /// Rows held back by the client's own pace never left the machine: they get no <c>submitting</c> line, so a run
    /// killed while they wait (its journal as it stood then) leaves nothing unknown, and the rerun simply submits them.
    /// </summary>
    [Fact]
    public async Task Rows_waiting_for_the_local_pace_are_not_journaled_as_sent_and_a_rerun_submits_them()
    {
        // One submit per 10 s, and a service that cannot look ids up: only the journal can tell sent from unsent.
        await using var service = await EmulatedService.StartAsync(
            o => o.Quirks = EmulatorQuirks.NoBusinessIdLookup, EmulatedService.FastRetries + " -SubmitRateLimit 0.1");
        var journal = Path.Combine(_temp.Path, "run.jsonl");
        var script = EmulatedService.CsvRows(6) + $"$rows | New-ToApisImage -RunKey 'paced' -Journal '{journal}'";
        var stats = service.Emulator.Stats;

        using (var stopped = service.Shell.Start(script))
        {
            stopped.BeginInvoke();
            // The first row is sent; the second has been looked up and now waits for the next submit slot.
            Assert.True(SpinWait.SpinUntil(
                () => service.Submits >= 1 && stats.RequestCount(RouteKeys.QueryGeneration) >= 2, TimeSpan.FromSeconds(30)));
            stopped.StopWithin(TimeSpan.FromSeconds(30));
        }

        var sent = stats.Snapshot().TasksByClientBusinessId.Keys;
        var journaledAsSending = Lines(journal).Where(l => l.GetProperty("event").GetString() == "submitting")
            .Select(l => l.GetProperty("client_business_id").GetString()!).ToHashSet();
        Assert.InRange(service.Submits, 1, 5);
        Assert.Equal(sent.Order(), journaledAsSending.Order());

        // A kill writes nothing more: keep only what the journal held while the rows waited.
        File.WriteAllLines(journal, File.ReadAllLines(journal).Where(line => !line.Contains("\"not_submitted\"")));
        service.Shell.Connect(service.Emulator.BaseUri, service.Emulator.ApiKey, EmulatedService.FastRetries + " -SubmitRateLimit 100");
        var rerun = service.Run(script);

        Assert.Empty(rerun.Errors);
        var tasks = rerun.OutputOf<ToApisTask>().ToList();
        Assert.Equal(6, tasks.Count);
        Assert.Equal(6, stats.TasksCreated);
        Assert.All(tasks, t => Assert.Equal(1, stats.TasksForClientBusinessId(t.ClientBusinessId!)));
    }

    /// <summary>Where the service can look ids up, its "no such task" settles the question: the row is submitted.</summary>
    [Fact]
    public async Task A_submit_an_earlier_run_left_unanswered_is_sent_when_the_service_says_no_such_task()
    {
        await using var service = await EmulatedService.StartAsync();
        var journal = Path.Combine(_temp.Path, "run.jsonl");
        Assert.Empty(service.Run($"New-ToApisImage 'known' -ClientBusinessId 'known-1' -Journal '{journal}'").Errors);
        File.AppendAllText(journal, "{\"time\":\"2026-11-24T10:00:00Z\",\"event\":\"submitting\",\"client_business_id\":\"row-1\",\"row\":1}\n");

        var rerun = service.Run($"New-ToApisImage 'a fox' -ClientBusinessId 'row-1' -Journal '{journal}' -Verbose");

        Assert.Empty(rerun.Errors);
        Assert.Equal(2, service.Submits);
        Assert.Contains(rerun.Verbose, v => v.Message.Contains("finds tasks by client_business_id"));
    }
}
