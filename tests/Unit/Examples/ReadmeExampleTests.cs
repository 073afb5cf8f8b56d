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

    public static TheoryData<string> ExampleKeys() => new(Examples.Value.Select(e => e.Key));

    [Theory]
    [MemberData(nameof(ExampleKeys))]
    public void Example_runs_against_the_emulator(string key)
    {
        var example = Examples.Value.Single(e => e.Key == key);
        // The README imports the module from the build folder relative to the repository; the example runs elsewhere.
        var replacements = new Dictionary<string, string>();
        if (example.Script.Contains("Import-Module ./out/ToApis/ToApis.psd1", StringComparison.Ordinal))
        {
            replacements["Import-Module ./out/ToApis/ToApis.psd1"] = $"Import-Module '{ModuleAssembly.ManifestPath}'";
        }

        // Runspaces of -Parallel and thread jobs load the module by name, as from an installed copy.
        var modulePath = Environment.GetEnvironmentVariable("PSModulePath");
        Environment.SetEnvironmentVariable("PSModulePath", Path.GetDirectoryName(ModuleAssembly.ModuleFolder) + Path.PathSeparator + modulePath);
        ScriptResult result;
        try
        {
            result = workspace.RunExample(example, replacements: replacements);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PSModulePath", modulePath);
        }

        log.WriteLine($"{result.Output.Count} object(s) out: {string.Join(", ", result.Output.Select(o => o?.BaseObject.GetType().Name).Distinct())}");
        Assert.True(result.Errors.Count == 0, $"{key} wrote errors:\n{string.Join("\n", result.Errors.Select(e => $"{e.FullyQualifiedErrorId}: {e}"))}\n--- script ---\n{example.Script}");
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
