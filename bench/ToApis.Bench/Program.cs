using System.Globalization;
using ToApis.Bench;
using ToApis.Bench.Reporting;
using ToApis.Tests.Infrastructure;

// Every number and date in the results is written the same way on every machine.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var repoRoot = ModuleAssembly.RepoRoot();
BenchOptions options;
try
{
    options = BenchOptions.Parse(args, repoRoot);
}
catch (HelpRequestedException)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}
catch (ArgumentException invalid)
{
    Console.Error.WriteLine(invalid.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

if (!File.Exists(ModuleAssembly.ManifestPath))
{
    Console.Error.WriteLine($"{ModuleAssembly.ManifestPath} is missing: build the module first (dotnet build src/ToApis.PowerShell).");
    return 2;
}

var limit = PhysicalLimit.For(options.Tasks, options.Tier, ScenarioRunner.EmulatorSettings(options), options.PollIntervalSec);
Console.WriteLine($"ToApis bench: {MarkdownReport.CommandLine(options)}");
Console.WriteLine($"  module {ModuleAssembly.ManifestPath}");
Console.WriteLine($"  physical limit for {options.Tasks:N0} tasks: {MarkdownReport.Seconds(limit.Total)} (last submit at {MarkdownReport.Seconds(limit.LastSubmit)})");

var runner = new ScenarioRunner(options, Console.Out);
if (options.WarmupTasks > 0)
{
    Console.WriteLine($"  warm-up: {options.WarmupTasks} tasks per scenario, not measured");
    foreach (var kind in options.Scenarios)
    {
        await runner.RunAsync(kind, options.WarmupTasks, options.WarmupTasks);
    }
}

var results = new List<ScenarioResult>();
foreach (var kind in options.Scenarios)
{
    var tasks = kind == ScenarioKind.DocsSample ? options.BaselineTasks : options.Tasks;
    Console.WriteLine($"  {kind.Letter()}. {kind.Title(options.Save)}: {tasks:N0} tasks");
    var result = await runner.RunAsync(kind, tasks, options.Tasks);
    results.Add(result);
    Console.WriteLine($"    {result.Completed:N0}/{result.TasksRun:N0} out, {result.Errors.Count:N0} errors, {MarkdownReport.Seconds(result.Wall)}, {result.RateLimited:N0} 429s");
}

var report = BenchReport.Create(options, limit, results, repoRoot);
Console.WriteLine();
Console.Write(MarkdownReport.Table(report));

if (options.OutDirectory is { } outDirectory)
{
    Directory.CreateDirectory(outDirectory);
    File.WriteAllText(Path.Combine(outDirectory, "latest.md"), MarkdownReport.Full(report, withChart: true));
    var dated = $"{report.Date:yyyy-MM-dd}-{options.Tasks}-{MarkdownReport.TierName(options.Tier)}.md";
    File.WriteAllText(Path.Combine(outDirectory, dated), MarkdownReport.Full(report, withChart: false));
    File.WriteAllText(Path.Combine(outDirectory, "latest.svg"), SvgChart.Render(report));
    Console.WriteLine($"Wrote latest.md, {dated} and latest.svg in {outDirectory}");
    if (options.UpdateReadme)
    {
        var readme = Path.Combine(repoRoot, "README.md");
        Console.WriteLine(ReadmeSection.TryUpdate(readme, report)
            ? "Updated the table in README.md"
            : $"README.md has no '{ReadmeSection.Begin}' marker: not updated");
    }
}

var incomplete = results.Where(r => !r.AllCompleted).ToList();
foreach (var r in incomplete)
{
    Console.WriteLine($"{r.Kind.Letter()}: {r.Completed}/{r.TasksRun} tasks out, {r.Errors.Count} errors{(r.Errors.Count > 0 ? ", first: " + r.Errors[0] : "")}");
}

if (options.Smoke)
{
    Console.WriteLine(incomplete.Count == 0 ? "Smoke run passed: every scenario completed every task." : "Smoke run FAILED.");
    return incomplete.Count == 0 ? 0 : 1;
}

return 0;
