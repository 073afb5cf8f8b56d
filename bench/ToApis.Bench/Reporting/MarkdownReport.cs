using System.Globalization;
using System.Text;
using ToApis.Emulator;

namespace ToApis.Bench.Reporting;

/// <summary>bench/results/latest.md: one table row per scenario, the targets, and how every number was obtained.</summary>
internal static class MarkdownReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <param name="withChart">Link latest.svg: only latest.md should, a dated copy would show a later run's chart.</param>
    public static string Full(BenchReport report, bool withChart)
    {
        var options = report.Options;
        var text = new StringBuilder();
        text.AppendLine(Invariant, $"# ToApis bench: {options.Tasks:N0} tasks, {TierName(options.Tier)} tier, time scale {options.TimeScale}");
        text.AppendLine();
        text.AppendLine(Invariant, $"Run {report.Date:yyyy-MM-dd HH:mm} UTC on {report.Machine}{(report.Commit is null ? "" : $", commit `{report.Commit}`")}.");
        text.AppendLine(Invariant, $"Command: `dotnet run -c Release --project bench/ToApis.Bench -- {CommandLine(options)}`");
        text.AppendLine();
        text.Append(Table(report));
        text.AppendLine();
        if (withChart)
        {
            text.AppendLine("![Wall time per scenario against the physical limit, and tasks out over time](latest.svg)");
            text.AppendLine();
        }

        AppendTargets(text, report);
        AppendErrors(text, report);
        AppendNotes(text, report);
        return text.ToString();
    }

    /// <summary>The table and the limit it is measured against: what README.md shows.</summary>
    public static string Table(BenchReport report)
    {
        var text = new StringBuilder();
        text.AppendLine("| Scenario | Tasks out | Wall | × limit | 429s | Queries/task | Output delay p50 / p95 | Peak WS Δ | WS growth after task 100 | CPU/task |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in report.Results)
        {
            var wall = r.Extrapolated
                ? $"{Seconds(r.WallForAll)} (extrapolated: {Seconds(r.Wall)} for {r.TasksRun})"
                : Seconds(r.Wall);
            text.AppendLine(Invariant, $"| {r.Kind.Letter()}. {CellText(r.Title)} | {r.Completed:N0}/{r.TasksRun:N0}{(r.Errors.Count > 0 ? $", {r.Errors.Count:N0} errors" : "")} | {wall} | {report.Ratio(r):0.00}{(r.AllCompleted ? "" : " †")} | {r.RateLimited:N0} | {r.QueriesPerTask:0.00} | {Milliseconds(r.DelayPercentile(0.5))} / {Milliseconds(r.DelayPercentile(0.95))} | {Megabytes(r.PeakGrowth)} | {Megabytes(r.GrowthAfterTask100)} | {r.CpuPerTask.TotalMilliseconds:0.0} ms |");
        }

        var limit = report.Limit;
        text.AppendLine();
        foreach (var r in report.Results.Where(r => !r.AllCompleted))
        {
            // Scenario b's sample is scaled like its wall time.
            var outForAll = (int)Math.Round(r.Completed * ((double)r.TasksFor / r.TasksRun));
            var fair = report.LimitFor(outForAll);
            text.AppendLine(Invariant, $"† {r.Kind.Letter()}: only {r.Completed:N0} of {r.TasksRun:N0} tasks came out, so its ratio compares less work with the limit for all {limit.Tasks:N0}; against the limit for {outForAll:N0} tasks ({Seconds(fair.Total)}) it is {r.WallForAll / fair.Total:0.00}.");
            text.AppendLine();
        }

        text.AppendLine(Invariant, $"Physical limit for {limit.Tasks:N0} tasks: **{Seconds(limit.Total)}** = {Seconds(limit.LastSubmit)} (earliest possible last submit) + {Seconds(limit.MeanLatency)} (mean latency) + {Seconds(limit.HalfPollInterval)} (half a poll interval).");
        return text.ToString();
    }

    private static void AppendTargets(StringBuilder text, BenchReport report)
    {
        var options = report.Options;
        text.AppendLine("## Targets");
        text.AppendLine();
        if (report.Result(ScenarioKind.Pipeline) is not { } a)
        {
            text.AppendLine("Scenario a did not run; the targets are about it.");
            text.AppendLine();
            return;
        }

        var emulator = report.Emulator;
        var medianLatency = (emulator.MinLatency + emulator.MaxLatency) / 2;
        var queryBound = 1 + (medianLatency.TotalSeconds / 5);
        text.AppendLine("| Target | Measured | Met |");
        text.AppendLine("|---|---|---|");
        text.AppendLine(Invariant, $"| a: wall ≤ 1.10 × physical limit | {report.Ratio(a):0.00} × | {Mark(report.Ratio(a) <= 1.10 && a.AllCompleted)} |");
        if (report.Result(ScenarioKind.DocsSample) is { } b)
        {
            var slower = b.WallForAll / a.Wall;
            var unscaled = report.UnscaledLimit;
            // At time scale 1 the sample's sleeps and latencies are 1 / scale times longer; its HTTP overhead is
            // scaled up too, so this projection errs slightly high.
            var projected = b.WallForAll / options.TimeScale;
            text.AppendLine(Invariant, $"| b ≥ 50 × slower than a | {slower:0.0} × at this time scale; projected to time scale 1: {Seconds(projected)} against a limit of {Seconds(unscaled.Total)}, {projected / unscaled.Total:0} × | {Mark(projected / unscaled.Total >= 50)} (projected) |");
        }

        text.AppendLine(Invariant, $"| a: 0 429s provoked | {a.RateLimited:N0} | {Mark(a.RateLimited == 0)} |");
        text.AppendLine(Invariant, $"| a: queries/task ≤ 1 + median latency / poll interval = 1 + {medianLatency.TotalSeconds:0.#} s / 5 s = {queryBound:0.##} | {a.QueriesPerTask:0.00} | {Mark(a.QueriesPerTask <= queryBound)} |");
        var growth = a.GrowthAfterTask100 is { } bytes ? Megabytes(bytes) : "n/a";
        text.AppendLine(options.Tasks >= 10_000
            ? $"| a, 10,000 tasks: working set grows ≤ 50 MB after task 100 | {growth} | {Mark(a.GrowthAfterTask100 <= 50L * 1024 * 1024)} |"
            : $"| a, 10,000 tasks: working set grows ≤ 50 MB after task 100 | not run at 10,000 (run `--tasks 10000 --scenarios a`); at {options.Tasks:N0}: {growth} | – |");
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
                text.AppendLine(Invariant, $"- {r.Kind.Letter()}: {group.Count():N0} × {OneLine(group.Key)}");
            }
        }

        text.AppendLine();
    }

    private static void AppendNotes(StringBuilder text, BenchReport report)
    {
        var options = report.Options;
        var emulator = report.Emulator;
        var limit = report.Limit;
        var submit = limit.Buckets;
        var scale = options.TimeScale;
        var poll = options.PollIntervalSec;
        var sample = report.Result(ScenarioKind.DocsSample);
        text.AppendLine("## How the numbers are made");
        text.AppendLine();
        text.AppendLine(Invariant, $"- **Physical limit** = t(N) + mean latency + P/2. t(N) is the earliest moment the {limit.Tasks:N0}th submit can pass the emulator's submit buckets ({TierName(options.Tier)} tier: {string.Join(", ", submit.Select(b => $"{b.Capacity:0.#} per {b.Window.TotalSeconds:0} s"))}); as in `RateLimiting/UserRateLimiter.cs`, each is a bucket that starts full and refills continuously at capacity / window, and a submit needs a whole token in all three and takes one from each. t(N) comes from simulating the three buckets submit by submit (`RateLimits.EarliestRequestTimes`, used by `bench/ToApis.Bench/PhysicalLimit.cs`), not from a formula. Mean latency: task durations are uniform in {emulator.MinLatency.TotalSeconds:0}–{emulator.MaxLatency.TotalSeconds:0} s × time scale {scale} = {Seconds(limit.MeanLatency)} on average for the last task submitted. P/2: a task ends at a uniformly random moment between two looks of a client that polls every P = {Seconds(TimeSpan.FromSeconds(poll))}, so it is noticed P/2 later on average; half an interval is the least any poller pays, however it is built. Left out: that an earlier task may end after the last-submitted one (at most (max − mean latency) × scale = {Seconds((emulator.MaxLatency - ((emulator.MinLatency + emulator.MaxLatency) / 2)) * scale)} later) and HTTP round trips: the limit is a bound no client beats, not a prediction.");
        text.AppendLine(Invariant, $"- **Emulator**: `ToApisEmulator` in this process on loopback, one fresh instance per scenario (full buckets, own counters), time scale {scale} (latencies {emulator.MinLatency.TotalSeconds * scale:0.###}–{emulator.MaxLatency.TotalSeconds * scale:0.###} s), failure rate 0, seed {options.Seed}, user on the {TierName(options.Tier)} tier. Rate limits run on real time, never scaled: they are what a client faces. Each scenario runs in a fresh runspace of the hosted PowerShell 7.6 engine (`System.Management.Automation` 7.6.9) that imports `out/ToApis/ToApis.psd1` and connects with `Connect-ToApis -BaseUri <emulator> -ApiKey <SecureString>`, after an unmeasured warm-up of {options.WarmupTasks} tasks per scenario (so the JIT has tiered up the hot code; without it a short run's CPU is mostly the JIT's).");
        text.AppendLine(Invariant, $"- **Same scaled cadence for all**: P = 5 s (the contract's interval) × time scale = {poll:0.###} s. a and c pass `Wait-ToApisTask -PollIntervalSec {poll:0.###}` (first look after P, then every P–2P with jitter; under 5 s is allowed only against loopback); b sleeps P before every `Get-ToApisTask`.");
        text.AppendLine(Invariant, $"- **a**: rows with Name and Prompt, as `Import-Csv` makes them, piped through the cmdlets with their defaults{(options.Save ? "; `Save-ToApisImage` writes into a temporary folder deleted afterwards" : "")}.");
        if (sample is not null)
        {
            text.AppendLine(Invariant, $"- **b** is strictly sequential, so it ran {sample.TasksRun:N0} tasks and its wall time is scaled linearly to {options.Tasks:N0} (×{(double)options.Tasks / sample.TasksRun:0.#}); its other columns are per task or peaks of that sample. Projected to time scale 1 it divides by the scale, overheads included, so it errs slightly high.");
        }

        text.AppendLine(Invariant, $"- **c** is the hosted engine's own `ForEach-Object -Parallel -ThrottleLimit {Scenarios.ParallelThrottleLimit}`; each block imports the module and runs `Connect-ToApis` (parallel runspaces start empty), then `$_ | New-ToApisImage | Wait-ToApisTask`, unaware of the other nine.");
        text.AppendLine("- **Columns**: *Tasks out*: completed tasks that reached the end of the pipeline (errors: error records). *Wall*: from the script's start to its end. *429s*: responses with status 429 the emulator sent, submits and queries. *Queries/task*: `GET /v1/images/generations/{id}` requests, rejected ones included, ÷ tasks. *Output delay*: when the last stage (`ForEach-Object { $recorder.Add(...) }` in the same runspace) received the task, minus when the emulator finished it (its virtual end mapped to real time by `EmulatorClock.ToRealTime`). *Peak WS Δ*: the highest `Environment.WorkingSet`, sampled every 50 ms, minus its value at the start (after a full GC). *WS growth after task 100*: that peak minus the working set when the 100th task came out. *CPU/task*: process CPU time ÷ tasks. The emulator runs in the same process, so its CPU and memory are in every row, in proportion to the requests a scenario makes.");
        text.AppendLine();
    }

    public static string CommandLine(BenchOptions options)
    {
        var parts = new List<string>();
        if (options.Smoke)
        {
            parts.Add("--smoke");
        }

        parts.Add(string.Create(Invariant, $"--tasks {options.Tasks}"));
        parts.Add(string.Create(Invariant, $"--time-scale {options.TimeScale}"));
        parts.Add($"--tier {TierName(options.Tier)}");
        parts.Add($"--scenarios {string.Join(',', options.Scenarios.Select(s => s.Letter()))}");
        if (options.Scenarios.Contains(ScenarioKind.DocsSample))
        {
            parts.Add(string.Create(Invariant, $"--baseline-sample {options.BaselineSample}"));
        }

        if (options.Save)
        {
            parts.Add("--save");
        }

        parts.Add(string.Create(Invariant, $"--warmup {options.WarmupTasks}"));
        parts.Add(string.Create(Invariant, $"--seed {options.Seed}"));
        return string.Join(' ', parts);
    }

    public static string TierName(RateTier tier) => tier.ToString().ToLowerInvariant();

    public static string Seconds(TimeSpan time) =>
        time.TotalSeconds.ToString(time.TotalSeconds switch { < 10 => "0.00", < 1000 => "0.0", _ => "N0" }, Invariant) + " s";

    private static string Milliseconds(TimeSpan? time) => time is { } t ? t.TotalMilliseconds.ToString("0", Invariant) + " ms" : "–";

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
