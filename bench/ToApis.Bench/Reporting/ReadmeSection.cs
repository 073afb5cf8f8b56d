namespace ToApis.Bench.Reporting;

/// <summary>Replaces the bench table in README.md, between its two marker comments, with the latest one.</summary>
internal static class ReadmeSection
{
    public const string Begin = "<!-- bench:begin (written by bench/ToApis.Bench) -->";
    public const string End = "<!-- bench:end -->";

    /// <summary>False when README.md has no markers: nothing is written then.</summary>
    public static bool TryUpdate(string readmePath, BenchReport report)
    {
        var text = File.ReadAllText(readmePath);
        var start = text.IndexOf(Begin, StringComparison.Ordinal);
        var end = text.IndexOf(End, StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            return false;
        }

        var options = report.Options;
        var section = string.Join(
            '\n',
            Begin,
            $"Latest run: {options.Tasks:N0} tasks per scenario, time scale {options.TimeScale}, {report.Date:yyyy-MM-dd}, {report.Machine}{(report.Commit is null ? "" : $", commit {report.Commit}")}. " +
            "How each number is made, and the targets: [bench/results/latest.md](bench/results/latest.md).",
            "",
            MarkdownReport.Table(report).TrimEnd(),
            "",
            "![Each scenario's wall time as a ratio to its physical limit, and tasks out over time](bench/results/latest.svg)",
            End);
        File.WriteAllText(readmePath, text[..start] + section + text[(end + End.Length)..]);
        return true;
    }
}
