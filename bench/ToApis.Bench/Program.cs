using System.Globalization;
using ToApis.Bench;
using ToApis.Bench.Measurement;
using ToApis.Bench.Reporting;
using ToApis.Tests.Infrastructure;

// Every number and date in the results is written the same way on every machine.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

if (args is [Worker.Flag, var specPath])
{
    return Worker.Run(specPath);
}

if (args is [StartUpTime.Flag, var startUpManifest, var startUpUri, var startUpKey])
{
    return StartUpTime.Run(startUpManifest, startUpUri, startUpKey);
}

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

if (!File.Exists(options.Module))
{
    Console.Error.WriteLine($"{options.Module} is missing: build the module first (dotnet build src/ToApis.PowerShell).");
    return 2;
}

Console.WriteLine($"ToApis bench: {MarkdownReport.CommandLine(options)}");
Console.WriteLine($"  module {options.Module}");

// Before the scenarios, on a machine not yet busy with them.
var startUp = await StartUpTime.MeasureAsync(options.Module, runs: options.Smoke ? 3 : 9);
Console.WriteLine(MarkdownReport.StartUpLine(startUp));
if (options.StartUpOnly)
{
    return 0;
}

var runner = new ScenarioRunner(options, Console.Out);
var fasterAccount = new SharedAccount();
var results = new List<ScenarioResult>();
try
{
    if (options.Scenarios.Any(s => s.Kind == ScenarioKind.FasterAccountAgain) && options.Scenarios.All(s => s.Kind != ScenarioKind.FasterAccount))
    {
        Console.WriteLine("  e runs first, unreported, so that f starts from what it remembered");
        await runner.RunAsync(Scenario.Of(ScenarioKind.FasterAccount), fasterAccount);
    }

    foreach (var scenario in options.Scenarios)
    {
        var tasks = options.TasksOf(scenario);
        Console.WriteLine($"  {scenario.Letter}. {scenario.Title}: {tasks:N0} tasks");
        var shared = scenario.Kind is ScenarioKind.FasterAccount or ScenarioKind.FasterAccountAgain ? fasterAccount : null;
        var result = await runner.RunAsync(scenario, shared);
        results.Add(result);
        Console.WriteLine($"    {result.Completed:N0}/{result.TasksRun:N0} out, {result.Errors.Count:N0} errors, {MarkdownReport.Seconds(result.Wall)}, {result.Ratio:0.00} × its limit of {MarkdownReport.Seconds(result.Limit.Total)}, {result.RateLimited:N0} 429s");
    }
}
finally
{
    Directory.Delete(fasterAccount.StateFolder, recursive: true);
}

var report = BenchReport.Create(options, results, startUp);
Console.WriteLine();
Console.Write(MarkdownReport.Table(report));

if (options.OutDirectory is { } outDirectory)
{
    Directory.CreateDirectory(outDirectory);
    File.WriteAllText(Path.Combine(outDirectory, "latest.md"), MarkdownReport.Full(report, withChart: true));
    var dated = $"{report.Date:yyyy-MM-dd}-{options.Tasks}-{string.Concat(options.Scenarios.Select(s => s.Letter))}.md";
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
    Console.WriteLine($"{r.Scenario.Letter}: {r.Completed}/{r.TasksRun} tasks out, {r.Errors.Count} errors{(r.Errors.Count > 0 ? ", first: " + r.Errors[0] : "")}");
}

if (options.Smoke)
{
    Console.WriteLine(incomplete.Count == 0 ? "Smoke run passed: every scenario completed every task." : "Smoke run FAILED.");
    return incomplete.Count == 0 ? 0 : 1;
}

return 0;
