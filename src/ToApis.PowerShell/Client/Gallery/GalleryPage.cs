using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using ToApis.Models;

namespace ToApis.Client.Gallery;

/// <summary>
/// One self-contained HTML page of a run: counts at the top, a card per row (thumbnail, name, prompt, model,
/// size, task id; or the error and what to do), and a control that shows only the failures. It needs no
/// network: styles and script are inline, images are linked relative to the page. Every value is escaped, and
/// a Content-Security-Policy admits only the page's own script and style (by hash), so even a value that got
/// through unescaped could not run.
/// </summary>
internal sealed class GalleryPage
{
    public string Title { get; set; } = "ToApis run";

    /// <summary>The run the cards come from, for the counts only a journal knows (duration, pace, credits).</summary>
    public ToApisRun? Run { get; set; }

    public IReadOnlyList<GalleryCard> Cards { get; set; } = Array.Empty<GalleryCard>();

    public DateTimeOffset Generated { get; set; } = TimeProvider.System.GetUtcNow();

    /// <summary>The first cards load at once (what a screen shows first); the rest as they scroll into view.</summary>
    private const int EagerCards = 24;

    /// <summary>The page for a file in <paramref name="pageFolder"/> (image links are relative to it).</summary>
    public string Render(string pageFolder)
    {
        var failed = Cards.Count(card => card.State == CardState.Failed);
        var html = new StringBuilder(4096 + Cards.Count * 700);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src 'self' file: data:; ")
            .Append("style-src '").Append(Sha256(Style)).Append("'; script-src '").Append(Sha256(Script))
            .Append("'; base-uri 'none'; form-action 'none'\">\n")
            .Append("<meta name=\"generator\" content=\"ToApis Export-ToApisGallery\">\n")
            .Append("<title>").Append(Html.Encode(Title)).Append("</title>\n")
            .Append("<style>").Append(Style).Append("</style>\n</head>\n<body>\n");
        AppendHeader(html, failed);
        html.Append("<input type=\"checkbox\" id=\"only-failed\" class=\"toggle-input\"").Append(failed == 0 ? " disabled" : "").Append(">\n")
            .Append("<div class=\"toolbar\"><label for=\"only-failed\" class=\"toggle\"><span class=\"knob\"></span>")
            .Append(failed == 0 ? "No failures" : $"Only failures ({failed})").Append("</label>")
            .Append("<span id=\"showing\" class=\"showing\">").Append(Count(Cards.Count, "row")).Append("</span></div>\n")
            .Append("<main class=\"grid\">\n");
        for (var index = 0; index < Cards.Count; index++)
        {
            AppendCard(html, Cards[index], pageFolder, lazy: index >= EagerCards);
        }

        html.Append("</main>\n<footer>Made by Export-ToApisGallery. A page on its own: images are linked beside it, nothing is loaded from the network.</footer>\n")
            .Append("<script>").Append(Script).Append("</script>\n</body>\n</html>\n");
        return html.ToString();
    }

