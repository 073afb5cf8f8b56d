using System.Diagnostics;
using System.Runtime.InteropServices;
using ToApis.Emulator;

namespace ToApis.Bench.Reporting;

/// <summary>Everything a run produced, plus the machine it ran on.</summary>
internal sealed record BenchReport(
    BenchOptions Options,
    EmulatorOptions Emulator,
    PhysicalLimit Limit,
    IReadOnlyList<ScenarioResult> Results,
    DateTimeOffset Date,
    string Machine,
    string? Commit)
{
    public static BenchReport Create(BenchOptions options, PhysicalLimit limit, IReadOnlyList<ScenarioResult> results, string repoRoot) => new(
        options,
        ScenarioRunner.EmulatorSettings(options),
        limit,
        results,
        DateTimeOffset.UtcNow,
        $"{Environment.ProcessorCount} cores, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture})",
        GitCommit(repoRoot));

    public ScenarioResult? Result(ScenarioKind kind) => Results.FirstOrDefault(r => r.Kind == kind);

    /// <summary>Wall time against the limit; for an extrapolated scenario, its projected time for all tasks.</summary>
    public double Ratio(ScenarioResult result) => result.WallForAll / Limit.Total;

    /// <summary>The limit for fewer tasks: what a scenario that did not get every task out is fairly compared with.</summary>
    public PhysicalLimit LimitFor(int tasks) => PhysicalLimit.For(Math.Max(1, tasks), Options.Tier, Emulator, Options.PollIntervalSec);

    /// <summary>
    /// The limit for the same tasks at time scale 1, with the contract's unscaled 5 s poll interval: what the
    /// docs' sample would be compared with against the real service.
    /// </summary>
    public PhysicalLimit UnscaledLimit => PhysicalLimit.For(
        Options.Tasks, Options.Tier, ScenarioRunner.EmulatorSettings(Options with { TimeScale = 1 }), 5);

    /// <summary>
    /// HEAD, marked when the measured code differs from it. README.md and bench/results do not count: the bench
    /// itself rewrites them.
    /// </summary>
    private static string? GitCommit(string repoRoot)
    {
        var head = Git(repoRoot, "rev-parse", "--short=7", "HEAD");
        if (head is null)
        {
            return null;
        }

        var changes = Git(repoRoot, "status", "--porcelain", "--", ".", ":(exclude)README.md", ":(exclude)bench/results");
        return string.IsNullOrEmpty(changes) ? head : head + " with local changes";
    }

    private static string? Git(string repoRoot, params string[] arguments)
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", ["-C", repoRoot, .. arguments])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (git is null)
            {
                return null;
            }

            var output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? output : null;
        }
        catch (Exception)
        {
            // No git, no repository, or a working folder that vanished: the commit is unknown, the run still counts.
            return null;
        }
    }
}
