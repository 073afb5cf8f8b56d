using System.Globalization;
using System.Security;
using System.Text;

namespace ToApis.Bench.Reporting;

/// <summary>
/// bench/results/latest.svg, written by hand: wall time per scenario against the physical limit, and tasks out
/// over time against the ideal curve (each submit at its earliest moment, done after the mean latency and half a poll).
/// </summary>
internal static class SvgChart
{
    private const int Width = 860;
    private const int Left = 250;
    private const int Right = 40;
    private const int BarHeight = 26;
    private const int BarGap = 12;
    private const int LineChartHeight = 260;
    private const string LimitColor = "#333333";

    /// <summary>A white outline that keeps a label readable where it crosses a line.</summary>
    private const string Halo = "fill=\"#000000\" stroke=\"#ffffff\" stroke-width=\"4\" paint-order=\"stroke\"";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private static readonly Dictionary<ScenarioKind, string> Colors = new()
    {
        [ScenarioKind.Pipeline] = "#1f77b4",
        [ScenarioKind.DocsSample] = "#ff7f0e",
        [ScenarioKind.Parallel] = "#2ca02c",
    };

    public static string Render(BenchReport report)
    {
        var limit = report.Limit;
        var results = report.Results;
        var svg = new StringBuilder();

        // Panel 1: bars.
        var barsTop = 64;
        var barsHeight = results.Count * (BarHeight + BarGap);
        var barsAxis = barsTop + barsHeight + 4;
        var barsMax = NiceCeiling(Math.Max(results.Max(r => r.WallForAll.TotalSeconds), limit.Total.TotalSeconds * 1.1) * 1.05);

        // Panel 2: tasks out over time (b only as its extrapolated straight line).
        var linesTop = barsAxis + 90;
        var linesBottom = linesTop + LineChartHeight;
        var measured = results.Where(r => !r.Extrapolated && r.OutputSeconds.Count > 0).ToList();
        var linesMax = NiceCeiling(Math.Max(measured.Select(r => r.Wall.TotalSeconds).DefaultIfEmpty(0).Max(), limit.Total.TotalSeconds) * 1.05);
        var legendTop = linesBottom + 36;
        var height = legendTop + ((results.Count + 1) * 18) + 30;

        svg.AppendLine(Invariant, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{height}" viewBox="0 0 {Width} {height}" font-family="Helvetica, Arial, sans-serif" font-size="13">""");
        svg.AppendLine(Invariant, $"""  <rect width="{Width}" height="{height}" fill="#ffffff"/>""");
        svg.AppendLine(Invariant, $"""  <text x="{Width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">{Escape(Headline(report))}</text>""");
        svg.AppendLine(Invariant, $"""  <text x="20" y="{barsTop - 12}" font-weight="bold">Wall time</text>""");

        double BarX(double seconds) => Left + ((Width - Left - Right) * seconds / barsMax);
        var barLabels = new List<string>();
        for (var i = 0; i < results.Count; i++)
        {
            var r = results[i];
            var y = barsTop + (i * (BarHeight + BarGap));
            var width = BarX(r.WallForAll.TotalSeconds) - Left;
            var style = r.Extrapolated ? "fill-opacity=\"0.45\" stroke-dasharray=\"4 3\"" : "fill-opacity=\"0.9\"";
            svg.AppendLine(Invariant, $"""  <text x="{Left - 10}" y="{y + 17}" text-anchor="end">{Escape(ShortName(r))}</text>""");
            svg.AppendLine(Invariant, $"""  <rect x="{Left}" y="{y}" width="{width:0.#}" height="{BarHeight}" fill="{Colors[r.Kind]}" stroke="{Colors[r.Kind]}" {style}/>""");
            var label = $"{r.WallForAll.TotalSeconds:0.#} s, {report.Ratio(r):0.00}× limit{(r.AllCompleted ? "" : $", {r.Completed}/{r.TasksRun} out")}";
            var inside = width > 230;
            barLabels.Add(string.Create(Invariant, $"""  <text x="{(inside ? Left + width - 6 : Left + width + 6):0.#}" y="{y + 17}" text-anchor="{(inside ? "end" : "start")}" {(inside ? "fill=\"#ffffff\"" : Halo)}>{Escape(label)}</text>"""));
        }

        AxisX(svg, barsAxis, barsMax, BarX);
        var limitX = BarX(limit.Total.TotalSeconds);
        var targetX = BarX(limit.Total.TotalSeconds * 1.1);
        svg.AppendLine(Invariant, $"""  <line x1="{limitX:0.#}" y1="{barsTop - 6}" x2="{limitX:0.#}" y2="{barsAxis}" stroke="{LimitColor}" stroke-width="2"/>""");
        svg.AppendLine(Invariant, $"""  <line x1="{targetX:0.#}" y1="{barsTop - 6}" x2="{targetX:0.#}" y2="{barsAxis}" stroke="{LimitColor}" stroke-width="1" stroke-dasharray="5 4"/>""");
        svg.AppendLine(Invariant, $"""  <text x="{limitX - 4:0.#}" y="{barsTop - 12}" text-anchor="end" font-size="12">limit {limit.Total.TotalSeconds:0.#} s</text>""");
        svg.AppendLine(Invariant, $"""  <text x="{targetX + 4:0.#}" y="{barsTop - 12}" font-size="12">1.10× limit</text>""");
        // Labels last, over the limit lines.
        barLabels.ForEach(label => svg.AppendLine(label));

        svg.AppendLine(Invariant, $"""  <text x="20" y="{linesTop - 12}" font-weight="bold">Tasks out over time</text>""");
        double LineX(double seconds) => Left + ((Width - Left - Right) * Math.Min(seconds, linesMax) / linesMax);
        double LineY(double tasks) => linesBottom - (LineChartHeight * tasks / limit.Tasks);
        svg.AppendLine(Invariant, $"""  <defs><clipPath id="plot"><rect x="{Left}" y="{linesTop}" width="{Width - Left - Right}" height="{LineChartHeight}"/></clipPath></defs>""");
        svg.AppendLine(Invariant, $"""  <rect x="{Left}" y="{linesTop}" width="{Width - Left - Right}" height="{LineChartHeight}" fill="none" stroke="#cccccc"/>""");
        AxisX(svg, linesBottom, linesMax, LineX);
        svg.AppendLine(Invariant, $"""  <text x="{Left - 8}" y="{linesTop + 4}" text-anchor="end" font-size="12">{limit.Tasks:N0}</text>""");
        svg.AppendLine(Invariant, $"""  <text x="{Left - 8}" y="{linesBottom + 4}" text-anchor="end" font-size="12">0</text>""");

        var legendY = legendTop;
        var ideal = limit.SubmitTimes.Select((t, k) => (t + limit.MeanLatency.TotalSeconds + limit.HalfPollInterval.TotalSeconds, k + 1.0));
        Polyline(svg, ideal, LineX, LineY, LimitColor, "stroke-dasharray=\"5 4\"");
        Legend(svg, ref legendY, LimitColor, "ideal: every submit at its earliest, then mean latency + P/2", dashed: true);
        foreach (var r in results)
        {
            if (r.Extrapolated)
            {
                Polyline(svg, [(0, 0), (r.WallForAll.TotalSeconds, r.TasksFor)], LineX, LineY, Colors[r.Kind], "stroke-dasharray=\"2 3\"");
                Legend(svg, ref legendY, Colors[r.Kind], $"{ShortName(r)}, straight from its sample", dashed: true);
            }
            else
            {
                Polyline(svg, r.OutputSeconds.Select((t, k) => (t, k + 1.0)), LineX, LineY, Colors[r.Kind], "");
                Legend(svg, ref legendY, Colors[r.Kind], ShortName(r), dashed: false);
            }
        }

        svg.AppendLine(Invariant, $"""  <text x="{Left}" y="{height - 14}" font-size="11" fill="#555555">{Escape(Footer(report))}</text>""");
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static string Headline(BenchReport report) =>
        $"{report.Options.Tasks:N0} tasks, {MarkdownReport.TierName(report.Options.Tier)} tier, time scale {report.Options.TimeScale}";

    private static string Footer(BenchReport report) =>
        $"{report.Date:yyyy-MM-dd} · {report.Machine}" + (report.Commit is null ? "" : $" · {report.Commit}");

    private static string ShortName(ScenarioResult r) => r.Kind switch
    {
        ScenarioKind.Pipeline => "a. pipeline",
        ScenarioKind.DocsSample => "b. docs' sample (extrapolated)",
        ScenarioKind.Parallel => $"c. -Parallel -ThrottleLimit {Scenarios.ParallelThrottleLimit}",
        _ => r.Kind.ToString(),
    };

    private static void AxisX(StringBuilder svg, int y, double max, Func<double, double> x)
    {
        svg.AppendLine(Invariant, $"""  <line x1="{Left}" y1="{y}" x2="{Width - Right}" y2="{y}" stroke="#000000"/>""");
        var step = NiceStep(max / 5);
        for (var tick = 0.0; tick <= max + (step / 1000); tick += step)
        {
            var tx = x(tick);
            svg.AppendLine(Invariant, $"""  <line x1="{tx:0.#}" y1="{y}" x2="{tx:0.#}" y2="{y + 5}" stroke="#000000"/>""");
            svg.AppendLine(Invariant, $"""  <text x="{tx:0.#}" y="{y + 19}" text-anchor="middle" font-size="12">{tick:0.##} s</text>""");
        }
    }

    private static void Polyline(
        StringBuilder svg, IEnumerable<(double Seconds, double Tasks)> points, Func<double, double> x, Func<double, double> y, string color, string extra)
    {
        var all = points.ToList();
        // At most ~400 vertices: enough for the eye, small enough to diff.
        var every = Math.Max(1, all.Count / 400);
        var kept = all.Where((_, i) => i % every == 0 || i == all.Count - 1);
        var coordinates = string.Join(' ', kept.Select(p => string.Create(Invariant, $"{x(p.Seconds):0.#},{y(p.Tasks):0.#}")));
        svg.AppendLine(Invariant, $"""  <polyline points="{coordinates}" fill="none" stroke="{color}" stroke-width="2" clip-path="url(#plot)" {extra}/>""");
    }

    private static void Legend(StringBuilder svg, ref int y, string color, string text, bool dashed)
    {
        var x = Left;
        svg.AppendLine(Invariant, $"""  <line x1="{x}" y1="{y + 6}" x2="{x + 24}" y2="{y + 6}" stroke="{color}" stroke-width="2"{(dashed ? " stroke-dasharray=\"5 4\"" : "")}/>""");
        svg.AppendLine(Invariant, $"""  <text x="{x + 30}" y="{y + 10}" font-size="12">{Escape(text)}</text>""");
        y += 18;
    }

    private static double NiceCeiling(double value)
    {
        var step = NiceStep(value / 5);
        return Math.Max(step, Math.Ceiling(value / step) * step);
    }

    private static double NiceStep(double rough)
    {
        if (!(rough > 0))
        {
            return 1;
        }

        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var fraction = rough / magnitude;
        return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude;
    }

    private static string Escape(string text) => SecurityElement.Escape(text) ?? "";
}
