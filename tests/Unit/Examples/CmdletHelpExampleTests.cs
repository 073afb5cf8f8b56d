using Xunit;
using Xunit.Abstractions;

namespace ToApis.Tests.Examples;

/// <summary>
/// Every example in the cmdlet help (docs/cmdlets/*.md), taken from the markdown and run against the emulator,
/// so the help cannot drift from what the cmdlets do. What each example gets beyond its own text is in
/// <see cref="ExampleWorkspace"/>; the few that need more are adapted here, each with its reason.
/// </summary>
public sealed class CmdletHelpExampleTests(ExampleWorkspace workspace, ITestOutputHelper log) : IClassFixture<ExampleWorkspace>
{
    private const string DocumentedTaskId = "tsk_img_01KSWX9YZJREDY9Q5W361KR8QW";
    private const string LocalEmulator = "http://127.0.0.1:5080";

    /// <summary>Examples that need something besides the common workspace, keyed by "file: Example N".</summary>
    private static readonly Dictionary<string, Adaptation> Adaptations = new()
    {
        // The emulator listens on a free port, not 5080.
        ["Connect-ToApis.md: Example 3"] = new(Replacements: new() { [LocalEmulator] = "$EmulatorBaseUri" }),
        ["Connect-ToApis.md: Example 5"] = new(Replacements: new() { [LocalEmulator] = "$EmulatorBaseUri" }),
        ["New-ToApisImage.md: Example 8"] = new(Replacements: new() { [LocalEmulator] = "$EmulatorBaseUri" }),
        // The documented id is of a task on the real service: read one of the emulator's instead.
        ["Get-ToApisTask.md: Example 1"] = new(Replacements: new() { [DocumentedTaskId] = "$seed[0].Id" }),
        ["Wait-ToApisTask.md: Example 4"] = new(Replacements: new() { [DocumentedTaskId] = "$seed[0].Id" }),
        // The sample output shows a row refused for a pixel size: the CSV has one.
        ["New-ToApisImage.md: Example 3"] = new(
            Prelude: """
                @'
                Name,Prompt,Size
                lighthouse,A lighthouse on a cliff at dawn in watercolor,16:9
                fox,A red fox curled up asleep in fresh snow,1:1
                square,A square poster,1024x1024
                '@ | Set-Content ./prompts.csv
                """,
            ExpectedErrors: ["ToApis.InvalidParameter"]),
        // The sample output shows a text file named .png refused: the folder has one.
        ["Send-ToApisFile.md: Example 4"] = new(
            Prelude: "Set-Content ./refs/notes.png 'Meeting notes, not a picture'",
            ExpectedErrors: ["ToApis.UnsupportedImageType"]),
        // Reads the journal that Example 9 writes: run Example 9 first.
        ["New-ToApisImage.md: Example 10"] = new(PreludeExample: "New-ToApisImage.md: Example 9"),
    };

    private static readonly Lazy<IReadOnlyList<CodeExample>> Examples = new(CodeExample.FromCmdletHelp);

    public static TheoryData<string> ExampleKeys() => new(Examples.Value.Select(e => e.Key));

    [Theory]
    [MemberData(nameof(ExampleKeys))]
    public void Example_runs_against_the_emulator(string key)
    {
        var example = Examples.Value.Single(e => e.Key == key);
        var adaptation = Adaptations.GetValueOrDefault(ShortKey(example)) ?? new Adaptation();
        var prelude = adaptation.PreludeExample is { } first ? Examples.Value.Single(e => ShortKey(e) == first).Script : adaptation.Prelude;

        var result = workspace.RunExample(example, prelude, adaptation.Replacements);
        log.WriteLine($"{result.Output.Count} object(s) out: {string.Join(", ", result.Output.Take(5).Select(o => o?.BaseObject.GetType().Name))}; {result.Errors.Count} error(s); {result.Warnings.Count} warning(s) {string.Join(" | ", result.Warnings.Select(w => w.Message))}");

        var errorIds = result.Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]).ToList();
        Assert.True(
            errorIds.All(id => adaptation.ExpectedErrors.Contains(id)),
            $"{key} wrote errors:\n{string.Join("\n", result.Errors.Select(e => $"{e.FullyQualifiedErrorId}: {e}"))}\n--- script ---\n{example.Script}");
        Assert.Equal(adaptation.ExpectedErrors.Order(), errorIds.Distinct().Order());
    }

    [Fact]
    public void Every_cmdlet_has_examples_and_every_adaptation_names_an_example_that_still_exists()
    {
        Assert.True(Examples.Value.Count >= 40, $"only {Examples.Value.Count} examples found");
        var shortKeys = Examples.Value.Select(ShortKey).ToHashSet();
        Assert.All(Adaptations, pair =>
        {
            Assert.Contains(pair.Key, shortKeys);
            Assert.True(pair.Value.PreludeExample is null || shortKeys.Contains(pair.Value.PreludeExample));
        });
        // Sample output is told apart from code: the examples that show output still have code to run.
        Assert.Contains(Examples.Value, e => e.Key.StartsWith("Get-ToApisBalance.md: Example 1", StringComparison.Ordinal) && e.Script == "Get-ToApisBalance" && e.SampleOutput.StartsWith("Scope", StringComparison.Ordinal));
        Assert.Contains(Examples.Value, e => e.Key.StartsWith("Wait-ToApisTask.md: Example 5", StringComparison.Ordinal) && e.Script.Contains("Get-Content ./catalog.jsonl") && e.SampleOutput.Length == 0);
    }

    private static string ShortKey(CodeExample example) => $"{example.Source}: {example.Title.Split(':')[0]}";

    private sealed record Adaptation(
        string? Prelude = null,
        Dictionary<string, string>? Replacements = null,
        string[]? ExpectedErrors = null,
        string? PreludeExample = null)
    {
        public string[] ExpectedErrors { get; } = ExpectedErrors ?? [];
    }
}
