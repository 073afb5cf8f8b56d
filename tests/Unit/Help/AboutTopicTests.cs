using System.Text.RegularExpressions;
using ToApis.HelpBuilder;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Help;

/// <summary>The about topics the build ships: plain about text as platyPS lays it out, with no markdown left.</summary>
public sealed partial class AboutTopicTests
{
    private static readonly string EnUs = Path.Combine(ModuleAssembly.ModuleFolder, "en-US");

    public static TheoryData<string> Topics() =>
        new(Directory.GetFiles(ModuleHelp.DocsFolder, "about_*.md").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(Topics))]
    public void Built_topic_opens_like_platyPS_and_has_no_markdown_left(string topic)
    {
        var lines = BuiltLines(topic);

        Assert.Equal(["TOPIC", "    " + topic, "", "SHORT DESCRIPTION"], lines.Take(4));
        Assert.Contains("LONG DESCRIPTION", lines);
        Assert.All(lines, line =>
        {
            Assert.False(line.StartsWith('#'), $"A markdown heading is left: '{line}'");
            Assert.False(line.TrimStart().StartsWith("```", StringComparison.Ordinal), $"A code fence is left: '{line}'");
            Assert.DoesNotContain("**", line, StringComparison.Ordinal);
            Assert.False(MarkdownLink().IsMatch(line), $"A markdown link is left: '{line}'");
            Assert.False(MarkdownEscape().IsMatch(line), $"A markdown escape is left: '{line}'");
        });
    }

    [Theory]
    [MemberData(nameof(Topics))]
    public void Built_topic_fits_80_columns_except_code_lines_that_cannot_be_broken(string topic)
    {
        var source = MarkdownBlocks.Parse(topic, File.ReadAllText(Path.Combine(ModuleHelp.DocsFolder, topic + ".md")));
        var codeLines = source.Blocks.OfType<CodeBlock>().SelectMany(code => code.Code.Split('\n')).Select(line => line.Trim()).ToHashSet();

        var tooWide = BuiltLines(topic).Where(line => line.Length > AboutTopicWriter.Width).ToList();

        Assert.All(tooWide, line => Assert.Contains(line.Trim(), codeLines));
        Assert.All(tooWide, line => Assert.DoesNotContain("| ", line.Substring(0, AboutTopicWriter.Width), StringComparison.Ordinal));
    }

    [Fact]
    public void Prose_is_wrapped_and_indented_list_items_hang_and_inline_markdown_becomes_text()
    {
        const string markdown = """
            # ToApis
            ## about_Sample

            # SHORT DESCRIPTION
            A `short` **one**.

            # LONG DESCRIPTION
            One paragraph that is long enough to need wrapping at eighty columns, with a [link](https://example.com/x) and \[brackets\].
            - An item that is long enough to wrap onto a second line, which hangs under the text of the item.
            - A second item.

            ## A SUBTOPIC
            ```powershell
            Import-Csv ./prompts.csv | New-ToApisImage | Wait-ToApisTask | Save-ToApisImage -Path ./out -FileName '{Name}'
            ```
            """;

        var text = AboutTopicWriter.Render(MarkdownBlocks.Parse("about_Sample.md", markdown));

        Assert.Equal(
            """
            TOPIC
                about_Sample

            SHORT DESCRIPTION
                A short one.

            LONG DESCRIPTION
                One paragraph that is long enough to need wrapping at eighty columns, with a
                link (https://example.com/x) and [brackets].
                - An item that is long enough to wrap onto a second line, which hangs under
                  the text of the item.
                - A second item.

            A SUBTOPIC
                Import-Csv ./prompts.csv | New-ToApisImage | Wait-ToApisTask |
                    Save-ToApisImage -Path ./out -FileName '{Name}'

            """.ReplaceLineEndings("\n"),
            text);
    }

    [Theory]
    [InlineData("Get-Item 'a | b' | Select-Object Name", 20, new[] { "Get-Item 'a | b' |", "    Select-Object Name" })]
    [InlineData("Get-Item x # a | b | c", 10, new[] { "Get-Item x # a | b | c" })]
    [InlineData("Connect-ToApis -BaseUri http://127.0.0.1:5080", 20, new[] { "Connect-ToApis -BaseUri http://127.0.0.1:5080" })]
    public void Long_code_lines_break_only_after_a_pipe_outside_quotes_and_comments(string line, int width, string[] expected) =>
        Assert.Equal(expected, AboutTopicWriter.BreakPipeline(line, width));

    [Fact]
    public void A_topic_without_its_two_opening_headings_is_a_schema_error()
    {
        var error = Assert.Throws<HelpSchemaException>(() => AboutTopicWriter.Render(MarkdownBlocks.Parse("about_X.md", "# SHORT DESCRIPTION\nText.\n")));

        Assert.Equal("about_X.md", error.Path);
    }

    private static IReadOnlyList<string> BuiltLines(string topic)
    {
        var path = Path.Combine(EnUs, topic + ".help.txt");
        Assert.True(File.Exists(path), $"{path} was not built.");
        return File.ReadAllText(path).ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
    }

    [GeneratedRegex(@"\[[^\]]+\]\([^)]*\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"\\[\[\]()`<>_*\\]")]
    private static partial Regex MarkdownEscape();
}
