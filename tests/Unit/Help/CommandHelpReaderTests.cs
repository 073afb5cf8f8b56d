using ToApis.HelpBuilder;
using Xunit;

namespace ToApis.Tests.Help;

/// <summary>Reading one cmdlet's markdown by platyPS 0.14's schema 2.0.0, and refusing what platyPS would refuse or drop.</summary>
public sealed class CommandHelpReaderTests
{
    private const string FrontMatter = """
        ---
        external help file: Sample.dll-Help.xml
        Module Name: Sample
        online version:
        schema: 2.0.0
        ---

        """;

    private const string Sample = FrontMatter + """
        # Get-Sample

        ## SYNOPSIS
        Gets samples.

        ## SYNTAX

        ### ByName (Default)
        ```
        Get-Sample [-Name] <String> [-Kind <String>] [<CommonParameters>]
        ```

        ### ById
        ```
        Get-Sample -Id <Int32> [-Kind <String>] [<CommonParameters>]
        ```

        ## DESCRIPTION
        The **Get-Sample** cmdlet
        gets samples.

        It never writes.

        ## EXAMPLES

        ### Example 1: Get one
        ```powershell
        Get-Sample fox
        ```

        Gets the fox.

        ### Example 2: Get by id
        ```powershell
        Get-Sample -Id 3
        ```

        ## PARAMETERS

        ### -Id
        The id.

        ```yaml
        Type: Int32
        Parameter Sets: ById
        Aliases:

        Required: True
        Position: Named
        Default value: None
        Accept pipeline input: True (ByPropertyName)
        Accept wildcard characters: False
        ```

        ### -Kind
        The kind.

        ```yaml
        Type: String
        Parameter Sets: (All)
        Aliases: K
        Accepted values: a, b

        Required: False
        Position: Named
        Default value: a
        Accept pipeline input: False
        Accept wildcard characters: False
        ```

        ### -Name
        The name.

        ```yaml
        Type: String
        Parameter Sets: ByName
        Aliases:

        Required: True
        Position: 0
        Default value: None
        Accept pipeline input: True (ByValue)
        Accept wildcard characters: True
        ```

        ### CommonParameters
        This cmdlet supports the common parameters: -Debug, -ErrorAction, -ErrorVariable, -InformationAction, -InformationVariable, -OutVariable, -OutBuffer, -PipelineVariable, -Verbose, -WarningAction, and -WarningVariable. For more information, see [about_CommonParameters](http://go.microsoft.com/fwlink/?LinkID=113216).

        ## INPUTS

        ### System.String
        A name.

        ## OUTPUTS

        ### Sample.Item
        One item.

        ## NOTES
        None to speak of.

        ## RELATED LINKS

        [Set-Sample](Set-Sample.md)

        [Online](https://example.com/get-sample)
        """;

    [Fact]
    public void Reads_every_section_of_a_complete_file()
    {
        var help = CommandHelpReader.Read("Get-Sample.md", Sample);

        Assert.Equal("Get-Sample", help.Name);
        Assert.Equal(("Get", "Sample"), (help.Verb, help.Noun));
        Assert.Equal(["Gets samples."], help.Synopsis);
        Assert.Equal(["The Get-Sample cmdlet gets samples.", "It never writes."], help.Description);
        Assert.Equal([("ByName", true), ("ById", false)], help.Syntax.Select(s => (s.ParameterSetName, s.IsDefault)));
        Assert.Equal(["Example 1: Get one", "Example 2: Get by id"], help.Examples.Select(e => e.Title));
        Assert.Equal(["Get-Sample fox"], help.Examples[0].Code);
        Assert.Equal(["Gets the fox."], help.Examples[0].Remarks);
        Assert.Empty(help.Examples[1].Remarks);
        Assert.Equal(["Id", "Kind", "Name"], help.Parameters.Select(p => p.Name));
        Assert.True(help.SupportsCommonParameters);
        Assert.Equal(["System.String"], help.Inputs.Select(i => i.TypeName));
        Assert.Equal(["One item."], help.Outputs.Single().Description);
        Assert.Equal(["None to speak of."], help.Notes);
        Assert.Equal([new LinkHelp("Set-Sample", "Set-Sample.md"), new LinkHelp("Online", "https://example.com/get-sample")], help.Links);
    }

