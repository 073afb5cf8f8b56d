using System.Diagnostics;
using System.Text.Json;
using ToApis.Emulator;
using ToApis.Tests.Cmdlets;
using ToApis.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace ToApis.Tests.Processes;

/// <summary>
/// Runs of the module in processes of their own, killed at random points or overlapping on one journal (a
/// scheduled run meeting a manual rerun): no row is ever paid twice unasked, every row ends saved, the journal
/// stays readable and no partial file is left.
/// </summary>
[Collection(nameof(ProcessesCollection))]
public sealed class CrashAndOverlapTests(ITestOutputHelper log) : IDisposable
{
    private const int Rows = 200;

    /// <summary>The whole job, as a runbook would run it; -LockTimeoutSec lets overlapping runs wait for each other.</summary>
    private const string Job = """
        param($rows, $runKey, $journal, $out, $extra)
        Connect-ToApis -BaseUri $env:TOAPIS_BASE_URL -RetryIntervalSec 0.01 -RateTier None
        $journalParameters = if ($journal) { @{ Journal = $journal } } else { @{} }
        $retry = @{ RetryUnknown = ($extra -eq 'RetryUnknown') }
        1..[int]$rows | ForEach-Object { [pscustomobject]@{ Name = "row$_"; Prompt = "A lighthouse number $_" } } |
            New-ToApisImage -RunKey $runKey @journalParameters @retry -LockTimeoutSec 600 |
            Wait-ToApisTask @journalParameters -PollIntervalSec 0.02 -LockTimeoutSec 600 |
            Save-ToApisImage -Path $out -FileName '{Name}' @journalParameters -LockTimeoutSec 600 |
            ForEach-Object { "saved $($_.Name)" }
        """;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Journal => Path.Combine(_temp.Path, "run.jsonl");

    private string Output => Path.Combine(_temp.Path, "out");

    private static Task<EmulatedService> StartServiceAsync(EmulatorQuirks quirks = EmulatorQuirks.None) =>
        EmulatedService.StartAsync(o =>
        {
            // Several processes share the account: pacing is per process, so the emulator's limits are off here.
            o.RateLimitsEnabled = false;
            o.Quirks = quirks;
        });

    private ModuleHostProcess StartJob(EmulatedService service, bool journal = true, string extra = "") =>
        ModuleHostProcess.Start(service, _temp.Path, Job, new Dictionary<string, string>
        {
            ["rows"] = Rows.ToString(), ["runKey"] = "field-run", ["journal"] = journal ? Journal : "", ["out"] = Output, ["extra"] = extra,
        });

    [Fact]
    public async Task Killed_five_times_at_random_points_then_rerun_leaves_one_task_and_one_file_per_row()
    {
        await using var service = await StartServiceAsync();
        // Some downloads stall halfway, so that kills also land mid-download and leave partial files behind.
        service.Emulator.Faults.Delay = TimeSpan.FromSeconds(1);
        service.Emulator.Faults.SetRate(FaultTarget.Files, FaultKind.StallMidBody, 0.05);
        KillFiveTimes(service, new Random(2026));

        using var final = StartJob(service);
        var exitCode = final.WaitForExit(TimeSpan.FromMinutes(5));

        var stats = service.Emulator.Stats.Snapshot();
        var perId = stats.TasksByClientBusinessId.Values;
        log.WriteLine($"after 5 kills and a rerun: {stats.TasksCreated} tasks for {perId.Count()} client_business_ids (max {perId.DefaultIfEmpty(0).Max()} per id), " +
                      $"{_temp.Files("out").Count} files, {LeftoverPartials().Count} partial files left, {UnreadableJournalLines().Count} unreadable journal lines");
        Assert.True(exitCode == 0, string.Join("\n", final.Lines.Where(l => l.StartsWith("error"))));
        Assert.Equal(Rows, stats.TasksCreated);
        Assert.All(perId, count => Assert.Equal(1, count));
        Assert.Equal(Enumerable.Range(1, Rows).Select(i => $"row{i}.png").Order(), _temp.Files("out").Order());
        Assert.Empty(LeftoverPartials());
        Assert.Empty(UnreadableJournalLines());
    }

