using System.Collections;
using System.Management.Automation;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Help;

/// <summary>One runspace for all the Get-Help tests: they only read.</summary>
public sealed class HelpRunspace : IDisposable
{
    public PowerShellHost Shell { get; } = new();

    public void Dispose() => Shell.Dispose();
}

/// <summary>
/// Get-Help in the real engine, against out/ToApis as a user imports it: the MAML built from docs/cmdlets is found
/// (in en-US, even when the UI culture is another or the invariant one) and has everything an admin reads.
/// </summary>
public sealed class CmdletHelpTests(HelpRunspace runspace) : IClassFixture<HelpRunspace>
{
    private const string ReadHelp = """
        param($Name, $View)
        $help = if ($View) { Get-Help -Name $Name -Examples } else { Get-Help -Name $Name -Full }
        @{
            Synopsis    = [string] $help.Synopsis
            Description = @($help.description | ForEach-Object { $_.Text })
            Parameters  = @($help.parameters.parameter | ForEach-Object { @{ Name = [string] $_.name; Text = (@($_.description | ForEach-Object { $_.Text }) -join ' ') } })
            Examples    = @($help.examples.example | ForEach-Object { @{ Title = [string] $_.title; Code = [string] $_.code; Remarks = (@($_.remarks | ForEach-Object { $_.Text }) -join ' ') } })
        }
        """;

    public static TheoryData<string> Cmdlets() => ModuleHelp.CmdletData();

    private Hashtable Help(string cmdlet, bool examplesView = false)
    {
        var result = runspace.Shell.Run(ReadHelp, new Hashtable { ["Name"] = cmdlet, ["View"] = examplesView });
        Assert.Empty(result.Errors);
        return (Hashtable)Assert.Single(result.Output).BaseObject;
    }

    private static IEnumerable<Hashtable> Items(object? value) =>
        ((IEnumerable)value!).Cast<object>().Select(item => (Hashtable)(item is PSObject wrapped ? wrapped.BaseObject : item));

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Full_help_shows_the_synopsis_and_description_from_the_markdown(string cmdlet)
    {
        var markdown = ModuleHelp.Markdown(cmdlet);
        var help = Help(cmdlet);

        // Without the MAML, Get-Help makes up a synopsis from the syntax and has no description.
        Assert.Equal(Assert.Single(markdown.Synopsis), ((string)help["Synopsis"]!).Trim());
        var description = ((IEnumerable)help["Description"]!).Cast<object>().Select(p => p.ToString()!.Trim()).ToList();
        Assert.NotEmpty(description);
        Assert.Equal(markdown.Description[0], description[0]);
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Full_help_describes_every_parameter(string cmdlet)
    {
        var documented = Items(Help(cmdlet)["Parameters"]).ToDictionary(p => (string)p["Name"]!, p => (string)p["Text"]!, StringComparer.OrdinalIgnoreCase);

        foreach (var parameter in CmdletParameters.Public(runspace.Shell, cmdlet))
        {
            Assert.True(documented.TryGetValue(parameter.Name, out var text) && text.Trim().Length > 0, $"Get-Help {cmdlet} -Full has no description for -{parameter.Name}.");
        }
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Full_help_has_at_least_two_examples_with_code_and_an_explanation(string cmdlet)
    {
        var examples = Items(Help(cmdlet)["Examples"]).ToList();

        Assert.True(examples.Count >= 2, $"Get-Help {cmdlet} -Full shows {examples.Count} example(s).");
        Assert.All(examples, example =>
        {
            Assert.Matches(@"^(-+ )?Example \d+: \S.*$", (string)example["Title"]!);
            Assert.NotEmpty(((string)example["Code"]!).Trim());
            Assert.NotEmpty(((string)example["Remarks"]!).Trim());
        });
    }

    [Fact]
    public void Examples_view_of_New_ToApisImage_shows_every_example_of_the_markdown()
    {
        var markdown = ModuleHelp.Markdown("New-ToApisImage");
        var examples = Items(Help("New-ToApisImage", examplesView: true)["Examples"]).ToList();

        Assert.Equal(markdown.Examples.Count, examples.Count);
        Assert.Equal(markdown.Examples.Select(e => e.Title), examples.Select(e => ((string)e["Title"]!).Trim('-', ' ')));
        Assert.Contains("Import-Csv ./prompts.csv", (string)examples[1]["Code"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_is_found_in_en_US_when_the_ui_culture_is_another()
    {
        var result = runspace.Shell.Run("""
            $before = [System.Threading.Thread]::CurrentThread.CurrentUICulture
            try {
                [System.Threading.Thread]::CurrentThread.CurrentUICulture = 'de-DE'
                (Get-Help Wait-ToApisTask).Synopsis
            }
            finally {
                [System.Threading.Thread]::CurrentThread.CurrentUICulture = $before
            }
            """);

        Assert.Empty(result.Errors);
        Assert.Equal(ModuleHelp.Markdown("Wait-ToApisTask").Synopsis[0], Assert.Single(result.Output).ToString().Trim());
    }

    [Fact]
    public void About_topic_ships_in_en_US_and_Get_Help_finds_it()
    {
        Assert.True(File.Exists(Path.Combine(ModuleAssembly.ModuleFolder, "en-US", "about_ToApis.help.txt")));

        var result = runspace.Shell.Run("Get-Help about_ToApis");

        Assert.Empty(result.Errors);
        var text = string.Join("\n", result.Output.Select(o => o.ToString()));
        Assert.Contains("about_ToApis", text, StringComparison.Ordinal);
        Assert.Contains("RESUMING SAFELY", text, StringComparison.Ordinal);
        Assert.Contains("TOAPIS_API_KEY", text, StringComparison.Ordinal);
    }
}
