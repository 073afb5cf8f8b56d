using System.Text.RegularExpressions;
using ToApis.Client.Gallery;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Gallery;

/// <summary>The gallery page as text: CSV values escaped everywhere, nothing fetched from the network, links that work from disk.</summary>
public sealed class GalleryHtmlTests : IDisposable
{
    private const string HostileName = "<img src=x onerror=\"window.__xss=1\">";
    private const string HostilePrompt = "</p><script>window.__xss=2</script> a cat & a 'dog'";

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Render(params GalleryCard[] cards) =>
        new GalleryPage { Title = "<b>Run</b>", Cards = cards }.Render(_temp.Path);

    [Fact]
    public void Names_prompts_and_errors_from_a_csv_are_escaped_as_text()
    {
        var image = _temp.Write("fox.png", SampleImages.Png);
        var done = new GalleryCard { Name = HostileName, Prompt = HostilePrompt, Model = "m\"odel", Size = "1:1", TaskId = "t<1>" };
        done.Files.Add(image);
        var failed = new GalleryCard
        {
            Name = "bad", State = CardState.Failed, ErrorId = "ToApis.TaskFailed",
            ErrorMessage = "<script>window.__xss=3</script>", RecommendedAction = "Use \"quotes\" & <tags>",
        };

        var html = Render(done, failed);

        Assert.Single(Regex.Matches(html, "<script", RegexOptions.IgnoreCase));
        Assert.DoesNotContain("<img src=x", html);
        Assert.DoesNotContain("onerror=\"", html);
        Assert.DoesNotContain("</p><script>", html);
        Assert.Contains("&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt;", html);
        Assert.Contains("&lt;/p&gt;&lt;script&gt;window.__xss=2&lt;/script&gt; a cat &amp; a &#39;dog&#39;", html);
        Assert.Contains("&lt;script&gt;window.__xss=3&lt;/script&gt;", html);
        Assert.Contains("Use &quot;quotes&quot; &amp; &lt;tags&gt;", html);
        Assert.Contains("m&quot;odel", html);
        Assert.Contains("t&lt;1&gt;", html);
        Assert.Contains("<title>&lt;b&gt;Run&lt;/b&gt;</title>", html);
    }

    [Theory]
    [InlineData("<>&\"'", "&lt;&gt;&amp;&quot;&#39;")]
    [InlineData("plain text", "plain text")]
    [InlineData("line\nbreak\ttab", "line\nbreak\ttab")]
    [InlineData("bell\u0007and\u0000nul", "bellandnul")]
    [InlineData("日本語 ünïcödé", "日本語 ünïcödé")]
    public void Encode_escapes_markup_and_drops_control_characters(string text, string expected) =>
        Assert.Equal(expected, Html.Encode(text));

    [Fact]
    public void The_page_loads_nothing_from_the_network_and_allows_only_its_own_script()
    {
        var html = Render(new GalleryCard { Name = "a" });

        Assert.DoesNotMatch(@"(src|href)=""(https?:)?//", html);
        Assert.DoesNotContain("@import", html);
        Assert.DoesNotContain("url(", html);
        var policy = Regex.Match(html, "http-equiv=\"Content-Security-Policy\" content=\"([^\"]+)\"").Groups[1].Value;
        Assert.Contains("default-src 'none'", policy);
        Assert.Matches("script-src 'sha256-[A-Za-z0-9+/=]+'", policy);
        Assert.DoesNotContain("unsafe-inline", policy);
    }

    [Fact]
    public void Image_links_are_relative_to_the_page_and_percent_encoded()
    {
        var page = Path.Combine(_temp.Path, "site");
        Assert.Equal("fox.png", Html.RelativeLink(_temp.Path, Path.Combine(_temp.Path, "fox.png")));
        Assert.Equal("out/a%20b%20%232.png", Html.RelativeLink(_temp.Path, Path.Combine(_temp.Path, "out", "a b #2.png")));
        Assert.Equal("../out/fox%20%282%29.png", Html.RelativeLink(page, Path.Combine(_temp.Path, "out", "fox (2).png")));
        Assert.Equal("../out/%22%3E%3Cx.png", Html.RelativeLink(page, Path.Combine(_temp.Path, "out", "\"><x.png")));
    }

    [Fact]
    public void Failures_get_their_error_and_what_to_do_and_a_missing_file_no_broken_image()
    {
        var gone = new GalleryCard { Name = "gone" };
        gone.Files.Add(Path.Combine(_temp.Path, "deleted.png"));
        var failed = new GalleryCard { Name = "bad", State = CardState.Failed, ErrorId = "ToApis.InvalidParameter", ErrorMessage = "Size is not a ratio.", RecommendedAction = "Correct the Size." };

        var html = Render(gone, failed);

        Assert.DoesNotContain("<img", html);
        Assert.Contains("File missing", html);
        Assert.Contains("class=\"card failed\"", html);
        Assert.Contains("Size is not a ratio.", html);
        Assert.Contains("<b>What to do:</b> Correct the Size.", html);
        Assert.Contains("Only failures (1)", html);
    }
}