    [Fact]
    public async Task Killed_runs_against_a_service_that_cannot_look_ids_up_never_pay_twice_unasked()
    {
        await using var service = await StartServiceAsync(EmulatorQuirks.NoBusinessIdLookup);
        KillFiveTimes(service, new Random(7), submitsOnly: true);

        using var rerun = StartJob(service);
        rerun.WaitForExit(TimeSpan.FromMinutes(5));
        var unknown = rerun.ErrorIds.Count(id => id == "ToApis.SubmitOutcomeUnknown");
        var afterRerun = service.Emulator.Stats.Snapshot();

        // The submits in flight at each kill have an unknown outcome: reported, not paid again.
        Assert.All(rerun.ErrorIds, id => Assert.Equal("ToApis.SubmitOutcomeUnknown", id));
        Assert.All(afterRerun.TasksByClientBusinessId.Values, count => Assert.Equal(1, count));
        Assert.Equal(Rows - unknown, _temp.Files("out").Count);

        using var paidExplicitly = StartJob(service, extra: "RetryUnknown");
        Assert.Equal(0, paidExplicitly.WaitForExit(TimeSpan.FromMinutes(5)));
        var final = service.Emulator.Stats.Snapshot();
        log.WriteLine($"no lookups: {unknown} rows unknown after 5 kills; after -RetryUnknown {final.TasksCreated} tasks for {Rows} rows " +
                      $"({final.TasksByClientBusinessId.Values.Count(c => c > 1)} paid twice, as asked), {_temp.Files("out").Count} files, {LeftoverPartials().Count} partial files");
        Assert.Equal(Rows, _temp.Files("out").Count);
        Assert.InRange(final.TasksCreated, Rows, Rows + unknown);
        Assert.Empty(LeftoverPartials());
        Assert.Empty(UnreadableJournalLines());
    }

    [Theory]
    [InlineData(2, true)]
    [InlineData(3, true)]
    [InlineData(2, false)]
    public async Task Overlapping_runs_with_one_run_key_pay_for_each_row_once(int processes, bool journal)
    {
        await using var service = await StartServiceAsync();
        // Submits queue a moment before the task exists, as at a busy gateway: runs that overlap both find rows missing.
        service.Emulator.Faults.Delay = TimeSpan.FromMilliseconds(200);
        service.Emulator.Faults.SetRate(FaultTarget.Submit, FaultKind.DelayBeforeProcessing, 1.0);

        var runs = Enumerable.Range(0, processes).Select(_ => StartJob(service, journal)).ToList();
        var exitCodes = runs.Select(run => run.WaitForExit(TimeSpan.FromMinutes(8))).ToList();

        var stats = service.Emulator.Stats.Snapshot();
        log.WriteLine($"{processes} overlapping runs ({(journal ? "same -Journal" : "no journal")}), {Rows} rows: {stats.TasksCreated} tasks created, " +
                      $"{stats.RequestsByRoute.GetValueOrDefault(RouteKeys.SubmitGeneration)} submits, {_temp.Files("out").Count} files, {UnreadableJournalLines().Count} unreadable journal lines");
        Assert.All(exitCodes, code => Assert.Equal(0, code));
        Assert.Equal(Rows, stats.TasksCreated);
        Assert.All(stats.TasksByClientBusinessId.Values, count => Assert.Equal(1, count));
        Assert.Equal(Rows, _temp.Files("out").Count);
        Assert.Empty(UnreadableJournalLines());
        Assert.All(runs.Skip(1), run => Assert.Equal(Rows, run.Lines.Count(l => l.StartsWith("saved ", StringComparison.Ordinal))));
    }

