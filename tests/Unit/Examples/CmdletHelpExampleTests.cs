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
        ["New-ToApisImage.md: Example 9"] = new(Replacements: new() { [LocalEmulator] = "$EmulatorBaseUri" }),
        // An Azure Automation credential asset and a key kept in an environment variable: both hold the vault's key.
        ["Connect-ToApis.md: Example 7"] = new(
            Prelude: """
                function global:Get-AutomationPSCredential { param($Name) [pscredential]::new('ToApis', (Get-Secret -Name $Name)) }
                $env:MY_TOAPIS_KEY = [System.Net.NetworkCredential]::new('', (Get-Secret -Name ToApisKey)).Password
                """),
        // The documented id is of a task on the real service: read one of the emulator's instead.
        ["Get-ToApisTask.md: Example 1"] = new(Replacements: new() { [DocumentedTaskId] = "$seed[0].Id" }),
        ["Wait-ToApisTask.md: Example 4"] = new(Replacements: new() { [DocumentedTaskId] = "$seed[0].Id" }),
        // The sample output shows a pixel size warned about and a count refused: the CSV has both.
        ["New-ToApisImage.md: Example 3"] = new(
            Prelude: """
                @'
                Name,Prompt,Size,Model,Count
                lighthouse,A lighthouse on a cliff at dawn in watercolor,16:9,,
                fox,A red fox curled up asleep in fresh snow,1:1,,
                poster,A square poster,1024x1024,,
                set,A set of icons,1:1,gpt-4o-image,3
                '@ | Set-Content ./prompts.csv
                """,
            ExpectedErrors: ["ToApis.InvalidParameter"]),
        // The sample output shows a text file named .png refused: the folder has one.
        ["Send-ToApisFile.md: Example 4"] = new(
            Prelude: "Set-Content ./refs/notes.png 'Meeting notes, not a picture'",
            ExpectedErrors: ["ToApis.UnsupportedImageType"]),
        // Reads the journal that Example 10 writes: run Example 10 first.
        ["New-ToApisImage.md: Example 11"] = new(PreludeExample: "New-ToApisImage.md: Example 10"),
        // Callbacks go to the token's webhook host: the emulator's own address here (the emulator delivers to loopback only).
        ["New-ToApisImage.md: Example 12"] = new(
            Prelude: "$null = $Emulator.Webhooks.Configure(\"$($EmulatorBaseUri.TrimEnd('/'))/toapis/images\", 'whsec_examples_0123456789abcdef')",
            Replacements: new() { ["'https://hooks.example.com/toapis/images?batch=2026-11'"] = "\"$($EmulatorBaseUri.TrimEnd('/'))/toapis/images?batch=2026-11\"" },
            Check: "$Emulator.Stats.TasksCreated -gt 3"),
        // Read the journal of a run: one is made first ($journal names it; ./journals holds a copy).
        ["Get-ToApisRun.md: Example 1"] = new(Prelude: Adaptation.JournaledRun, Check: "(Get-ToApisRun -Journal ./run.jsonl).Saved -eq 5"),
        ["Get-ToApisRun.md: Example 2"] = new(Prelude: Adaptation.JournaledRun),
        ["Get-ToApisRun.md: Example 3"] = new(Prelude: Adaptation.JournaledRun + "\n$journal = './run.jsonl'"),
        ["Get-ToApisRun.md: Example 4"] = new(Prelude: Adaptation.JournaledRun + "\n$null = New-Item -ItemType Directory ./journals; Copy-Item ./run.jsonl ./journals/"),
        ["Export-ToApisGallery.md: Example 3"] = new(
            // Invoke-Item would open a browser: here it notes what it was asked to open.
            Prelude: Adaptation.JournaledRun + "\nfunction global:Invoke-Item { param([Parameter(Position = 0)] $Path) $global:Opened = $Path }",
            Check: "$global:Opened -eq './failures.html' -and (Test-Path ./failures.html)"),
        // A runbook's variables; Windows' $env:TEMP is the example's folder here.
        ["Export-ToApisGallery.md: Example 4"] = new(
            Prelude: "$csv = './prompts.csv'; $runKey = 'nightly'; $out = (New-Item -ItemType Directory ./out -Force).FullName",
            Replacements: new() { ["$env:TEMP"] = "$PWD" },
            Check: "Test-Path ./out/gallery.html"),
        // Receiving a delivery: a signed one is made first; the Functions host's pieces are stood in for.
        ["ConvertFrom-ToApisWebhook.md: Example 1"] = new(
            Prelude: Adaptation.WebhookDelivery() + """

                function global:Push-OutputBinding { param($Name, $Value) $global:FunctionResponse = $Value }
                class HttpResponseContext { [object] $StatusCode }
                """,
            Replacements: new() { ["param($Request, $TriggerMetadata)"] = "param($Request = $global:Request, $TriggerMetadata)", ["$env:HOME/data"] = "$PWD/data" },
            Check: "$global:FunctionResponse.StatusCode -eq 200 -and (Test-Path ./data/images/*.png)"),
        ["ConvertFrom-ToApisWebhook.md: Example 3"] = new(
            Prelude: Adaptation.WebhookDelivery("endpoint.test"),
            Replacements: new() { ["$env:TOAPIS_WEBHOOK_SECRET"] = "$WebhookSecret" },
            Check: "$event.IsEndpointTest"),
        ["ConvertFrom-ToApisWebhook.md: Example 4"] = new(
            Prelude: Adaptation.WebhookDelivery(),
            Check: "$refused[0].FullyQualifiedErrorId -like 'ToApis.WebhookSignatureMismatch,*'"),
    };

    /// <summary>Examples that are not run, each with the reason.</summary>
    private static readonly Dictionary<string, string> NotRun = new()
    {
        ["Wait-ToApisTask.md: Example 6"] =
            "Start-Job starts a pwsh process, which a hosted engine has not (by design); Pester's 'Tasks that travel' " +
            "runs the same Start-Job, Receive-Job, Wait and Save in the real pwsh",
        ["ConvertFrom-ToApisWebhook.md: Example 2"] =
            "a receiver loop that ends only with the process (HttpListener.GetContext waits for the next delivery); " +
            "its verifying and saving are Example 1's, which runs",
    };

    private static readonly Lazy<IReadOnlyList<CodeExample>> Examples = new(CodeExample.FromCmdletHelp);

    public static TheoryData<string> ExampleKeys() => new(Examples.Value.Where(e => !NotRun.ContainsKey(ShortKey(e))).Select(e => e.Key));

    [Theory]
    [MemberData(nameof(ExampleKeys))]
    public void Example_runs_against_the_emulator(string key)
    {
        var example = Examples.Value.Single(e => e.Key == key);
        var adaptation = Adaptations.GetValueOrDefault(ShortKey(example)) ?? new Adaptation();
        var prelude = adaptation.PreludeExample is { } first ? Examples.Value.Single(e => ShortKey(e) == first).Script : adaptation.Prelude;

        var (result, checkPassed) = workspace.RunExample(example, prelude, adaptation.Replacements, adaptation.Check);
        log.WriteLine($"sample output not run: {example.SampleOutput.Split('\n')[0]}");
        log.WriteLine($"{result.Output.Count} object(s) out: {string.Join(", ", result.Output.Take(5).Select(o => o?.BaseObject.GetType().Name))}; {result.Errors.Count} error(s); {result.Warnings.Count} warning(s) {string.Join(" | ", result.Warnings.Select(w => w.Message))}");

        var errorIds = result.Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]).ToList();
        Assert.True(
            errorIds.All(id => adaptation.ExpectedErrors.Contains(id)),
            $"{key} wrote errors:\n{string.Join("\n", result.Errors.Select(e => $"{e.FullyQualifiedErrorId}: {e}"))}\n--- script ---\n{example.Script}");
        Assert.Equal(adaptation.ExpectedErrors.Order(), errorIds.Distinct().Order());
        Assert.True(checkPassed ?? true, $"{key} ran without errors but did not do what it says: {adaptation.Check} is not true");
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
        Assert.All(NotRun, pair =>
        {
            Assert.Contains(pair.Key, shortKeys);
            Assert.DoesNotContain(pair.Key, Adaptations.Keys);
            Assert.False(string.IsNullOrWhiteSpace(pair.Value));
        });
        // Sample output is told apart from code: the examples that show output still have code to run.
        Assert.Contains(Examples.Value, e => e.Key.StartsWith("Get-ToApisBalance.md: Example 1", StringComparison.Ordinal) && e.Script == "Get-ToApisBalance" && e.SampleOutput.StartsWith("Scope", StringComparison.Ordinal));
        Assert.Contains(Examples.Value, e => e.Key.StartsWith("Wait-ToApisTask.md: Example 5", StringComparison.Ordinal) && e.Script.Contains("Get-Content ./catalog.jsonl") && e.SampleOutput.Length == 0);
        // Code that goes on after sample output is still run.
        Assert.Contains(Examples.Value, e => e.Key.StartsWith("Get-ToApisRun.md: Example 2", StringComparison.Ordinal) && e.Script.Contains("Save-ToApisImage") && e.SampleOutput.StartsWith("Name", StringComparison.Ordinal));
    }

    private static string ShortKey(CodeExample example) => $"{example.Source}: {example.Title.Split(':')[0]}";
}
