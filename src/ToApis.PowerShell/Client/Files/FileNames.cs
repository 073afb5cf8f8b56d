using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace ToApis.Client.Files;

/// <summary>
/// Turns text from a CSV, a prompt or a template into one safe file name on every platform: no path
/// separators or traversal, no characters Windows rejects, no reserved device names.
/// </summary>
internal static class FileNames
{
    public const string DefaultTemplate = "{Id}-{Index}";

    private const int MaxLength = 150;

    private static readonly HashSet<char> Invalid = new(
        new[] { '<', '>', ':', '"', '/', '\\', '|', '?', '*' }.Concat(Enumerable.Range(0, 32).Select(c => (char)c)));

    private static readonly Regex ReservedDeviceName = new(
        @"^(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])(\..*)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static readonly Regex Token = new(@"\{([^{}]+)\}", RegexOptions.CultureInvariant);

    /// <summary>A name made safe; never empty, never "." or "..", never a device name.</summary>
    public static string Sanitize(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            builder.Append(Invalid.Contains(c) ? '_' : c);
        }

        // Windows drops trailing dots and spaces; leading dots hide files or mean "this folder".
        var name = builder.ToString().Trim().Trim('.').Trim();
        if (name.Length > MaxLength)
        {
            name = name.Substring(0, MaxLength).TrimEnd('.', ' ');
        }

        if (name.Length == 0)
        {
            return "_";
        }

        return ReservedDeviceName.IsMatch(name) ? "_" + name : name;
    }

    /// <summary>
    /// Fills {Token} placeholders from <paramref name="valueOf"/> and sanitizes the result into one name.
    /// An unknown token is an error naming the tokens that exist, not a silent empty string.
    /// </summary>
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
