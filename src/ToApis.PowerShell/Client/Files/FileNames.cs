using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace ToApis.Client.Files;

/// <summary>
/// Turns text from a CSV, a prompt or a template into one safe file name on every platform: no path
/// separators or traversal, no characters Windows rejects, no reserved device names, and never longer than
/// the platform allows, so no name ever fails for its length.
/// </summary>
internal static class FileNames
{
    public const string DefaultTemplate = "{Id}-{Index}";

    /// <summary>
    /// Windows counts a name in UTF-16 units (255), but Windows PowerShell also has a 260-unit path limit, so
    /// names stay at 150 there; Linux and macOS allow 255 bytes of UTF-8, where a CJK character takes 3.
    /// </summary>
    private static readonly bool MeasuresUtf16 = Path.DirectorySeparatorChar == '\\';

    public static readonly int MaxNameSize = MeasuresUtf16 ? 150 : 255;

    /// <summary>Room kept after a rendered name for a " (99)" suffix, the image's extension and a sidecar's ".json".</summary>
    private static readonly int ReservedTail = SizeOf(" (99).webp.json");

    private static readonly HashSet<char> Invalid = new(
        new[] { '<', '>', ':', '"', '/', '\\', '|', '?', '*' }.Concat(Enumerable.Range(0, 32).Select(c => (char)c)));

    private static readonly Regex ReservedDeviceName = new(
        @"^(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])(\..*)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static readonly Regex Token = new(@"\{([^{}]+)\}", RegexOptions.CultureInvariant);

    /// <summary>A name made safe; never empty, never "." or "..", never a device name.</summary>
    public static string Sanitize(string value)
    {
        var replaced = new string(value.Select(c => Invalid.Contains(c) ? '_' : c).ToArray());
        // Windows drops trailing dots and spaces; leading dots hide files or mean "this folder".
        var name = Fit(replaced.Trim().Trim('.').Trim(), MaxNameSize - ReservedTail);
        return name.Length == 0 ? "_" : ReservedDeviceName.IsMatch(name) ? "_" + name : name;
    }

    /// <summary><paramref name="name"/>, cut at a character boundary (never inside a surrogate pair or a combining sequence) so that with <paramref name="tail"/> it fits the platform's limit, then the tail.</summary>
    public static string WithTail(string name, string tail) => Fit(name, MaxNameSize - SizeOf(tail)) + tail;

    private static int SizeOf(string text) => MeasuresUtf16 ? text.Length : Encoding.UTF8.GetByteCount(text);

    private static string Fit(string name, int maxSize)
    {
        if (SizeOf(name) <= maxSize)
        {
            return name;
        }

        var fitted = new StringBuilder();
        var size = 0;
        var elements = StringInfo.GetTextElementEnumerator(name);
        while (elements.MoveNext())
        {
            var element = elements.GetTextElement();
            size += SizeOf(element);
            if (size > maxSize)
            {
                break;
            }

            fitted.Append(element);
        }

        return fitted.ToString().TrimEnd('.', ' ');
    }

    /// <summary>Fills {Token} placeholders and sanitizes the result; an unknown token is an error naming those that exist, not "".</summary>
    public static string Render(string template, Func<string, string?> valueOf, Func<IEnumerable<string>> knownTokens)
    {
        var rendered = Token.Replace(template, match =>
        {
            var name = match.Groups[1].Value.Trim();
            return valueOf(name) is { } value
                ? Sanitize(value)
                : throw new ToApisValidationException(
                    "FileName", $"-FileName token {{{name}}} is neither a task property nor a column of the input row. Known tokens: {string.Join(", ", knownTokens().Select(t => "{" + t + "}"))}.");
        });
        return Sanitize(rendered);
    }
}
