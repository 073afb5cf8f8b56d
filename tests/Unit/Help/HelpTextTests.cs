using ToApis.HelpBuilder;
using Xunit;

namespace ToApis.Tests.Help;

/// <summary>Markdown prose to MAML paragraphs, by the rules platyPS applies.</summary>
public sealed class HelpTextTests
{
    [Fact]
    public void Lines_of_a_paragraph_are_joined_and_blank_lines_separate_paragraphs()
    {
        Assert.Equal(
            ["First line goes on here.", "Second paragraph."],
            HelpText.Paragraphs(["First line", "goes on here.", "", "", "Second paragraph."]));
    }

    [Fact]
    public void List_items_keep_a_paragraph_each()
    {
        Assert.Equal(
            ["Downloads are safe:", "- one", "- two", "After the list."],
            HelpText.Paragraphs(["Downloads are safe:", "", "- one", "- two", "After the list."]));
    }

    [Fact]
    public void Links_become_text_and_url_and_bold_loses_its_stars()
    {
        Assert.Equal(
            "The New-ToApisImage cmdlet, see about_CommonParameters (http://go.microsoft.com/fwlink/?LinkID=113216).",
            HelpText.Inline("The **New-ToApisImage** cmdlet, see [about_CommonParameters](http://go.microsoft.com/fwlink/?LinkID=113216)."));
        Assert.Equal("See Get-ToApisTask.", HelpText.Inline("See [Get-ToApisTask]()."));
    }

    [Fact]
    public void Markdown_escapes_are_undone_and_code_and_tokens_stay_as_written()
    {
        Assert.Equal("[-Path] <String> a_b `code` {Name}", HelpText.Inline(@"\[-Path\] \<String\> a\_b `code` {Name}"));
    }
}