    [Fact]
    public async Task A_second_run_waits_for_the_journal_then_names_the_run_that_holds_it()
    {
        await using var service = await StartServiceAsync();
        using var holder = ModuleHostProcess.Start(service, _temp.Path, """
            param($journal, $out)
            & { [System.Threading.Thread]::Sleep(300000) } | Save-ToApisImage -Path $out -Journal $journal
            """, new Dictionary<string, string> { ["journal"] = Journal, ["out"] = Output });
        Assert.True(SpinWait.SpinUntil(() => HolderWritten(Journal + ".lock"), TimeSpan.FromSeconds(60)), string.Join("\n", holder.Lines));

        var waited = Stopwatch.StartNew();
        var blocked = service.Run($"try {{ 'a fox' | New-ToApisImage -Journal '{Journal}' -LockTimeoutSec 1 -Verbose }} catch {{ $_ }}");
        waited.Stop();

        var error = ErrorAssert.Is(ErrorAssert.Caught(blocked), "ToApis.RunInProgress", System.Management.Automation.ErrorCategory.ResourceBusy);
        Assert.Contains($"process {holder.Id} on {Environment.MachineName}", error.Exception.Message);
        Assert.Contains("Save-ToApisImage", error.Exception.Message);
        Assert.Contains(blocked.Verbose, v => v.Message.Contains("waiting up to 1 s"));
        Assert.InRange(waited.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        Assert.Equal(0, service.Submits);

        holder.Kill(); // the OS releases the lock of a killed run
        var after = service.Run($"'a fox' | New-ToApisImage -Journal '{Journal}' -LockTimeoutSec 5");
        Assert.Empty(after.Errors);
        Assert.Equal(1, service.Submits);
    }

    /// <summary>Kills five runs of the job, each at a random point: mid-submit, mid-wait or mid-save.</summary>
    private void KillFiveTimes(EmulatedService service, Random random, bool submitsOnly = false)
    {
        var stats = service.Emulator.Stats;
        for (var kill = 1; kill <= 5; kill++)
        {
            var tasks = stats.TasksCreated;
            var files = _temp.Files("out").Count;
            var lines = JournalLines().Count;
            var step = random.Next(1, 35);
            // One kill of the five lands mid-download (a stalled download's partial file is on disk).
            var kind = submitsOnly ? 0 : kill == 4 ? 3 : random.Next(3);
            var (what, reached) = kind switch
            {
                0 => ($"task {tasks + step}", (Func<bool>)(() => stats.TasksCreated >= tasks + step)),
                1 => ($"file {files + step}", () => _temp.Files("out").Count(f => f.EndsWith(".png")) >= files + step),
                2 => ($"journal line {lines + 3 * step}", () => JournalLines().Count >= lines + 3 * step),
                _ => ("a download", () => LeftoverPartials().Count > 0),
            };

            using var run = StartJob(service);
            var hit = SpinWait.SpinUntil(() => reached() || run.HasExited, TimeSpan.FromMinutes(3));
            run.Kill();
            log.WriteLine($"kill {kill} at {what}: {(hit ? "" : "not reached, ")}{stats.TasksCreated} tasks, {_temp.Files("out").Count(f => f.EndsWith(".png"))} files, {LeftoverPartials().Count} partial files");
        }
    }

    private List<string> LeftoverPartials() => _temp.Files().Where(f => f.EndsWith(".toapis-partial", StringComparison.Ordinal)).ToList();

    private List<string> JournalLines()
    {
        try
        {
            using var stream = new FileStream(Journal, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        }
        catch (FileNotFoundException)
        {
            return [];
        }
    }

    private List<string> UnreadableJournalLines() => JournalLines().Where(line =>
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.ValueKind != JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return true;
        }
    }).ToList();

    private static bool HolderWritten(string lockFile)
    {
        try
        {
            using var stream = new FileStream(lockFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return new StreamReader(stream).ReadToEnd().Contains("\"pid\"");
        }
        catch (IOException)
        {
            return false;
        }
    }
}
