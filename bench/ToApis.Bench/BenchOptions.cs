using System.Globalization;

namespace ToApis.Bench;

/// <summary>The command line of the bench.</summary>
internal sealed record BenchOptions
{
    public const string Usage = """
        Usage: dotnet run -c Release --project bench/ToApis.Bench -- [options]

          --tasks N             tasks per scenario (default 1000); g runs half as many, m a fifth, h to l split them
                                over their processes, b runs a sample (--baseline-sample) and is extrapolated
          --time-scale X        emulator time scale: 0.02 turns the 5-30 s latencies into 0.1-0.6 s (default 0.02);
                                rate limits and downloads stay in real time
          --scenarios LIST      letters, default all of a to m:
                                  a  New | Wait | Save, CDN downloads, default tier, told (-RateTier Default)
                                  b  the docs' sample: one row at a time, submit, sleep, poll until terminal
                                  c  ForEach-Object -Parallel -ThrottleLimit 10 { New | Wait }, no pacing
                                  d  New | Wait | Save, CDN downloads, svip tier, told
                                  e  New | Wait, an account at 4x the default pace, untold, nothing remembered
                                  f  e again on the same account: starts at the pace e remembered (runs e first)
                                  g  New | Wait, an account at half the default pace, untold
                                  h  New | Wait in two processes at once on one default-tier account, untold
                                  i  h with three processes
                                  j  h against a service that sends X-RateLimit-* only on 429s
                                  k  i against a service that sends X-RateLimit-* only on 429s
                                  l  h, but the second process joins when the first has submitted half its rows
                                  m  e with 200 rows (a fifth of --tasks)
          --baseline-sample N   tasks actually run for b (default 50)
          --warmup N            unmeasured tasks each client process runs first against an emulator of its own, so
                                the JIT has tiered up the hot code (default 50; smoke 0)
          --seed N              emulator seed: task durations repeat between runs (default 1)
          --module PATH         the module manifest to measure (default out/ToApis/ToApis.psd1); another build
                                (an older commit's out/ToApis) gives the "before" of a change
          --out DIR             where latest.md, latest.svg and a dated copy go (default bench/results);
                                writing there also refreshes the table in README.md
          --smoke               20 tasks, baseline sample 3, no warm-up, writes nothing unless --out is given;
                                exits 1 unless every scenario completed every task without an error
          --startup-only        measure only Import-Module and the first Connect-ToApis (9 fresh processes, 3 with
                                --smoke), print the line and stop: no scenarios, nothing written

        Each scenario runs against a fresh in-process emulator; its clients run in processes of their own (this
        program with --worker), so their working set and CPU are the client's alone. CDN downloads: time to first
        byte 0.3-0.6 s, 6 MB/s per connection, results of 1-3 MB.
        """;

    public int Tasks { get; init; } = 1000;

    public double TimeScale { get; init; } = 0.02;

    public IReadOnlyList<Scenario> Scenarios { get; init; } = Bench.Scenario.All;

    public int BaselineSample { get; init; } = 50;

    public int Seed { get; init; } = 1;

    public int WarmupTasks { get; init; } = 50;

    public string Module { get; init; } = "";

    /// <summary>Null: write no files.</summary>
    public string? OutDirectory { get; init; }

    /// <summary>Results go to the default folder, so README.md shows them too.</summary>
    public bool UpdateReadme { get; init; }

    public bool Smoke { get; init; }

    public bool StartUpOnly { get; init; }

    /// <summary>
    /// The poll cadence of every scenario: the contract's 5 s, scaled like the latencies, so the pipeline, the docs'
    /// sample and the parallel loop all face the same scaled cadence.
    /// </summary>
    public double PollIntervalSec => 5 * TimeScale;

    /// <summary>Tasks a scenario runs (all its processes together).</summary>
    public int TasksOf(Scenario scenario) => scenario.Kind == ScenarioKind.DocsSample
        ? Math.Min(BaselineSample, Tasks)
        : Math.Max(scenario.Processes, (int)Math.Round(Tasks * scenario.TaskShare));

    /// <summary>Tasks a scenario's result is stated for: b is extrapolated to all of them.</summary>
    public int TasksFor(Scenario scenario) => scenario.Kind == ScenarioKind.DocsSample ? Tasks : TasksOf(scenario);

    public static BenchOptions Parse(IReadOnlyList<string> args, string repoRoot)
    {
        var options = new BenchOptions();
        string? tasks = null, sample = null, outDir = null, warmup = null, module = null;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            switch (name)
            {
                case "--tasks": tasks = Value(); break;
                case "--time-scale": options = options with { TimeScale = PositiveNumber(name, Value()) }; break;
                case "--scenarios": options = options with { Scenarios = ParseScenarios(Value()) }; break;
                case "--baseline-sample": sample = Value(); break;
                case "--warmup": warmup = Value(); break;
                case "--seed": options = options with { Seed = Integer(name, Value(), min: int.MinValue) }; break;
                case "--module": module = Value(); break;
                case "--out": outDir = Value(); break;
                case "--smoke": options = options with { Smoke = true }; break;
                case "--startup-only": options = options with { StartUpOnly = true }; break;
                case "--help" or "-h" or "-?": throw new HelpRequestedException();
                default: throw new ArgumentException($"Unknown option '{name}'.");
            }
        }

        // A 5 s poll scaled below Wait-ToApisTask's smallest -PollIntervalSec (0.001) cannot be expressed.
        if (options.PollIntervalSec < 0.001)
        {
            throw new ArgumentException("--time-scale must be at least 0.0002 (the scaled 5 s poll interval must be >= 1 ms).");
        }

        var smoke = options.Smoke;
        var defaultOut = Path.Combine(repoRoot, "bench", "results");
        var manifest = Path.GetFullPath(module ?? Path.Combine(repoRoot, "out", "ToApis", "ToApis.psd1"));
        return options with
        {
            Tasks = tasks is null ? (smoke ? 20 : 1000) : Integer("--tasks", tasks, min: 2),
            BaselineSample = sample is null ? (smoke ? 3 : 50) : Integer("--baseline-sample", sample, min: 1),
            WarmupTasks = warmup is null ? (smoke ? 0 : 50) : Integer("--warmup", warmup, min: 0),
            Module = manifest,
            OutDirectory = outDir is not null ? Path.GetFullPath(outDir) : smoke ? null : defaultOut,
            // Only a run of the module built from this tree may speak for it in README.md.
            UpdateReadme = !smoke && module is null && (outDir is null || Path.GetFullPath(outDir) == Path.GetFullPath(defaultOut)),
        };
    }

    private static List<Scenario> ParseScenarios(string value)
    {
        var chosen = new List<Scenario>();
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var scenario = Scenario.FromLetter(part.ToLowerInvariant())
                ?? throw new ArgumentException($"--scenarios takes letters a to m, not '{part}'.");
            if (!chosen.Contains(scenario))
            {
                chosen.Add(scenario);
            }
        }

        return chosen.Count > 0 ? [.. chosen.OrderBy(s => s.Kind)] : throw new ArgumentException("--scenarios is empty.");
    }

    private static int Integer(string name, string value, int min) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number >= min
            ? number
            : throw new ArgumentException($"{name} must be an integer of at least {min}, not '{value}'.");

    private static double PositiveNumber(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number > 0 && double.IsFinite(number)
            ? number
            : throw new ArgumentException($"{name} must be a positive number, not '{value}'.");
}

internal sealed class HelpRequestedException : Exception;
