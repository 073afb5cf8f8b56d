using System.Text.RegularExpressions;

namespace ToApis.HelpBuilder;

/// <summary>
/// Turns markdown prose into the plain paragraphs MAML holds, by platyPS's rules: lines of one paragraph
/// are joined with spaces, a blank line starts a new paragraph, each list item (<c>- </c>, <c>* </c>)
/// keeps a line of its own, <c>[text](url)</c> becomes <c>text (url)</c>, <c>**bold**</c> loses its
/// stars and markdown escapes such as <c>\[</c> are undone. Inline <c>`code`</c> stays as written.
/// </summary>
internal static partial class HelpText
{
    public static IReadOnlyList<string> Paragraphs(IEnumerable<string> lines)
    {
        var paragraphs = new List<string>();
        string? current = null;
        var currentIsListItem = false;

        void Finish()
        {
            if (current is not null)
            {
                paragraphs.Add(Inline(current));
            }

            current = null;
        }

        foreach (var raw in lines)
        {
            var line = raw.Trim();
            var isListItem = IsListItem(line);
            if (line.Length == 0)
            {
                Finish();
            }
            else if (current is null || isListItem || currentIsListItem)
            {
                Finish();
                current = line;
                currentIsListItem = isListItem;
            }
            else
            {
                current += " " + line;
            }
        }

        Finish();
        return paragraphs;
    }

    public static string Inline(string text)
    {
        text = Link().Replace(text, match => match.Groups["url"].Value.Length > 0
            ? $"{match.Groups["text"].Value} ({match.Groups["url"].Value})"
            : match.Groups["text"].Value);
        text = Bold().Replace(text, "${text}");
        return Escaped().Replace(text, "${char}");
    }

    private static bool IsListItem(string line) => line.StartsWith("- ", StringComparison.Ordinal) || line.StartsWith("* ", StringComparison.Ordinal);

    [GeneratedRegex(@"(?<!\\)\[(?<text>[^\]]+)\]\((?<url>[^)\s]*)\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"\*\*(?<text>.+?)\*\*")]
    private static partial Regex Bold();

    [GeneratedRegex(@"\\(?<char>[\[\]()`<>_*\\])")]
    private static partial Regex Escaped();
}
