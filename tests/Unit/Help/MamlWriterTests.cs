using System.Xml.Linq;
using ToApis.HelpBuilder;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Help;

/// <summary>The MAML the converter writes: the elements and namespaces Get-Help reads, in platyPS's shape.</summary>
public sealed class MamlWriterTests
{
    private static readonly XNamespace Msh = "http://msh";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    private static XElement Maml_of(string cmdlet) =>
        MamlWriter.ToMaml([ModuleHelp.Markdown(cmdlet)]).Root!.Element(Command + "command")!;

    [Fact]
    public void Command_has_the_sections_get_help_reads_in_order()
    {
        var root = MamlWriter.ToMaml([ModuleHelp.Markdown("Get-ToApisTask")]).Root!;
        Assert.Equal(Msh + "helpItems", root.Name);
        Assert.Equal("maml", root.Attribute("schema")?.Value);

        var command = root.Element(Command + "command")!;
        Assert.Equal(
            [Command + "details", Maml + "description", Command + "syntax", Command + "parameters", Command + "inputTypes",
             Command + "returnValues", Maml + "alertSet", Command + "examples", Command + "relatedLinks"],
            command.Elements().Select(e => e.Name));
        var details = command.Element(Command + "details")!;
        Assert.Equal(["Get-ToApisTask", "Get", "ToApisTask"], details.Elements().Take(3).Select(e => e.Value));
    }

    [Fact]
    public void Syntax_has_one_item_per_parameter_set_default_first()
    {
        var items = Maml_of("Get-ToApisTask").Element(Command + "syntax")!.Elements(Command + "syntaxItem").ToList();

        Assert.Equal(2, items.Count);
        Assert.Equal(["Task", "Session"], items[0].Elements(Command + "parameter").Select(p => p.Element(Maml + "name")!.Value));
        Assert.Equal(["Id", "Session"], items[1].Elements(Command + "parameter").Select(p => p.Element(Maml + "name")!.Value));
    }

    [Fact]
    public void Parameters_carry_their_metadata_as_attributes()
    {
        var id = Maml_of("Get-ToApisTask").Element(Command + "parameters")!.Elements(Command + "parameter")
            .Single(p => p.Element(Maml + "name")!.Value == "Id");

        Assert.Equal("true", id.Attribute("required")?.Value);
        Assert.Equal("0", id.Attribute("position")?.Value);
        Assert.Equal("True (ByPropertyName, ByValue)", id.Attribute("pipelineInput")?.Value);
        Assert.Equal("TaskId, task_id", id.Attribute("aliases")?.Value);
        Assert.Equal("String[]", id.Element(Command + "parameterValue")?.Value);
        Assert.Equal("String[]", id.Element(Dev + "type")?.Element(Maml + "name")?.Value);
        Assert.NotEmpty(id.Element(Maml + "description")!.Elements(Maml + "para"));
    }

    [Fact]
    public void Accepted_values_appear_in_the_syntax_and_switches_have_no_value_there()
    {
        var syntax = Maml_of("New-ToApisImage").Element(Command + "syntax")!.Element(Command + "syntaxItem")!;
        XElement Parameter(string name) => syntax.Elements(Command + "parameter").Single(p => p.Element(Maml + "name")!.Value == name);

        Assert.Equal(
            ["image/png", "image/jpeg", "image/webp"],
            Parameter("OutputMimeType").Element(Command + "parameterValueGroup")!.Elements(Command + "parameterValue").Select(v => v.Value));
        Assert.Null(Parameter("WhatIf").Element(Command + "parameterValue"));
        Assert.Equal("False", Parameter("WhatIf").Element(Dev + "defaultValue")?.Value);
    }

    [Fact]
    public void Examples_have_a_padded_title_code_and_remarks()
    {
        var example = Maml_of("New-ToApisImage").Element(Command + "examples")!.Elements(Command + "example").First();

        Assert.Equal("---------- Example 1: Generate one image and save it ----------", example.Element(Maml + "title")?.Value);
        Assert.StartsWith("New-ToApisImage 'A lighthouse", example.Element(Dev + "code")?.Value, StringComparison.Ordinal);
        Assert.NotEmpty(example.Element(Dev + "remarks")!.Elements(Maml + "para"));
    }

    [Fact]
    public void Relative_related_links_keep_their_text_without_a_uri()
    {
        var link = Maml_of("Get-ToApisTask").Element(Command + "relatedLinks")!.Elements(Maml + "navigationLink").First();

        Assert.Equal("Wait-ToApisTask", link.Element(Maml + "linkText")?.Value);
        Assert.Equal("", link.Element(Maml + "uri")?.Value);
    }

    [Theory]
    [InlineData("Example 1: Short", 23)]
    [InlineData("Example 10: Long enough to take an odd number of dashes", 3)]
    [InlineData("", 0)]
    public void Titles_are_centred_in_dashes_like_platyPS(string title, int dashes)
    {
        var padded = MamlWriter.PadTitle(title);

        Assert.Equal(title.Length == 0 ? "" : $"{new string('-', dashes)} {title} {new string('-', dashes)}", padded);
        Assert.InRange(padded.Length, title.Length == 0 ? 0 : 63, 64);
    }

    [Fact]
    public void Build_writes_the_maml_and_the_about_topics_and_stops_at_a_schema_error()
    {
        using var temp = new TempFolder();
        var docs = Path.Combine(temp.Path, "docs");
        Directory.CreateDirectory(docs);
        foreach (var file in Directory.GetFiles(ModuleHelp.DocsFolder, "*.md"))
        {
            File.Copy(file, Path.Combine(docs, Path.GetFileName(file)));
        }

        var output = Path.Combine(temp.Path, "en-US");
        var written = HelpBuild.Run(docs, output);

        Assert.Equal(["ToApis.PowerShell.dll-Help.xml", "about_ToApis.help.txt"], written.Select(Path.GetFileName));
        Assert.Equal(ModuleHelp.ExportedCmdlets.Count, XDocument.Load(written[0]).Root!.Elements(Command + "command").Count());
        Assert.Equal(AboutTopicWriter.Render(MarkdownBlocks.Parse("about_ToApis.md", File.ReadAllText(Path.Combine(docs, "about_ToApis.md")))), File.ReadAllText(written[1]));

        File.AppendAllText(Path.Combine(docs, "Get-ToApisTask.md"), "\n## EXTRA\n");
        var error = Assert.Throws<HelpSchemaException>(() => HelpBuild.Run(docs, output));
        Assert.EndsWith("Get-ToApisTask.md", error.Path, StringComparison.Ordinal);
    }
}