    private void AppendHeader(StringBuilder html, int failed)
    {
        var done = Cards.Count(card => card.State == CardState.Done);
        var pending = Cards.Count(card => card.State == CardState.Pending);
        var images = Cards.Sum(card => card.Files.Count);
        html.Append("<header class=\"top\">\n<h1>").Append(Html.Encode(Title)).Append("</h1>\n<p class=\"sub\">");
        if (Run is { Started: { } started })
        {
            html.Append("Run started ").Append(Html.Encode(Time(started))).Append(" &middot; ");
        }

        html.Append("page made ").Append(Html.Encode(Time(Generated))).Append("</p>\n<ul class=\"stats\">\n");
        Stat(html, "", Cards.Count.ToString(CultureInfo.InvariantCulture), Count(Cards.Count, "row", withNumber: false));
        Stat(html, "ok", done.ToString(CultureInfo.InvariantCulture), DoneWord());
        Stat(html, failed > 0 ? "bad" : "", failed.ToString(CultureInfo.InvariantCulture), "failed");
        Stat(html, pending > 0 ? "wait" : "", pending.ToString(CultureInfo.InvariantCulture), "pending");
        Stat(html, "", images.ToString(CultureInfo.InvariantCulture), Count(images, "image", withNumber: false));
        if (Run?.Cost is { } cost)
        {
            // The key's balance is the key's: the label says that any other use of it during the run is counted too.
            var money = cost.MoneyUsed is { } spent ? $" (${spent.ToString("0.00##", CultureInfo.InvariantCulture)})" : "";
            Stat(html, "", ToApisRunCost.Number(cost.CreditsUsed), $"credits{money} used by the key during the run, any other use of it included");
        }

        if (Run?.Duration is { } duration)
        {
            Stat(html, "", ToApisRun.FormatDuration(duration), "duration");
        }

        if (Run?.ImagesPerMinute is { } pace)
        {
            Stat(html, "", pace.ToString("0.#", CultureInfo.InvariantCulture), "per minute");
        }

        html.Append("</ul>\n");
        var errors = Cards.Where(card => card.State == CardState.Failed)
            .GroupBy(card => card.ErrorId ?? "error")
            .OrderByDescending(group => group.Count()).ThenBy(group => group.Key, StringComparer.Ordinal)
            .Select(group => $"<span>{Html.Encode(group.Key)} <b>{group.Count()}</b></span>")
            .ToList();
        if (errors.Count > 0)
        {
            html.Append("<p class=\"errors\">").Append(string.Join(" ", errors)).Append("</p>\n");
        }

        html.Append("</header>\n");
    }

    private string DoneWord() => Run?.LastStep switch
    {
        RunSteps.Wait => "completed",
        RunSteps.Submit => "submitted",
        _ => "saved",
    };

    private static void Stat(StringBuilder html, string kind, string value, string label) =>
        html.Append("<li class=\"stat ").Append(kind).Append("\"><b>").Append(Html.Encode(value)).Append("</b>")
            .Append(Html.Encode(label)).Append("</li>\n");

    private static void AppendCard(StringBuilder html, GalleryCard card, string pageFolder, bool lazy)
    {
        var state = card.State.ToString().ToLowerInvariant();
        html.Append("<article class=\"card ").Append(state).Append("\" data-state=\"").Append(state).Append("\"");
        if (card.RowNumber is { } number)
        {
            html.Append(" data-row=\"").Append(number.ToString(CultureInfo.InvariantCulture)).Append("\"");
        }

        html.Append(">\n");
        var present = card.Files.Where(File.Exists).ToList();
        if (card.State != CardState.Failed && present.Count > 0)
        {
            AppendImages(html, card.Name, present.Select(file => Html.RelativeLink(pageFolder, file)).ToList(), lazy);
        }
        else
        {
            AppendPanel(html, card);
        }

        html.Append("<div class=\"body\">\n<h2 class=\"name\" title=\"").Append(Html.Encode(card.Name)).Append("\">")
            .Append(Html.Encode(card.Name)).Append("</h2>\n");
        if (card.Prompt is { } prompt)
        {
            html.Append("<p class=\"prompt\" title=\"").Append(Html.Encode(prompt)).Append("\">").Append(Html.Encode(prompt)).Append("</p>\n");
        }

        var meta = new[] { card.Size, card.Model }.Where(value => !string.IsNullOrEmpty(value)).Select(value => $"<span>{Html.Encode(value)}</span>").ToList();
        if (meta.Count > 0)
        {
            html.Append("<p class=\"meta\">").Append(string.Join("", meta)).Append("</p>\n");
        }

        if (card.TaskId is { } taskId)
        {
            html.Append("<p class=\"task\" title=\"").Append(Html.Encode(taskId)).Append("\">").Append(Html.Encode(taskId)).Append("</p>\n");
        }

        if (card.State != CardState.Failed && card.ErrorMessage is { } note)
        {
            html.Append("<p class=\"note\">").Append(Html.Encode(note)).Append("</p>\n");
        }

        html.Append("</div>\n</article>\n");
    }

