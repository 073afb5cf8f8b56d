using ToApis.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace ToApis.Tests.Examples;

/// <summary>
/// Every PowerShell block of README.md, taken from the file and run verbatim against the emulator in the same
/// workspace as the help examples (<see cref="ExampleWorkspace"/>): Import-Csv of examples/prompts.csv,
/// Select-Object -First, Export-Csv, ForEach-Object -Parallel and Start-ThreadJob with -Session $using:s.
/// </summary>
public sealed class ReadmeExampleTests(ExampleWorkspace workspace, ITestOutputHelper log) : IClassFixture<ExampleWorkspace>
{
    private static readonly Lazy<IReadOnlyList<CodeExample>> Examples = new(CodeExample.FromReadme);

    /// <summary>Blocks that need something besides the common workspace, keyed by the heading above them.</summary>
    private static readonly Dictionary<string, Adaptation> Adaptations = new()
    {
        // The README imports the module from the build folder relative to the repository; the example runs elsewhere.
        ["Against the real service"] = new(Replacements: new() { ["Import-Module ./out/ToApis/ToApis.psd1"] = $"Import-Module '{ModuleAssembly.ManifestPath}'" }),
        // A delivery arrives as a web request: a signed one is made first.
        ["Told instead of polling: webhooks"] = new(
            Prelude: Adaptation.WebhookDelivery(),
            Replacements: new() { ["$env:TOAPIS_WEBHOOK_SECRET"] = "$WebhookSecret" },
            Check: "@(Get-ChildItem ./images -Filter *.png).Count -eq 1"),
        // Reads the journal of the run in "Safe to rerun": run that block first.
        ["See the run"] = new(PreludeExample: "Safe to rerun, honest about failures", Check: "Test-Path ./out/gallery.html"),
    };

    public static TheoryData<string> ExampleKeys() => new(Examples.Value.Select(e => e.Key));

    private static string Heading(CodeExample example) => example.Title[..example.Title.LastIndexOf(" (line ", StringComparison.Ordinal)];

    [Theory]
    [MemberData(nameof(ExampleKeys))]
    public void Example_runs_against_the_emulator(string key)
    {
        var example = Examples.Value.Single(e => e.Key == key);
        var adaptation = Adaptations.GetValueOrDefault(Heading(example)) ?? new Adaptation();
        var prelude = adaptation.PreludeExample is { } first ? Examples.Value.Single(e => Heading(e) == first).Script : adaptation.Prelude;

        var (result, checkPassed) = workspace.RunExample(example, prelude, adaptation.Replacements, adaptation.Check);

        log.WriteLine($"{result.Output.Count} object(s) out: {string.Join(", ", result.Output.Select(o => o?.BaseObject.GetType().Name).Distinct())}");
        Assert.True(result.Errors.Count == 0, $"{key} wrote errors:\n{string.Join("\n", result.Errors.Select(e => $"{e.FullyQualifiedErrorId}: {e}"))}\n--- script ---\n{example.Script}");
        Assert.True(checkPassed ?? true, $"{key} ran without errors but did not do what it says: {adaptation.Check} is not true");
    }

    [Fact]
    public void Every_adaptation_names_a_block_that_still_exists()
    {
        var headings = Examples.Value.Select(Heading).ToHashSet();
        Assert.All(Adaptations, pair => Assert.True(headings.Contains(pair.Key) && (pair.Value.PreludeExample is null || headings.Contains(pair.Value.PreludeExample)), pair.Key));
    }

    [Fact]
    public void The_readme_shows_the_pipelines_admins_combine_the_cmdlets_with()
    {
        var code = string.Join("\n", Examples.Value.Select(e => e.Script));
        Assert.All(
            new[] { "Import-Csv prompts.csv", "Select-Object -First", "Export-Csv", "ForEach-Object -Parallel", "-Session $using:s", "Start-ThreadJob", "Save-ToApisImage" },
            fragment => Assert.Contains(fragment, code));
    }
}
