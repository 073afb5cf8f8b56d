using System.Globalization;
using System.Security;
using System.Text;

namespace ToApis.Bench.Reporting;

/// <summary>
/// bench/results/latest.svg, written by hand: each scenario's wall time as a ratio to its own physical limit (its
/// goal marked), and tasks out over time, both axes as shares of the scenario's limit and tasks, so scenarios of
/// different sizes and accounts share one picture.
/// </summary>
internal static class SvgChart
{
    private const int Width = 900;
    private const int Left = 330;
    private const int Right = 40;
    private const int BarHeight = 22;
    private const int BarGap = 10;
    private const int LineChartHeight = 260;
    private const string LimitColor = "#333333";

    /// <summary>A white outline that keeps a label readable where it crosses a line.</summary>
    private const string Halo = "fill=\"#000000\" stroke=\"#ffffff\" stroke-width=\"4\" paint-order=\"stroke\"";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private static readonly string[] Palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

    public static string Render(BenchReport report)
    {
        var results = report.Results;
        var svg = new StringBuilder();
        string Color(ScenarioResult r) => Palette[(int)r.Kind % Palette.Length];

        var barsTop = 64;
        var barsAxis = barsTop + (results.Count * (BarHeight + BarGap)) + 4;
        var barsMax = NiceCeiling(Math.Max(1.3, results.Max(r => r.Ratio)) * 1.05);
        var linesTop = barsAxis + 90;
        var linesBottom = linesTop + LineChartHeight;
        var measured = results.Where(r => !r.Extrapolated && r.OutputSeconds.Count > 0).ToList();
        var linesMax = NiceCeiling(Math.Max(1.2, measured.Select(r => r.Wall / r.Limit.Total).DefaultIfEmpty(1).Max()) * 1.05);
        var legendTop = linesBottom + 40;
        var height = legendTop + (measured.Count * 18) + 30;

        svg.AppendLine(Invariant, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{height}" viewBox="0 0 {Width} {height}" font-family="Helvetica, Arial, sans-serif" font-size="13">""");
        svg.AppendLine(Invariant, $"""  <rect width="{Width}" height="{height}" fill="#ffffff"/>""");
        svg.AppendLine(Invariant, $"""  <text x="{Width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">{Escape($"{report.Options.Tasks:N0} tasks per scenario, time scale {report.Options.TimeScale}")}</text>""");
        svg.AppendLine(Invariant, $"""  <text x="20" y="{barsTop - 12}" font-weight="bold">Wall time ÷ the scenario's physical limit</text>""");

        double BarX(double ratio) => Left + ((Width - Left - Right) * ratio / barsMax);
        for (var i = 0; i < results.Count; i++)
        {
            var r = results[i];
            var y = barsTop + (i * (BarHeight + BarGap));
            var width = BarX(r.Ratio) - Left;
            var style = r.Extrapolated ? "fill-opacity=\"0.45\" stroke-dasharray=\"4 3\"" : "fill-opacity=\"0.9\"";
            svg.AppendLine(Invariant, $"""  <text x="{Left - 10}" y="{y + 15}" text-anchor="end" font-size="12">{Escape(ShortName(r))}</text>""");
            svg.AppendLine(Invariant, $"""  <rect x="{Left}" y="{y}" width="{width:0.#}" height="{BarHeight}" fill="{Color(r)}" stroke="{Color(r)}" {style}/>""");
            if (r.Scenario.GoalRatio is { } goal)
            {
                var gx = BarX(goal);
                svg.AppendLine(Invariant, $"""  <line x1="{gx:0.#}" y1="{y - 3}" x2="{gx:0.#}" y2="{y + BarHeight + 3}" stroke="{LimitColor}" stroke-width="2" stroke-dasharray="3 2"/>""");
            }

            var label = $"{r.Ratio:0.00}× of {r.Limit.Total.TotalSeconds:0.#} s{(r.AllCompleted ? "" : $", {r.Completed}/{r.TasksRun} out")}";
            svg.AppendLine(Invariant, $"""  <text x="{Math.Min(Left + width + 6, Width - 150):0.#}" y="{y + 15}" font-size="12" {Halo}>{Escape(label)}</text>""");
        }

        AxisX(svg, barsAxis, barsMax, BarX, "×");
        var oneX = BarX(1);
        svg.AppendLine(Invariant, $"""  <line x1="{oneX:0.#}" y1="{barsTop - 6}" x2="{oneX:0.#}" y2="{barsAxis}" stroke="{LimitColor}" stroke-width="1"/>""");
        svg.AppendLine(Invariant, $"""  <text x="{oneX + 4:0.#}" y="{barsTop - 12}" font-size="12">limit (dashed: each goal)</text>""");

        svg.AppendLine(Invariant, $"""  <text x="20" y="{linesTop - 12}" font-weight="bold">Share of tasks out over time ÷ physical limit</text>""");
        double LineX(double share) => Left + ((Width - Left - Right) * Math.Min(share, linesMax) / linesMax);
        double LineY(double share) => linesBottom - (LineChartHeight * share);
        svg.AppendLine(Invariant, $"""  <defs><clipPath id="plot"><rect x="{Left}" y="{linesTop}" width="{Width - Left - Right}" height="{LineChartHeight}"/></clipPath></defs>""");
        svg.AppendLine(Invariant, $"""  <rect x="{Left}" y="{linesTop}" width="{Width - Left - Right}" height="{LineChartHeight}" fill="none" stroke="#cccccc"/>""");
        AxisX(svg, linesBottom, linesMax, LineX, "×");
        svg.AppendLine(Invariant, $"""  <line x1="{LineX(1):0.#}" y1="{linesTop}" x2="{LineX(1):0.#}" y2="{linesBottom}" stroke="{LimitColor}" stroke-dasharray="5 4"/>""");
        svg.AppendLine(Invariant, $"""  <text x="{Left - 8}" y="{linesTop + 4}" text-anchor="end" font-size="12">all</text>""");
        svg.AppendLine(Invariant, $"""  <text x="{Left - 8}" y="{linesBottom + 4}" text-anchor="end" font-size="12">0</text>""");

        var legendY = legendTop;
        foreach (var r in measured)
        {
            var total = r.Limit.Total.TotalSeconds;
            Polyline(svg, r.OutputSeconds.Select((t, k) => (t / total, (k + 1.0) / r.TasksRun)), LineX, LineY, Color(r));
            svg.AppendLine(Invariant, $"""  <line x1="{Left}" y1="{legendY + 6}" x2="{Left + 24}" y2="{legendY + 6}" stroke="{Color(r)}" stroke-width="2"/>""");
            svg.AppendLine(Invariant, $"""  <text x="{Left + 30}" y="{legendY + 10}" font-size="12">{Escape(ShortName(r))}</text>""");
            legendY += 18;
        }

        svg.AppendLine(Invariant, $"""  <text x="{Left}" y="{height - 14}" font-size="11" fill="#555555">{Escape($"{report.Date:yyyy-MM-dd} · {report.Machine}" + (report.Commit is null ? "" : $" · {report.Commit}"))}</text>""");
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static string ShortName(ScenarioResult r) => r.Kind switch
    {
        ScenarioKind.Pipeline => "a. New|Wait|Save, CDN, default (told)",
        ScenarioKind.DocsSample => "b. docs' sample (extrapolated)",
        ScenarioKind.Parallel => $"c. -Parallel -ThrottleLimit {Scenario.ParallelThrottleLimit}",
        ScenarioKind.PipelineSvip => "d. New|Wait|Save, CDN, svip (told)",
        ScenarioKind.FasterAccount => "e. untold 4× default, first run",
        ScenarioKind.FasterAccountAgain => "f. untold 4× default, second run",
        ScenarioKind.SlowerAccount => "g. untold ½ default",
        ScenarioKind.TwoProcesses => "h. two processes, one default account",
        ScenarioKind.ThreeProcesses => "i. three processes, one default account",
        ScenarioKind.TwoProcessesHeadersOn429s => "j. two processes, headers on 429s only",
        ScenarioKind.ThreeProcessesHeadersOn429s => "k. three processes, headers on 429s only",
        ScenarioKind.JoinsHalfway => "l. a second process joins halfway",
        ScenarioKind.FasterAccountFewRows => "m. untold 4× default, 200 rows",
        _ => r.Kind.ToString(),
    };

    private static void AxisX(StringBuilder svg, int y, double max, Func<double, double> x, string unit)
    {
        svg.AppendLine(Invariant, $"""  <line x1="{Left}" y1="{y}" x2="{Width - Right}" y2="{y}" stroke="#000000"/>""");
        var step = NiceStep(max / 5);
        for (var tick = 0.0; tick <= max + (step / 1000); tick += step)
        {
            var tx = x(tick);
            svg.AppendLine(Invariant, $"""  <line x1="{tx:0.#}" y1="{y}" x2="{tx:0.#}" y2="{y + 5}" stroke="#000000"/>""");
            svg.AppendLine(Invariant, $"""  <text x="{tx:0.#}" y="{y + 19}" text-anchor="middle" font-size="12">{tick:0.##}{unit}</text>""");
        }
    }

    private static void Polyline(StringBuilder svg, IEnumerable<(double X, double Y)> points, Func<double, double> x, Func<double, double> y, string color)
    {
        var all = points.ToList();
        // At most ~400 vertices: enough for the eye, small enough to diff.
        var every = Math.Max(1, all.Count / 400);
        var kept = all.Where((_, i) => i % every == 0 || i == all.Count - 1);
        var coordinates = string.Join(' ', kept.Select(p => string.Create(Invariant, $"{x(p.X):0.#},{y(p.Y):0.#}")));
        svg.AppendLine(Invariant, $"""  <polyline points="{coordinates}" fill="none" stroke="{color}" stroke-width="2" clip-path="url(#plot)"/>""");
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
