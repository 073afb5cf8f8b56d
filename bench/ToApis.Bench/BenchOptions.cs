using System.Globalization;
using ToApis.Emulator;

namespace ToApis.Bench;

/// <summary>The command line of the bench.</summary>
internal sealed record BenchOptions
{
    public const string Usage = """
        Usage: dotnet run -c Release --project bench/ToApis.Bench -- [options]

          --tasks N             tasks per scenario (default 1000)
          --time-scale X        emulator time scale: 0.02 turns the 5-30 s latencies into 0.1-0.6 s (default 0.02);
                                rate limits stay in real time
          --tier T              default | vip | svip: the emulator user's rate-limit group (default: default)
          --scenarios LIST      any of a,b,c (default a,b,c)
                                  a  Rows | New-ToApisImage | Wait-ToApisTask [| Save-ToApisImage]
                                  b  the docs' sample: one row at a time, submit, sleep, poll until terminal
                                  c  ForEach-Object -Parallel -ThrottleLimit 10 { New-ToApisImage | Wait-ToApisTask }
          --baseline-sample N   tasks actually run for b, extrapolated linearly to --tasks (default 50)
          --save                scenario a also pipes into Save-ToApisImage (a temp folder, deleted afterwards)
          --warmup N            unmeasured tasks per scenario first, so the JIT has tiered up the hot code
                                (default 50; smoke 2)
          --seed N              emulator seed: task durations repeat between runs (default 1)
          --out DIR             where latest.md, latest.svg and a dated copy go (default bench/results);
                                writing there also refreshes the table in README.md
          --smoke               20 tasks, baseline sample 3, tier svip unless --tier is given, writes nothing unless
                                --out is given; exits 1 unless every scenario completed every task without an error
        """;

    public int Tasks { get; init; } = 1000;

    public double TimeScale { get; init; } = 0.02;

    public RateTier Tier { get; init; } = RateTier.Default;

    public IReadOnlyList<ScenarioKind> Scenarios { get; init; } = [ScenarioKind.Pipeline, ScenarioKind.DocsSample, ScenarioKind.Parallel];

    public int BaselineSample { get; init; } = 50;

    public bool Save { get; init; }

    public int Seed { get; init; } = 1;

    public int WarmupTasks { get; init; } = 50;

    /// <summary>Null: write no files.</summary>
    public string? OutDirectory { get; init; }

    /// <summary>Results go to the default folder, so README.md shows them too.</summary>
    public bool UpdateReadme { get; init; }

    public bool Smoke { get; init; }

    /// <summary>
    /// The poll cadence of every scenario: the contract's 5 s, scaled like the latencies, so the pipeline, the docs'
    /// sample and the parallel loop all face the same scaled cadence.
    /// </summary>
    public double PollIntervalSec => 5 * TimeScale;

    /// <summary>Tasks scenario b actually runs.</summary>
    public int BaselineTasks => Math.Min(BaselineSample, Tasks);

    public static BenchOptions Parse(IReadOnlyList<string> args, string repoRoot)
    {
        var options = new BenchOptions();
        string? tasks = null, sample = null, tier = null, outDir = null, warmup = null;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            switch (name)
            {
                case "--tasks": tasks = Value(); break;
                case "--time-scale": options = options with { TimeScale = PositiveNumber(name, Value()) }; break;
                case "--tier": tier = Value(); break;
                case "--scenarios": options = options with { Scenarios = ParseScenarios(Value()) }; break;
                case "--baseline-sample": sample = Value(); break;
                case "--save": options = options with { Save = true }; break;
                case "--warmup": warmup = Value(); break;
                case "--seed": options = options with { Seed = Integer(name, Value(), min: int.MinValue) }; break;
                case "--out": outDir = Value(); break;
                case "--smoke": options = options with { Smoke = true }; break;
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
        return options with
        {
            Tasks = tasks is null ? (smoke ? 20 : 1000) : Integer("--tasks", tasks, min: 1),
            BaselineSample = sample is null ? (smoke ? 3 : 50) : Integer("--baseline-sample", sample, min: 1),
            WarmupTasks = warmup is null ? (smoke ? 2 : 50) : Integer("--warmup", warmup, min: 0),
            // The smoke run checks that the harness works, not the numbers: on svip its 20 submits fit in one second's
            // bucket, so the rate-unaware scenario c cannot run out of 429 retries and fail the build by chance.
            Tier = tier is null ? (smoke ? RateTier.Svip : RateTier.Default) : ParseTier(tier),
            OutDirectory = outDir is not null ? Path.GetFullPath(outDir) : smoke ? null : defaultOut,
            UpdateReadme = !smoke && (outDir is null || Path.GetFullPath(outDir) == Path.GetFullPath(defaultOut)),
        };
    }

    private static RateTier ParseTier(string value) => value.ToLowerInvariant() switch
    {
        "default" => RateTier.Default,
        "vip" => RateTier.Vip,
        "svip" => RateTier.Svip,
        _ => throw new ArgumentException($"--tier must be default, vip or svip, not '{value}'."),
    };

    private static List<ScenarioKind> ParseScenarios(string value)
    {
        var kinds = new List<ScenarioKind>();
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kind = part.ToLowerInvariant() switch
            {
                "a" => ScenarioKind.Pipeline,
                "b" => ScenarioKind.DocsSample,
                "c" => ScenarioKind.Parallel,
                _ => throw new ArgumentException($"--scenarios takes a, b and c, not '{part}'."),
            };
            if (!kinds.Contains(kind))
            {
                kinds.Add(kind);
            }
        }

        return kinds.Count > 0 ? [.. kinds.Order()] : throw new ArgumentException("--scenarios is empty.");
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
