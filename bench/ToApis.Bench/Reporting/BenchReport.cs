using System.Diagnostics;
using System.Runtime.InteropServices;
using ToApis.Bench.Measurement;

namespace ToApis.Bench.Reporting;

/// <summary>Everything a run produced, plus the machine and the module it ran.</summary>
internal sealed record BenchReport(
    BenchOptions Options,
    IReadOnlyList<ScenarioResult> Results,
    DateTimeOffset Date,
    string Machine,
    string? Commit,
    StartUpResult? StartUp = null)
{
    public static BenchReport Create(BenchOptions options, IReadOnlyList<ScenarioResult> results, StartUpResult? startUp = null) => new(
        options,
        results,
        DateTimeOffset.UtcNow,
        $"{Environment.ProcessorCount} cores, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture})",
        GitCommit(ModuleTree(options.Module)),
        startUp);

    /// <summary>The tree a module was built in: its manifest sits in &lt;tree&gt;/out/ToApis/.</summary>
    private static string ModuleTree(string manifest) => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(manifest)!, "..", ".."));

    public ScenarioResult? Result(ScenarioKind kind) => Results.FirstOrDefault(r => r.Kind == kind);

    /// <summary>
    /// HEAD of the tree the measured module was built in, marked when the measured code differs from it; unknown
    /// for a tree outside git. README.md and bench/results do not count: the bench itself rewrites them.
    /// </summary>
    private static string? GitCommit(string tree)
    {
        var head = Git(tree, "rev-parse", "--short=7", "HEAD");
        if (head is null)
        {
            return null;
        }

        var changes = Git(tree, "status", "--porcelain", "--", ".", ":(exclude)README.md", ":(exclude)bench/results");
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
