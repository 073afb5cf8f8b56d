using System.Management.Automation;
using System.Text.RegularExpressions;
using ToApis.HelpBuilder;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Help;

/// <summary>
/// docs/cmdlets says what the cmdlets really are: one file per exported cmdlet, every parameter and parameter set,
/// the metadata platyPS would write for them, every ErrorId the code can raise, and nothing platyPS would mangle.
/// </summary>
public sealed partial class HelpMarkdownTests(HelpRunspace runspace) : IClassFixture<HelpRunspace>
{
    public static TheoryData<string> Cmdlets() => ModuleHelp.CmdletData();

    public static TheoryData<string> MarkdownFiles() =>
        new(Directory.GetFiles(ModuleHelp.DocsFolder, "*.md").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Fact]
    public void Each_exported_cmdlet_has_a_markdown_file_and_each_file_an_exported_cmdlet()
    {
        var documented = Directory.GetFiles(ModuleHelp.DocsFolder, "*-*.md").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal);

        Assert.Equal(ModuleHelp.ExportedCmdlets, documented);
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Front_matter_names_the_help_file_the_cmdlet_looks_for(string cmdlet)
    {
        var document = MarkdownBlocks.Parse(ModuleHelp.MarkdownPath(cmdlet), File.ReadAllText(ModuleHelp.MarkdownPath(cmdlet)));

        Assert.Equal(CmdletParameters.Command(runspace.Shell, cmdlet).HelpFile, document.FrontMatter["external help file"]);
        Assert.Equal("ToApis", document.FrontMatter["Module Name"]);
        Assert.True(document.FrontMatter.ContainsKey("online version"));
        Assert.Equal("2.0.0", document.FrontMatter["schema"]);
        Assert.Equal(cmdlet, ModuleHelp.Markdown(cmdlet).Name);
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Documented_parameters_are_exactly_the_cmdlets_parameters(string cmdlet)
    {
        var real = CmdletParameters.Public(runspace.Shell, cmdlet).Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var documented = ModuleHelp.Markdown(cmdlet).Parameters.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);

        var common = documented.Where(Cmdlet.CommonParameters.Contains).ToList();
        Assert.True(common is [], $"{cmdlet}.md documents the common parameter(s) -{string.Join(", -", common)}: remove the section(s); ### CommonParameters covers them (platyPS 0.14 adds ### -ProgressAction on PowerShell 7.4 and later).");

        Assert.True(real.Except(documented).ToList() is [], $"{cmdlet}.md does not document: -{string.Join(", -", real.Except(documented))}");
        Assert.True(documented.Except(real).ToList() is [], $"{cmdlet}.md documents parameters {cmdlet} no longer has: -{string.Join(", -", documented.Except(real))}");
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Documented_metadata_is_what_the_cmdlet_declares(string cmdlet)
    {
        var command = CmdletParameters.Command(runspace.Shell, cmdlet);
        var markdown = ModuleHelp.Markdown(cmdlet);
        foreach (var parameter in CmdletParameters.Public(runspace.Shell, cmdlet))
        {
            var documented = markdown.Parameters.SingleOrDefault(p => p.Name.Equals(parameter.Name, StringComparison.OrdinalIgnoreCase));
            if (documented is null)
            {
                continue; // reported by Documented_parameters_are_exactly_the_cmdlets_parameters
            }

            var metadata = Assert.Single(documented.Metadata);
            var where = $"{cmdlet} -{parameter.Name}";
            Assert.True(TypeName(parameter.ParameterType) == metadata.Type, $"{where}: Type is {TypeName(parameter.ParameterType)}, not {metadata.Type}.");
            Assert.True(parameter.Aliases.Order().SequenceEqual(metadata.Aliases.Order()), $"{where}: Aliases are '{string.Join(", ", parameter.Aliases)}'.");
            var validSet = parameter.Attributes.OfType<ValidateSetAttribute>().SingleOrDefault()?.ValidValues ?? [];
            Assert.True(validSet.SequenceEqual(metadata.AcceptedValues), $"{where}: Accepted values are '{string.Join(", ", validSet)}'.");

            var inAllSets = parameter.ParameterSets.ContainsKey(ParameterAttribute.AllParameterSets) || parameter.ParameterSets.Count == command.ParameterSets.Count;
            Assert.True(
                inAllSets ? metadata.AppliesToAllSets : parameter.ParameterSets.Keys.Order().SequenceEqual(metadata.ParameterSets.Order()),
                $"{where}: Parameter Sets should be {(inAllSets ? ParameterYaml.AllSets : string.Join(", ", parameter.ParameterSets.Keys))}.");

            var set = parameter.ParameterSets.Values.First();
            Assert.True(set.IsMandatory == metadata.Required, $"{where}: Required is {set.IsMandatory}.");
            Assert.True(Position(set) == metadata.Position, $"{where}: Position is {Position(set)}.");
            Assert.True(PipelineInput(set) == metadata.PipelineInput, $"{where}: Accept pipeline input is {PipelineInput(set)}.");
        }
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Syntax_section_shows_each_parameter_set_with_its_parameters(string cmdlet)
    {
        var command = CmdletParameters.Command(runspace.Shell, cmdlet);
        var markdown = ModuleHelp.Markdown(cmdlet);
        var shown = CmdletParameters.Public(runspace.Shell, cmdlet).Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);

        if (command.ParameterSets.Count == 1)
        {
            // platyPS writes no ### heading when there is one parameter set.
            Assert.Equal("", Assert.Single(markdown.Syntax).ParameterSetName);
        }
        else
        {
            Assert.Equal(
                command.ParameterSets.Select(s => (s.Name, s.IsDefault)).OrderBy(s => s.Name, StringComparer.Ordinal),
                markdown.Syntax.Select(s => (s.ParameterSetName, s.IsDefault)).OrderBy(s => s.ParameterSetName, StringComparer.Ordinal));
        }

        foreach (var syntax in markdown.Syntax)
        {
            var set = command.ParameterSets.Count == 1 ? command.ParameterSets[0] : command.ParameterSets.Single(s => s.Name == syntax.ParameterSetName);
            Assert.StartsWith(cmdlet + " ", syntax.Code, StringComparison.Ordinal);
            Assert.EndsWith("[<CommonParameters>]", syntax.Code, StringComparison.Ordinal);
            Assert.Equal(
                set.Parameters.Select(p => p.Name).Where(shown.Contains).Order(StringComparer.Ordinal),
                SyntaxParameter().Matches(syntax.Code).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Examples_are_numbered_and_each_has_powershell_code_then_an_explanation(string cmdlet)
    {
        var text = File.ReadAllText(ModuleHelp.MarkdownPath(cmdlet)).Replace("\r\n", "\n");
        var examples = ModuleHelp.Markdown(cmdlet).Examples;

        Assert.True(examples.Count >= 2, $"{cmdlet}.md has {examples.Count} example(s).");
        for (var i = 0; i < examples.Count; i++)
        {
            Assert.StartsWith($"Example {i + 1}: ", examples[i].Title, StringComparison.Ordinal);
            Assert.Contains($"### {examples[i].Title}\n```powershell\n", text, StringComparison.Ordinal);
            Assert.NotEmpty(examples[i].Remarks);
        }
    }

    [Fact]
    public void About_topic_has_the_layout_platyPS_recognises_and_every_section()
    {
        var document = MarkdownBlocks.Parse("about_ToApis.md", File.ReadAllText(Path.Combine(ModuleHelp.DocsFolder, "about_ToApis.md")));
        var headings = document.Blocks.OfType<HeadingBlock>().ToList();

        // New-ExternalHelp treats a file as an about topic when its second heading starts with "about".
        Assert.Equal((1, "ToApis"), (headings[0].Level, headings[0].Text));
        Assert.Same(headings[1], document.Blocks[1]);
        Assert.Equal((2, "about_ToApis"), (headings[1].Level, headings[1].Text));
        Assert.Equal(
            ["SHORT DESCRIPTION", "LONG DESCRIPTION", "EXAMPLES", "NOTE", "TROUBLESHOOTING NOTE", "SEE ALSO", "KEYWORDS"],
            headings.Skip(2).Where(h => h.Level == 1).Select(h => h.Text));
        Assert.Equal(
            ["SESSIONS", "ENVIRONMENT VARIABLES", "RATE LIMITS", "POLLING CADENCE", "RESUMING SAFELY", "THE CSV PIPELINE", "RUNBOOKS AND SCHEDULERS", "ERROR IDS"],
            headings.Skip(2).Where(h => h.Level == 2).Select(h => h.Text));
    }

    [Fact]
    public void About_topic_explains_every_ErrorId_the_cmdlets_can_raise()
    {
        var about = File.ReadAllText(Path.Combine(ModuleHelp.DocsFolder, "about_ToApis.md"));
        var raised = Directory.GetFiles(Path.Combine(ModuleAssembly.RepoRoot(), "src", "ToApis.PowerShell"), "*.cs", SearchOption.AllDirectories)
            // ErrorIds belong to the PowerShell layer; the client core (Client/) only throws exceptions.
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                && !file.Contains($"{Path.DirectorySeparatorChar}Client{Path.DirectorySeparatorChar}"))
            .SelectMany(file => ErrorIdLiteral().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value))
            .Distinct()
            .ToList();

        Assert.Contains("ToApis.TaskFailed", raised);
        Assert.All(raised, id => Assert.True(Regex.IsMatch(about, $@"\n- ([^:\n]*, )?{Regex.Escape(id)}(, [^:\n]*)?:"), $"about_ToApis.md's ERROR IDS does not explain {id}."));
    }

    [Theory]
    [MemberData(nameof(MarkdownFiles))]
    public void Prose_avoids_markdown_that_platyPS_0_14_would_mangle(string file)
    {
        var problems = new List<string>();
        foreach (var (line, number) in ProseLines(Path.Combine(ModuleHelp.DocsFolder, file)))
        {
            // platyPS's parser (Markdown.MAML, Full mode) reads these as emphasis, hard breaks or links and drops characters.
            var withoutBold = Regex.Replace(line, @"\*\*(.+?)\*\*", "$1");
            if (Regex.IsMatch(withoutBold, @"\*(.+?)\*"))
            {
                problems.Add($"{number}: two single * on one line read as italics (put wildcards such as *.jpg in a code block)");
            }

            if (Regex.IsMatch(line, @"(?<![a-zA-Z0-9\\])_(.+?)_(?![a-zA-Z0-9])"))
            {
                problems.Add($"{number}: _text_ read as italics");
            }

            if (line.EndsWith("  ", StringComparison.Ordinal))
            {
                problems.Add($"{number}: two trailing spaces make a hard line break");
            }

            if (Regex.IsMatch(line, @"\]\([^)]*\).*\)"))
            {
                problems.Add($"{number}: text after a link holds a ')': platyPS takes the link's URL up to the last ')'");
            }

            if (line.Contains('\u2013'))
            {
                problems.Add($"{number}: platyPS turns the en dash into a hyphen; write a hyphen");
            }
        }

        Assert.True(problems.Count == 0, $"{file}:\n" + string.Join("\n", problems));
    }

    /// <summary>Lines outside the front matter and code blocks, with their 1-based numbers.</summary>
    private static IEnumerable<(string Line, int Number)> ProseLines(string path)
    {
        var lines = File.ReadAllLines(path);
        var inCode = false;
        var inFrontMatter = lines.Length > 0 && lines[0] == "---";
        for (var i = inFrontMatter ? 1 : 0; i < lines.Length; i++)
        {
            if (inFrontMatter)
            {
                inFrontMatter = lines[i] != "---";
                continue;
            }

            if (lines[i].StartsWith("```", StringComparison.Ordinal))
            {
                inCode = !inCode;
                continue;
            }

            if (!inCode)
            {
                yield return (lines[i], i + 1);
            }
        }
    }

    /// <summary>platyPS's short type names: Nullable&lt;T&gt; as T, arrays as Name[].</summary>
    private static string TypeName(Type type) =>
        Nullable.GetUnderlyingType(type) is { } inner ? inner.Name : type.IsGenericType ? type.ToString() : type.Name;

    private static string Position(ParameterSetMetadata set) =>
        set.Position == int.MinValue ? "Named" : set.Position.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string PipelineInput(ParameterSetMetadata set) => (set.ValueFromPipeline, set.ValueFromPipelineByPropertyName) switch
    {
        (true, true) => "True (ByPropertyName, ByValue)",
        (true, false) => "True (ByValue)",
        (false, true) => "True (ByPropertyName)",
        _ => "False",
    };

    [GeneratedRegex(@"(?<=[\s\[])-([A-Za-z]\w*)")]
    private static partial Regex SyntaxParameter();

    [GeneratedRegex(@"""(ToApis\.[A-Z][A-Za-z]+)""")]
    private static partial Regex ErrorIdLiteral();
}
