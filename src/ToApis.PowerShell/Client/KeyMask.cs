using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace ToApis.Client;

/// <summary>
/// Hides the API key in text about to be shown or stored, in every form a server might echo it: as is, in any
/// letter case, percent-encoded (either case of hex, any characters encoded), JSON-escaped (<c>\u0073</c>), and
/// base64 (standard or URL-safe, padded or not, alone or inside a longer value such as <c>Bearer key</c> or
/// <c>user:key</c>). Only for output: data (a task id, a URL) is parsed from the raw answer and never passes
/// through here, so a short key can never corrupt it.
/// </summary>
internal sealed class KeyMask(string key, string hint)
{
    /// <summary>A base64 run shorter than this could occur by chance in ordinary text.</summary>
    private const int MinimumBase64Run = 8;

    private readonly string _replacement = "***" + hint;

    private readonly string[] _base64Runs = Base64Runs(key).Where(run => run.Length >= MinimumBase64Run).Distinct(StringComparer.Ordinal)
        .OrderByDescending(run => run.Length).ToArray();

    public string Apply(string text)
    {
        if (string.IsNullOrEmpty(text) || key.Length == 0)
        {
            return text;
        }

        var spans = new List<(int Start, int End)>();
        FindDecoded(text, spans);
        foreach (var run in _base64Runs)
        {
            for (var at = text.IndexOf(run, StringComparison.Ordinal); at >= 0; at = text.IndexOf(run, at + run.Length, StringComparison.Ordinal))
            {
                spans.Add((at, at + run.Length));
            }
        }

        if (spans.Count == 0)
        {
            return text;
        }

        spans.Sort((a, b) => a.Start.CompareTo(b.Start));
        var masked = new StringBuilder(text.Length);
        var copied = 0;
        foreach (var (start, end) in spans)
        {
            if (end <= copied)
            {
                continue;
            }

            if (start >= copied)
            {
                masked.Append(text, copied, start - copied).Append(_replacement);
            }

            copied = end;
        }

        return masked.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary>The key in any case, with any of its characters written as %XX or \uXXXX: spans of the original text.</summary>
    private void FindDecoded(string text, List<(int Start, int End)> spans)
    {
        var decoded = new StringBuilder(text.Length);
        var starts = new List<int>(text.Length);
        var ends = new List<int>(text.Length);
        for (var i = 0; i < text.Length;)
        {
            var length = EscapeLength(text, i, out var character);
            decoded.Append(character);
            starts.Add(i);
            ends.Add(i + length);
            i += length;
        }

        var plain = decoded.ToString();
        for (var at = plain.IndexOf(key, StringComparison.OrdinalIgnoreCase); at >= 0; at = plain.IndexOf(key, at + key.Length, StringComparison.OrdinalIgnoreCase))
        {
            spans.Add((starts[at], ends[at + key.Length - 1]));
        }
    }

    /// <summary>%XX or \uXXXX at <paramref name="i"/>: its length and the character it stands for; else 1 and the character itself.</summary>
    private static int EscapeLength(string text, int i, out char character)
    {
        var (prefix, length) = text[i] == '%' ? (1, 3) : text[i] == '\\' && i + 1 < text.Length && char.ToLowerInvariant(text[i + 1]) == 'u' ? (2, 6) : (0, 1);
        if (length > 1 && i + length <= text.Length
            && int.TryParse(text.Substring(i + prefix, length - prefix), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
        {
            character = (char)code;
            return length;
        }

        character = text[i];
        return 1;
    }

    /// <summary>
    /// The base64 characters that the key's bytes alone decide, for each of the three places the key can start
    /// within a 3-byte group (so it is found inside the encoding of any longer value), standard and URL-safe.
    /// </summary>
    private static IEnumerable<string> Base64Runs(string key)
    {
        var bytes = Encoding.UTF8.GetBytes(key);
        foreach (var offset in new[] { 0, 1, 2 })
        {
            var shifted = new byte[offset + bytes.Length];
            Array.Copy(bytes, 0, shifted, offset, bytes.Length);
            var encoded = Convert.ToBase64String(shifted).TrimEnd('=');
            var first = (offset * 8 + 5) / 6; // characters that hold a bit of what comes before the key
            var last = (shifted.Length * 8) / 6; // characters made of the key's bits only end here
            if (last - first <= 0)
            {
                continue;
            }

            var run = encoded.Substring(first, last - first);
            yield return run;
            yield return run.Replace('+', '-').Replace('/', '_');
        }
    }
}