    /// <summary>The first image as the thumbnail, the others (a task with several) in a strip below it.</summary>
    private static void AppendImages(StringBuilder html, string name, IReadOnlyList<string> links, bool lazy)
    {
        var alt = Html.Encode(name);
        var loading = lazy ? " loading=\"lazy\" decoding=\"async\"" : "";
        var first = Html.Encode(links[0]);
        html.Append("<a class=\"thumb\" href=\"").Append(first).Append("\"><img src=\"").Append(first)
            .Append("\" alt=\"").Append(alt).Append('"').Append(loading).Append("></a>\n");
        if (links.Count > 1)
        {
            html.Append("<div class=\"strip\">");
            foreach (var link in links.Skip(1).Select(Html.Encode))
            {
                html.Append("<a href=\"").Append(link).Append("\"><img src=\"").Append(link).Append("\" alt=\"").Append(alt).Append('"')
                    .Append(loading).Append("></a>");
            }

            html.Append("</div>\n");
        }
    }

    /// <summary>Where the image would be: the error and what to do for a failed row, else why there is no image.</summary>
    private static void AppendPanel(StringBuilder html, GalleryCard card)
    {
        var (mark, label) = card.State switch
        {
            CardState.Failed => ("&#x2715;", card.ErrorId ?? "Failed"),
            CardState.Pending => ("&#x231B;", "Pending"),
            _ => ("&#x25A1;", card.Files.Count > 0 ? "File missing" : "Not saved"),
        };
        html.Append("<div class=\"thumb empty\"><div class=\"head\"><span class=\"mark\">").Append(mark).Append("</span><span class=\"label\">")
            .Append(Html.Encode(label)).Append("</span></div>");
        if (card.State == CardState.Failed)
        {
            if (card.ErrorMessage is { } message)
            {
                html.Append("<p class=\"error\">").Append(Html.Encode(message)).Append("</p>");
            }

            if (card.RecommendedAction is { } action)
            {
                html.Append("<p class=\"action\"><b>What to do:</b> ").Append(Html.Encode(action)).Append("</p>");
            }
        }

        html.Append("</div>\n");
    }

    private static string Count(int count, string noun, bool withNumber = true) =>
        (withNumber ? count.ToString(CultureInfo.InvariantCulture) + " " : "") + (count == 1 ? noun : noun + "s");