    [Fact]
    public void Reads_parameter_metadata_from_the_yaml_block()
    {
        var kind = CommandHelpReader.Read("Get-Sample.md", Sample).Parameters.Single(p => p.Name == "Kind");
        var metadata = Assert.Single(kind.Metadata);

        Assert.Equal(["The kind."], kind.Description);
        Assert.Equal("String", metadata.Type);
        Assert.True(metadata.AppliesToAllSets);
        Assert.Equal(["K"], metadata.Aliases);
        Assert.Equal(["a", "b"], metadata.AcceptedValues);
        Assert.False(metadata.Required);
        Assert.True(metadata.IsNamed);
        Assert.Equal("a", metadata.DefaultValue);
        Assert.Equal("False", metadata.PipelineInput);
        Assert.False(metadata.Globbing);
    }

    [Fact]
    public void Syntax_items_list_each_sets_parameters_positional_first()
    {
        var items = CommandHelpReader.Read("Get-Sample.md", Sample).SyntaxItems();

        Assert.Equal([["Name", "Kind"], ["Id", "Kind"]], items.Select(set => set.Select(p => p.Parameter.Name)));
    }

    [Fact]
    public void One_parameter_set_needs_no_heading()
    {
        var help = CommandHelpReader.Read("Get-One.md", FrontMatter + """
            # Get-One
            ## SYNTAX
            ```
            Get-One [<CommonParameters>]
            ```
            ## PARAMETERS
            ### CommonParameters
            Common.
            """);

        var set = Assert.Single(help.Syntax);
        Assert.Equal(("", true), (set.ParameterSetName, set.IsDefault));
        Assert.Empty(Assert.Single(help.SyntaxItems()));
    }

    [Theory]
    [InlineData("## DESCRIPTION\nText.\n```powershell\nGet-Sample\n```\n", 10, "this section takes no code blocks")]
    [InlineData("## EXAMPLE\nText.\n", 8, "Unknown section '## EXAMPLE'")]
    [InlineData("## EXAMPLES\n### Example 1: no code\nJust text.\n", 10, "has text before its code")]
    [InlineData("## EXAMPLES\n### Example 1: no code\n", 9, "needs a ```powershell code block")]
    [InlineData("## PARAMETERS\n### -Name\nThe name.\n", 9, "-Name needs a ```yaml block")]
    [InlineData("## PARAMETERS\n### -Name\n```yaml\nType: String\nMandatory: True\n```\n", 12, "Unknown key 'Mandatory'")]
    [InlineData("## PARAMETERS\n### -Name\n```yaml\nType: String\nPosition: first\n```\n", 10, "Position is a number or 'Named'")]
    [InlineData("## PARAMETERS\n### Name\n", 9, "Parameter headings are '### -Name'")]
    [InlineData("## RELATED LINKS\nGet-Other\n", 9, "only [text](url) links")]
    [InlineData("## SYNOPSIS\nOne.\n## SYNOPSIS\nTwo.\n", 10, "appears twice")]
    [InlineData("## SYNTAX\n### A\n```\nx\n```\n### B\n```\ny\n```\n", 8, "must end with '(Default)'")]
    [InlineData("## SYNTAX\n### A (Default)\n```\nx\n```\n## PARAMETERS\n### -P\n```yaml\nParameter Sets: B\n```\n", 10, "names the parameter sets [A] but the parameters' yaml names [B]")]
    public void Refuses_what_platyPS_would_refuse_or_drop_with_the_line(string body, int line, string message)
    {
        var error = Assert.Throws<HelpSchemaException>(() => CommandHelpReader.Read("Get-Bad.md", FrontMatter + "# Get-Bad\n" + body));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(line, error.Line);
        Assert.StartsWith($"Get-Bad.md({line}): error TOAPISHELP: ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_a_file_without_the_schema_2_front_matter()
    {
        var error = Assert.Throws<HelpSchemaException>(() => CommandHelpReader.Read("Get-Bad.md", "# Get-Bad\n## SYNOPSIS\nText.\n"));

        Assert.Contains("schema: 2.0.0", error.Message, StringComparison.Ordinal);
    }
}
