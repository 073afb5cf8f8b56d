using System.Globalization;
using System.Text;
using ToApis.Bench.Measurement;

namespace ToApis.Bench.Reporting;

/// <summary>bench/results/latest.md: one table row per scenario, the goals, and how every number was obtained.</summary>
internal static class MarkdownReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <param name="withChart">Link latest.svg: only latest.md should, a dated copy would show a later run's chart.</param>
    public static string Full(BenchReport report, bool withChart)
    {
        var options = report.Options;
        var text = new StringBuilder();
        text.AppendLine(Invariant, $"# ToApis bench: {options.Tasks:N0} tasks per scenario, time scale {options.TimeScale}");
        text.AppendLine();
        text.AppendLine(Invariant, $"Run {report.Date:yyyy-MM-dd HH:mm} UTC on {report.Machine}{(report.Commit is null ? "" : $", commit `{report.Commit}`")}.");
        text.AppendLine(Invariant, $"Command: `dotnet run -c Release --project bench/ToApis.Bench -- {CommandLine(options)}`");
        text.AppendLine(Invariant, $"Module: `{options.Module}`.");
        if (Environment.GetEnvironmentVariable("DOTNET_GCgen0size") is { } gen0)
        {
            text.AppendLine(Invariant, $"Environment: `DOTNET_GCgen0size={gen0}` (the client processes' generation-0 budget, set by hand).");
        }

        text.AppendLine();
        text.Append(Table(report));
        text.AppendLine();
        if (withChart)
        {
            text.AppendLine("![Each scenario's wall time as a ratio to its physical limit, and tasks out over time](latest.svg)");
            text.AppendLine();
        }

        AppendTargets(text, report);
        AppendErrors(text, report);
        AppendNotes(text, report);
        return text.ToString();
    }

    /// <summary>The table and the limits it is measured against: what README.md shows.</summary>
    public static string Table(BenchReport report)
    {
        var text = new StringBuilder();
        text.AppendLine("| Scenario | Account | Tasks out | Wall | Physical limit | × limit | Goal | 429s | 429s/100 tasks | Queries/task | Output delay p50 / p95 | Client peak WS Δ | Client WS growth after task 100 | its GC's gen-0 budget | Client heap kept after task 100 | Client CPU/task |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in report.Results)
        {
            var wall = r.Extrapolated
                ? $"{Seconds(r.WallForAll)} (extrapolated: {Seconds(r.Wall)} for {r.TasksRun})"
                : Seconds(r.Wall);
            text.AppendLine(Invariant, $"| {r.Scenario.Letter}. {CellText(r.Scenario.Title)} | {r.Scenario.Account} | {r.Completed:N0}/{r.TasksRun:N0}{(r.Errors.Count > 0 ? $", {r.Errors.Count:N0} errors" : "")} | {wall} | {Seconds(r.Limit.Total)} | {r.Ratio:0.00}{(r.AllCompleted ? "" : " †")} | {Goal(r)} | {r.RateLimited:N0} | {r.RateLimitedPer100:0.0} | {r.QueriesPerTask:0.00} | {Milliseconds(r.DelayPercentile(0.5))} / {Milliseconds(r.DelayPercentile(0.95))} | {Megabytes(r.PeakGrowth)} | {Megabytes(r.GrowthAfterTask100)} | {Gen0Budget(r)} | {Megabytes(r.HeapGrowthAfterTask100)} | {r.CpuPerTask.TotalMilliseconds:0.0} ms |");
        }

        text.AppendLine();
        if (report.StartUp is { } startUp)
        {
            text.AppendLine(StartUpLine(startUp));
            text.AppendLine();
        }

        foreach (var r in report.Results.Where(r => !r.AllCompleted))
        {
            // Scenario b's sample is scaled like its wall time.
            var outForAll = (int)Math.Round(r.Completed * ((double)r.TasksFor / r.TasksRun));
            var fair = PhysicalLimit.For(Math.Max(1, outForAll), r.Scenario, ScenarioRunner.EmulatorSettings(report.Options, r.Scenario), report.Options.PollIntervalSec);
            text.AppendLine(Invariant, $"† {r.Scenario.Letter}: only {r.Completed:N0} of {r.TasksRun:N0} tasks came out, so its ratio compares less work with the limit for all {r.TasksFor:N0}; against the limit for {outForAll:N0} tasks ({Seconds(fair.Total)}) it is {r.WallForAll / fair.Total:0.00}.");
            text.AppendLine();
        }

        text.AppendLine("Physical limit of each scenario: earliest possible last submit + mean task latency + half a poll interval (+ one mean download when it saves):");
        text.AppendLine();
        foreach (var r in report.Results)
        {
            var limit = r.Limit;
            var download = limit.MeanDownload > TimeSpan.Zero ? $" + {Seconds(limit.MeanDownload)}" : "";
            text.AppendLine(Invariant, $"- {r.Scenario.Letter}: {limit.Tasks:N0} tasks, {Seconds(limit.LastSubmit)} + {Seconds(limit.MeanLatency)} + {Seconds(limit.HalfPollInterval)}{download} = **{Seconds(limit.Total)}**");
        }

        return text.ToString();
    }

    private static string Goal(ScenarioResult r) => r.Scenario.GoalText is { } goal ? $"{goal}: {Mark(r.GoalMet == true)}" : "–";

    private static void AppendTargets(StringBuilder text, BenchReport report)
    {
        var options = report.Options;
        text.AppendLine("## Goals");
        text.AppendLine();
        text.AppendLine("| Goal | Measured | Met |");
        text.AppendLine("|---|---|---|");
        foreach (var r in report.Results.Where(r => r.Scenario.GoalRatio is not null))
        {
            var extra = $", {r.RateLimited:N0} 429s ({r.RateLimitedPer100:0.0} per 100 tasks)";
            var lost = r.TasksRun - r.Completed;
            text.AppendLine(Invariant, $"| {r.Scenario.Letter}: wall {r.Scenario.GoalText!.Replace("no row lost", "no row failed or lost")} (× its limit) | {r.Ratio:0.00} ×{extra}{(lost > 0 || r.Errors.Count > 0 ? $", {r.Errors.Count} errors, {lost} rows not out" : "")} | {Mark(r.GoalMet == true)} |");
        }

        if (report.Result(ScenarioKind.Pipeline) is { } a)
        {
            if (report.Result(ScenarioKind.DocsSample) is { } b)
            {
                var slower = b.WallForAll / a.Wall;
                var unscaled = PhysicalLimit.For(options.Tasks, b.Scenario, ScenarioRunner.EmulatorSettings(options with { TimeScale = 1 }, b.Scenario), 5);
                // At time scale 1 the sample's sleeps and latencies are 1 / scale times longer; its HTTP overhead is
                // scaled up too, so this projection errs slightly high.
                var projected = b.WallForAll / options.TimeScale;
                text.AppendLine(Invariant, $"| b ≥ 50 × slower than a | {slower:0.0} × at this time scale; projected to time scale 1: {Seconds(projected)} against a limit of {Seconds(unscaled.Total)}, {projected / unscaled.Total:0} × | {Mark(projected / unscaled.Total >= 50)} (projected) |");
            }

            var emulator = ScenarioRunner.EmulatorSettings(options, a.Scenario);
            var medianLatency = (emulator.MinLatency + emulator.MaxLatency) / 2;
            var queryBound = 1 + (medianLatency.TotalSeconds / 5);
            text.AppendLine(Invariant, $"| a: 0 429s provoked (told tier) | {a.RateLimited:N0} | {Mark(a.RateLimited == 0)} |");
            text.AppendLine(Invariant, $"| a: queries/task ≤ 1 + median latency / poll interval = 1 + {medianLatency.TotalSeconds:0.#} s / 5 s = {queryBound:0.##} | {a.QueriesPerTask:0.00} | {Mark(a.QueriesPerTask <= queryBound)} |");
        }

        var long10K = report.Results.Where(r => r.Scenario.Saves).ToList();
        foreach (var r in long10K)
        {
            var growth = r.GrowthAfterTask100 is { } bytes ? Megabytes(bytes) : "n/a";
            text.AppendLine(options.Tasks >= 10_000
                ? $"| {r.Scenario.Letter}, 10,000 tasks through New \\| Wait \\| Save: client working set grows ≤ 50 MB after task 100; CPU per task reported | {growth}, with a GC generation-0 budget of {Gen0Budget(r)} (heap kept: {Megabytes(r.HeapGrowthAfterTask100)}); {r.CpuPerTask.TotalMilliseconds:0.0} ms CPU per task | {WorkingSetMark(r)} |"
                : $"| {r.Scenario.Letter}, 10,000 tasks: client working set grows ≤ 50 MB after task 100 | not run at 10,000 (run `--tasks 10000 --scenarios {r.Scenario.Letter}`); at {options.Tasks:N0}: {growth} | – |");
        }

        text.AppendLine();
    }

    private static void AppendErrors(StringBuilder text, BenchReport report)
    {
        var failing = report.Results.Where(r => r.Errors.Count > 0).ToList();
        if (failing.Count == 0)
        {
            return;
        }

        text.AppendLine("## Errors");
        text.AppendLine();
        foreach (var r in failing)
        {
            var distinct = r.Errors.GroupBy(e => e).OrderByDescending(g => g.Count()).Take(3);
            foreach (var group in distinct)
            {
                text.AppendLine(Invariant, $"- {r.Scenario.Letter}: {group.Count():N0} × {OneLine(group.Key)}");
            }
        }

        text.AppendLine();
    }

    private static void AppendNotes(StringBuilder text, BenchReport report)
    {
        var options = report.Options;
        var scale = options.TimeScale;
        var poll = options.PollIntervalSec;
        var emulator = ScenarioRunner.EmulatorSettings(options, Scenario.Of(ScenarioKind.Pipeline));
        var sample = report.Result(ScenarioKind.DocsSample);
        text.AppendLine("## How the numbers are made");
        text.AppendLine();
        text.AppendLine(Invariant, $"- **Physical limit** of a scenario = t(N) + mean latency + P/2 (+ D when it saves). t(N) is the earliest moment its N-th submit can pass the account's submit buckets (the tier's per-second, 10-second and per-minute numbers, times the account's multiple); as in `RateLimiting/UserRateLimiter.cs`, each is a bucket that starts full and refills continuously at capacity / window, and a submit needs a whole token in all three and takes one from each. t(N) comes from simulating the buckets submit by submit (`RateLimits.EarliestRequestTimes`, used by `bench/ToApis.Bench/PhysicalLimit.cs`), not from a formula. Mean latency: task durations are uniform in {emulator.MinLatency.TotalSeconds:0}–{emulator.MaxLatency.TotalSeconds:0} s × time scale {scale} = {Seconds((emulator.MinLatency + emulator.MaxLatency) / 2 * scale)} on average for the last task submitted. P/2: a task ends at a uniformly random moment between two looks of a client that polls every P = {Seconds(TimeSpan.FromSeconds(poll))}, so it is noticed P/2 later on average. D: one download at the files host's mean, {Seconds(Cdn.MeanDownload)} ({Cdn.MinFirstByte.TotalSeconds:0.0}–{Cdn.MaxFirstByte.TotalSeconds:0.0} s to the first byte, then {Cdn.MinBytes / 1e6:0}–{Cdn.MaxBytes / 1e6:0} MB at {Cdn.BytesPerSecond / 1e6:0} MB/s). Left out: that an earlier task may end after the last-submitted one, HTTP round trips, and (for h) how two processes share: the limit is a bound no client beats, not a prediction.");
        text.AppendLine(Invariant, $"- **Emulator**: `ToApisEmulator` in the bench's own process on loopback, one fresh instance per scenario (full buckets, own counters; f restarts e's on the same ports, so it is the same account), time scale {scale} (latencies {emulator.MinLatency.TotalSeconds * scale:0.###}–{emulator.MaxLatency.TotalSeconds * scale:0.###} s), failure rate 0, seed {options.Seed}. Rate limits and downloads run on real time, never scaled: they are what a client faces. Accounts at a multiple of a tier (e, f: 4 × default, 20 submits a second; g: 0.5 × default, 2.5 a second) scale all three of the tier's buckets. a and d save through a files host like a CDN: {Cdn.MinFirstByte.TotalSeconds:0.0}–{Cdn.MaxFirstByte.TotalSeconds:0.0} s to the first byte, {Cdn.BytesPerSecond / 1e6:0} MB/s per connection, results padded to {Cdn.MinBytes / 1e6:0}–{Cdn.MaxBytes / 1e6:0} MB.");
        text.AppendLine(Invariant, $"- **Clients** run in processes of their own: this program started again with `--worker`, hosting the PowerShell 7.6 engine (`System.Management.Automation` 7.6.9), importing the module, and connecting with `Connect-ToApis -BaseUri <emulator> -ApiKey <SecureString>` (plus `-RateTier` for the told accounts; untold ones learn the pace). Each first runs {options.WarmupTasks} unmeasured tasks against an emulator of its own (so the JIT has tiered up the hot code), then waits; all processes of a scenario start together. Each untold account remembers its learned pace in a state folder of the scenario's own (`$env:TOAPIS_STATE_DIR`); f shares e's. The client columns are the client processes' own figures, never the emulator's.");
        text.AppendLine(Invariant, $"- **Same scaled cadence for all**: P = 5 s (the contract's interval) × time scale = {poll:0.###} s. The pipelines and c pass `Wait-ToApisTask -PollIntervalSec {poll:0.###}` (first look after P, then every P–2P with jitter; under 5 s is allowed only against loopback); b sleeps P before every `Get-ToApisTask`.");
        text.AppendLine("- **The pipelines** take rows with Name and Prompt, made and handed on one at a time as `Import-Csv` does, through the cmdlets with their defaults; `Save-ToApisImage` writes into a temporary folder, and each file is deleted once the last stage has recorded it (10,000 results of 1–3 MB would fill the disk).");
        if (sample is not null)
        {
            text.AppendLine(Invariant, $"- **b** is strictly sequential, so it ran {sample.TasksRun:N0} tasks and its wall time is scaled linearly to {sample.TasksFor:N0} (×{(double)sample.TasksFor / sample.TasksRun:0.#}); its other columns are per task or peaks of that sample. Projected to time scale 1 it divides by the scale, overheads included, so it errs slightly high.");
        }

        text.AppendLine(Invariant, $"- **c** is the hosted engine's own `ForEach-Object -Parallel -ThrottleLimit {Scenario.ParallelThrottleLimit}`; each block imports the module and runs `Connect-ToApis -RateTier None` (parallel runspaces start empty), then `$_ | New-ToApisImage | Wait-ToApisTask`, unaware of the other nine.");
        text.AppendLine("- **h to l** run two or three client processes on one account, each with its share of the rows and a state folder of its own (as on separate machines: nothing is shared but the service's bucket); all start together except l's second, which starts when the first has submitted half its rows. j and k's emulator sends `X-RateLimit-*` only on 429s, the others' on every answer. Wall time is from the first start to the last end; the memory columns are the largest of the processes'. *429s/100 tasks*: the emulator's 429s per 100 tasks run.");
        text.AppendLine("- **Columns**: *Tasks out*: completed tasks (or saved files) that reached the end of the pipeline (errors: error records). *Wall*: from the script's start to its end. *429s*: responses with status 429 the emulator sent, submits and queries. *Queries/task*: `GET /v1/images/generations/{id}` requests, rejected ones included, ÷ tasks. *Output delay*: when the last stage received the task or file, minus when the emulator finished the task (its virtual end mapped to real time by `EmulatorClock.ToRealTime`); with Save it includes the download. *Client peak WS Δ*: the client process's highest `Environment.WorkingSet`, sampled every 50 ms, minus its value at the start (after a full GC). *Client WS growth after task 100*: that peak minus the working set when the 100th output came out; it includes the garbage the GC lets accumulate up to its generation-0 budget before collecting, which .NET sizes from the processor's L3 cache: tens of megabytes on a machine (or VM) that reports a large one; `DOTNET_GCgen0size` sets it by hand. *its GC's gen-0 budget*: the most garbage the client's GC let generation 0 gather before collecting (`GCMemoryInfo.GenerationInfo[0].SizeBeforeBytes` of its ephemeral collections, sampled with the working set): a working set holds about this much besides what the process keeps, once it has allocated that much, whatever it runs. *Client heap kept after task 100*: the managed heap after a full collection at the end, minus the same after the 100th output: what the client holds on to as tasks go by (a leak shows here). *Client CPU/task*: the client processes' CPU time ÷ tasks.");
        text.AppendLine();
    }

    /// <summary>Start-up, under the table: Import-Module against its goal, then the first Connect-ToApis.</summary>
    public static string StartUpLine(StartUpResult startUp) => string.Create(
        Invariant,
        $"Start-up (median of {startUp.Runs} fresh processes): Import-Module {startUp.ImportMedianMs:0} ms (goal ≤ {StartUpResult.ImportGoalMs:0} ms: {Mark(startUp.GoalMet)}; fastest {startUp.ImportMs.Min():0} ms), then the first Connect-ToApis {startUp.ConnectMedianMs:0} ms.");

    public static string CommandLine(BenchOptions options)
    {
        var parts = new List<string>();
        if (options.Smoke)
        {
            parts.Add("--smoke");
        }

        parts.Add(string.Create(Invariant, $"--tasks {options.Tasks}"));
        parts.Add(string.Create(Invariant, $"--time-scale {options.TimeScale}"));
        parts.Add($"--scenarios {string.Join(',', options.Scenarios.Select(s => s.Letter))}");
        if (options.Scenarios.Any(s => s.Kind == ScenarioKind.DocsSample))
        {
            parts.Add(string.Create(Invariant, $"--baseline-sample {options.BaselineSample}"));
        }

        parts.Add(string.Create(Invariant, $"--warmup {options.WarmupTasks}"));
        parts.Add(string.Create(Invariant, $"--seed {options.Seed}"));
        return string.Join(' ', parts);
    }

    public static string Seconds(TimeSpan time) =>
        time.TotalSeconds.ToString(time.TotalSeconds switch { < 10 => "0.00", < 1000 => "0.0", _ => "N0" }, Invariant) + " s";

    private static string Milliseconds(TimeSpan? time) => time is { } t ? t.TotalMilliseconds.ToString("0", Invariant) + " ms" : "–";

    /// <summary>The largest generation 0 the client's GC collected; a run too light to fill it once shows none.</summary>
    private static string Gen0Budget(ScenarioResult r) => r.Gen0Budget > 0 ? Megabytes(r.Gen0Budget).TrimStart('+') : "none collected";

    /// <summary>Met or not; when not, whether all of the growth fits in the GC's generation-0 budget, which the host sets.</summary>
    private static string WorkingSetMark(ScenarioResult r) =>
        r.GrowthAfterTask100 <= 50L * 1024 * 1024 ? Mark(true)
        : r.GrowthAfterTask100 <= r.Gen0Budget ? $"{Mark(false)}: all of it within this host's GC generation-0 budget"
        : Mark(false);

    private static string Megabytes(long? bytes) => bytes is { } b ? (b / (1024.0 * 1024.0)).ToString("+0.0;-0.0;0.0", Invariant) + " MB" : "–";

    /// <summary>A pipe splits a table cell even inside a code span unless it is escaped.</summary>
    private static string CellText(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    private static string Mark(bool met) => met ? "yes" : "**no**";

    private static string OneLine(string text)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= 200 ? line : line[..197] + "...";
    }
}