    private static string Time(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";

    /// <summary>A CSP source for exactly this inline text.</summary>
    private static string Sha256(string text)
    {
        using var sha = SHA256.Create();
        return "sha256-" + Convert.ToBase64String(sha.ComputeHash(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>Checking "Only failures" hides the other cards by CSS alone, so the filter works with scripts off too.</summary>
    private const string Style = @"
:root{color-scheme:light dark;--bg:#f4f5f7;--card:#fff;--ink:#1d2330;--muted:#5d6677;--line:#e2e5ea;--ok:#1f7a4d;--bad:#c62828;--bad-bg:#fdecec;--wait:#a15c00;--wait-bg:#fff4e0;--accent:#2f5bd3}
@media (prefers-color-scheme:dark){:root{--bg:#15181e;--card:#1f242c;--ink:#e8eaef;--muted:#9aa3b2;--line:#303744;--ok:#5cc48e;--bad:#ff7b72;--bad-bg:#3a2224;--wait:#f0b35a;--wait-bg:#392c17;--accent:#7aa2ff}}
*{box-sizing:border-box}
body{margin:0;padding:24px 28px 40px;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}
.top h1{margin:0 0 2px;font-size:22px;font-weight:650}
.sub{margin:0 0 14px;color:var(--muted);font-size:13px}
.stats{display:flex;flex-wrap:wrap;gap:8px;margin:0;padding:0;list-style:none}
.stat{background:var(--card);border:1px solid var(--line);border-radius:999px;padding:5px 12px;color:var(--muted)}
.stat b{color:var(--ink);font-size:15px;margin-right:5px}
.stat.ok b{color:var(--ok)}.stat.bad b{color:var(--bad)}.stat.wait b{color:var(--wait)}
.errors{margin:10px 0 0;display:flex;flex-wrap:wrap;gap:6px}
.errors span{background:var(--bad-bg);color:var(--bad);border-radius:6px;padding:2px 8px;font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.toggle-input{position:absolute;opacity:0;pointer-events:none}
.toolbar{display:flex;align-items:center;gap:14px;margin:18px 0 14px}
.toggle{display:inline-flex;align-items:center;gap:8px;cursor:pointer;user-select:none;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:6px 12px;font-weight:600}
.knob{width:28px;height:16px;border-radius:8px;background:var(--line);position:relative;transition:background .15s}
.knob::after{content:'';position:absolute;top:2px;left:2px;width:12px;height:12px;border-radius:50%;background:#fff;transition:left .15s}
#only-failed:checked~.toolbar .knob{background:var(--bad)}
#only-failed:checked~.toolbar .knob::after{left:14px}
#only-failed:focus-visible~.toolbar .toggle{outline:2px solid var(--accent);outline-offset:2px}
#only-failed:disabled~.toolbar .toggle{opacity:.55;cursor:default}
#only-failed:checked~.grid .card:not(.failed){display:none}
.showing{color:var(--muted)}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:16px;align-items:start}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;overflow:hidden;display:flex;flex-direction:column;box-shadow:0 1px 2px rgba(0,0,0,.05)}
.card.failed{border-color:var(--bad)}
.card.pending{border-color:var(--wait)}
.thumb{position:relative;display:block;aspect-ratio:1/1;overflow:hidden;background:var(--line)}
.thumb img{position:absolute;inset:0;display:block;width:100%;height:100%;object-fit:cover}
.thumb.empty{display:flex;flex-direction:column;align-items:center;justify-content:center;gap:8px;color:var(--muted);padding:14px 16px;text-align:center}
.failed .thumb.empty{background:var(--bad-bg);color:var(--bad);overflow:auto;justify-content:flex-start;align-items:stretch;text-align:left}
.pending .thumb.empty{background:var(--wait-bg);color:var(--wait)}
.head{display:flex;flex-direction:column;align-items:center;gap:6px;text-align:center}
.failed .head{flex-direction:row;gap:8px;margin-top:4px}
.mark{font-size:34px;line-height:1}
.failed .mark{font-size:18px}
.label{font:600 12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all}
.thumb .error{margin:0;font-size:13px;line-height:1.4;overflow-wrap:anywhere}
.thumb .action{margin:0;font-size:12.5px;line-height:1.4;color:var(--ink);overflow-wrap:anywhere}
.strip{display:flex;gap:4px;padding:4px;border-bottom:1px solid var(--line)}
.strip img{width:40px;height:40px;object-fit:cover;border-radius:4px;display:block}
.body{padding:10px 12px 12px;display:flex;flex-direction:column;gap:4px;min-width:0}
.name{margin:0;font-size:15px;font-weight:650;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.prompt{margin:0;color:var(--ink);display:-webkit-box;-webkit-line-clamp:3;-webkit-box-orient:vertical;overflow:hidden;overflow-wrap:anywhere}
.meta{margin:2px 0 0;display:flex;flex-wrap:wrap;gap:4px}
.meta span{background:var(--bg);border:1px solid var(--line);border-radius:4px;padding:0 6px;font-size:12px;color:var(--muted);max-width:100%;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.task{margin:0;font:11px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:var(--muted);white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.note{margin:4px 0 0;font-size:13px;color:var(--wait);overflow-wrap:anywhere}
footer{margin-top:28px;color:var(--muted);font-size:12px}
";

    /// <summary>Counts what the filter shows, and opens filtered when the address ends in #failures.</summary>
    private const string Script = @"
(function () {
  var toggle = document.getElementById('only-failed');
  var showing = document.getElementById('showing');
  var total = document.querySelectorAll('.card').length;
  var failed = document.querySelectorAll('.card.failed').length;
  function update() {
    showing.textContent = toggle.checked ? 'Showing ' + failed + ' of ' + total + ' rows' : 'Showing all ' + total + ' rows';
  }
  if (location.hash === '#failures' && !toggle.disabled) { toggle.checked = true; }
  toggle.addEventListener('change', update);
  update();
})();
";
}
