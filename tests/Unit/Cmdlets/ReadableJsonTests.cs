using System.Collections;
using System.Text;
using System.Text.Json;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Cmdlets;

/// <summary>The JSON files people open (sidecars, the journal) show text as written: CJK, accents, emoji.</summary>
public sealed class ReadableJsonTests : IDisposable
{
    private const string Prompt = "Un café au 日本 \U0001F98A \"quoted\" back\\slash\ttab";

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Sidecar_and_journal_keep_non_ASCII_text_readable_and_stay_valid_JSON()
    {
        await using var service = await EmulatedService.StartAsync();
        var journal = Path.Combine(_temp.Path, "run.jsonl");

        var result = service.Run($$"""
            param($prompt, $out, $journal)
            [pscustomobject]@{ Name = 'renard'; Prompt = $prompt } | New-ToApisImage -Journal $journal |
                Wait-ToApisTask {{EmulatedService.FastPolling}} -Journal $journal |
                Save-ToApisImage -Path $out -FileName '{Name}' -Sidecar -Journal $journal
            """, new Hashtable { ["prompt"] = Prompt, ["out"] = Path.Combine(_temp.Path, "out"), ["journal"] = journal });

        Assert.Empty(result.Errors);
        var sidecar = File.ReadAllText(Path.Combine(_temp.Path, "out", "renard.png.json"), Encoding.UTF8);
        // submitted, completed, saved: one line each, none broken by the tab or the quotes.
        var lines = File.ReadAllLines(journal, Encoding.UTF8).Where(line => line.Contains("\"prompt\"")).ToList();
        Assert.True(lines.Count >= 3, string.Join("\n", lines));
        foreach (var text in lines.Append(sidecar))
        {
            Assert.Contains("Un café au 日本 \U0001F98A", text);
            Assert.DoesNotContain("\\u", text);
            Assert.Equal(Prompt, JsonDocument.Parse(text).RootElement.GetProperty("prompt").GetString());
        }
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("line\nbreak\r\u0001 and \u2028")]
    [InlineData("lone \ud800 surrogate")]
    [InlineData("日本語 \U0001F600 é")]
    public void The_encoder_escapes_only_what_JSON_needs(string value)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, ToApis.Client.Wire.Json.ReadableWriterOptions()))
        {
            writer.WriteStartObject();
            writer.WriteString("v", value);
            writer.WriteEndObject();
        }

        var json = Encoding.UTF8.GetString(stream.ToArray());
        Assert.DoesNotContain('\n', json);
        Assert.DoesNotContain('\u2028', json);
        var parsed = JsonDocument.Parse(json).RootElement.GetProperty("v").GetString();
        if (!value.Contains('\ud800'))
        {
            Assert.Equal(value, parsed);
        }

        if (value.StartsWith("日本語", StringComparison.Ordinal))
        {
            Assert.Contains(value, json);
        }
    }
}
