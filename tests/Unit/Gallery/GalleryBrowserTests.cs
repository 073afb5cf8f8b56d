using System.Collections;
using System.Text.Json;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Gallery;

/// <summary>The gallery of a 20-row run with failures, opened from disk in a real headless Chromium.</summary>
public sealed class GalleryBrowserTests : IDisposable
{
    /// <summary>Waits for every image (scrolling lazy ones into view), then reports which loaded.</summary>
    private const string ImagesLoaded = """
        (async () => {
          const images = [...document.images];
          for (const image of images) {
            image.scrollIntoView();
            if (!image.complete) {
              await new Promise(done => { image.addEventListener('load', done, { once: true }); image.addEventListener('error', done, { once: true }); });
            }
          }
          window.scrollTo(0, 0);
          return images.map(image => ({ src: image.getAttribute('src'), loaded: image.naturalWidth > 0 }));
        })()
        """;

    /// <summary>The cards a person sees now, by their state.</summary>
    private const string VisibleCards = """
        [...document.querySelectorAll('.card')].filter(card => getComputedStyle(card).display !== 'none').map(card => card.dataset.state)
        """;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private async Task<string> GalleryOfTheSampleRunAsync()
    {
        await using var service = await EmulatedService.StartAsync();
        var journal = Path.Combine(_temp.Path, "run.jsonl");
        service.Run(SampleRun.Script(journal, Path.Combine(_temp.Path, "out")));
        var page = Path.Combine(_temp.Path, "gallery.html");
        var result = service.Run("param($Journal, $Page) Export-ToApisGallery -Journal $Journal -Path $Page", new Hashtable { ["Journal"] = journal, ["Page"] = page });
        Assert.Empty(result.Errors);
        return new Uri(page).AbsoluteUri;
    }

    [BrowserFact]
    public async Task Every_image_loads_from_disk_and_the_switch_shows_only_the_failures()
    {
        var url = await GalleryOfTheSampleRunAsync();
        await using var browser = await HeadlessChromium.StartAsync();
        var page = await browser.OpenAsync(url);

        var images = (await page.EvaluateAsync(ImagesLoaded)).EnumerateArray().ToList();
        Assert.Equal(SampleRun.Rows - SampleRun.FailingNames.Length, images.Count);
        Assert.All(images, image => Assert.True(image.GetProperty("loaded").GetBoolean(), "not loaded: " + image.GetProperty("src")));
        Assert.All(images, image => Assert.StartsWith("out/", image.GetProperty("src").GetString()));

        Assert.Equal(SampleRun.Rows, States(await page.EvaluateAsync(VisibleCards)).Count);
        await page.EvaluateAsync("document.querySelector('label[for=only-failed]').click()");
        Assert.Equal(Enumerable.Repeat("failed", 4), States(await page.EvaluateAsync(VisibleCards)));
        Assert.Equal(SampleRun.FailingNames, Strings(await page.EvaluateAsync("[...document.querySelectorAll('.card.failed .name')].map(n => n.textContent)")));
        Assert.Equal("Showing 4 of 20 rows", (await page.EvaluateAsync("document.getElementById('showing').textContent")).GetString());

        await page.EvaluateAsync("document.querySelector('label[for=only-failed]').click()");
        Assert.Equal(SampleRun.Rows, States(await page.EvaluateAsync(VisibleCards)).Count);
    }

    [BrowserFact]
    public async Task Failed_rows_show_their_error_and_what_to_do()
    {
        var url = await GalleryOfTheSampleRunAsync();
        await using var browser = await HeadlessChromium.StartAsync();
        var page = await browser.OpenAsync(url);

        var failures = (await page.EvaluateAsync("""
            [...document.querySelectorAll('.card.failed')].map(card => ({
              id: card.querySelector('.thumb .label').textContent,
              error: card.querySelector('.error')?.textContent ?? '',
              action: card.querySelector('.action')?.textContent ?? '' }))
            """)).EnumerateArray().ToList();

        Assert.Equal(
            ["ToApis.TaskFailed", "ToApis.InvalidRequest", "ToApis.ContentPolicyViolation", "ToApis.TaskFailed"],
            failures.Select(f => f.GetProperty("id").GetString()));
        Assert.All(failures, f => Assert.NotEqual("", f.GetProperty("error").GetString()));
        Assert.All(failures, f => Assert.StartsWith("What to do: ", f.GetProperty("action").GetString()));
        Assert.Contains("1920x1080", failures[1].GetProperty("error").GetString());
    }

    [BrowserFact]
    public async Task Markup_in_a_csv_row_shows_as_text_and_never_runs()
    {
        var url = await GalleryOfTheSampleRunAsync();
        await using var browser = await HeadlessChromium.StartAsync();
        var page = await browser.OpenAsync(url);

        Assert.Equal(JsonValueKind.Null, (await page.EvaluateAsync("window.__xss ?? null")).ValueKind);
        Assert.Equal(1, (await page.EvaluateAsync("document.scripts.length")).GetInt32());
        Assert.Equal(SampleRun.HostileName, (await page.EvaluateAsync("document.querySelector('.card[data-row=\"20\"] .name').textContent")).GetString());
        Assert.Equal(SampleRun.HostilePrompt, (await page.EvaluateAsync("document.querySelector('.card[data-row=\"20\"] .prompt').textContent")).GetString());
    }

    [BrowserFact]
    public async Task The_failure_filter_works_with_scripts_turned_off()
    {
        var url = await GalleryOfTheSampleRunAsync();
        await using var browser = await HeadlessChromium.StartAsync();
        var page = await browser.OpenAsync(url, scriptsDisabled: true);

        // The page's own script did not run: the count is still the one written into the page.
        Assert.Equal("20 rows", (await page.EvaluateAsync("document.getElementById('showing').textContent")).GetString());
        await page.EvaluateAsync("document.getElementById('only-failed').checked = true");
        Assert.Equal(Enumerable.Repeat("failed", 4), States(await page.EvaluateAsync(VisibleCards)));
    }

    private static List<string> States(JsonElement states) => Strings(states);

    private static List<string> Strings(JsonElement values) => values.EnumerateArray().Select(v => v.GetString()!).ToList();
}
