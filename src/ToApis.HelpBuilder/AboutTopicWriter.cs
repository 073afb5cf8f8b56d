using System.Text;

namespace ToApis.HelpBuilder;

/// <summary>
/// Turns an about_*.md topic (platyPS 0.14's about schema: a title heading, the topic name as the second
/// heading, then SHORT DESCRIPTION, LONG DESCRIPTION and more) into the plain about text Get-Help shows, laid
/// out as platyPS's New-ExternalHelp lays it out: the first heading becomes TOPIC with the topic name indented
/// under it (as written, where platyPS lower-cases it), level-1 headings are upper case at the margin,
/// level-2 headings stay at the margin, deeper ones are indented; prose is indented by four and wrapped at the
/// width; code keeps its lines, indented. Unlike platyPS, no markdown is left: backticks, bold, links and
/// escapes become plain text, list items hang their continuation lines under the item's text, and a pipeline
/// too long for the width is broken after a pipe, where PowerShell continues it.
/// </summary>
internal static class AboutTopicWriter
{
    public const int Width = 80;

    private const string Indent = "    ";

    public static string Render(MarkdownDocument topic)
    {
        var headings = topic.Blocks.OfType<HeadingBlock>().Take(2).ToList();
        if (headings.Count < 2 || topic.Blocks[0] is not HeadingBlock || topic.Blocks[1] is not HeadingBlock { Level: 2 })
        {
            throw new HelpSchemaException(topic.Path, topic.Blocks.FirstOrDefault()?.Line ?? 1,
                "An about topic opens with two headings: '# <title>' and '## about_<Name>'.");
        }

        var text = new StringBuilder();
        text.Append("TOPIC\n");
        text.Append(Indent).Append(Plain(headings[1].Text)).Append("\n\n");
        foreach (var block in topic.Blocks.Skip(2))
        {
            switch (block)
            {
                case HeadingBlock { Level: 1 } heading:
                    text.Append(Plain(heading.Text).ToUpperInvariant()).Append('\n');
                    break;
                case HeadingBlock { Level: 2 } heading:
                    text.Append(Plain(heading.Text)).Append('\n');
                    break;
                case HeadingBlock heading:
                    text.Append(Indent).Append(Plain(heading.Text).ToUpperInvariant()).Append('\n');
                    break;
                case TextBlock prose:
                    AppendProse(text, prose.Lines);
                    break;
                case CodeBlock code:
                    AppendCode(text, code.Code);
                    break;
            }
        }

        return text.ToString().TrimEnd('\n') + "\n";
    }

    /// <summary>Inline markdown as plain text: what <see cref="HelpText.Inline"/> makes, without the backticks of code spans.</summary>
    public static string Plain(string markdown) => HelpText.Inline(markdown).Replace("`", "");

    /// <summary>Paragraphs separated by a blank line; the items of one list follow each other without one.</summary>
    private static void AppendProse(StringBuilder text, IReadOnlyList<string> lines)
    {
        var run = new List<string>();
        foreach (var line in lines.Append(""))
        {
            if (line.Trim().Length > 0)
            {
                run.Add(line);
                continue;
            }

            if (run.Count == 0)
            {
                continue;
            }

            foreach (var paragraph in HelpText.Paragraphs(run))
            {
                // Paragraphs come with their inline markdown already undone, but for code spans' backticks.
                var isListItem = paragraph.StartsWith("- ", StringComparison.Ordinal) || paragraph.StartsWith("* ", StringComparison.Ordinal);
                var words = (isListItem ? "- " + paragraph.Substring(2) : paragraph).Replace("`", "");
                AppendWrapped(text, words, Indent, isListItem ? Indent + "  " : Indent);
            }

            text.Append('\n');
            run.Clear();
        }
    }

    private static void AppendWrapped(StringBuilder text, string words, string firstIndent, string nextIndent)
    {
        var line = new StringBuilder(firstIndent);
        var lineHasWord = false;
        foreach (var word in words.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (lineHasWord && line.Length + 1 + word.Length > Width)
            {
                text.Append(line).Append('\n');
                line.Clear().Append(nextIndent);
                lineHasWord = false;
            }

            if (lineHasWord)
            {
                line.Append(' ');
            }

            // A word longer than the width (a long URL) stands on a line of its own rather than being cut.
            line.Append(word);
            lineHasWord = true;
        }

        text.Append(line).Append('\n');
    }

    private static void AppendCode(StringBuilder text, string code)
    {
        foreach (var line in code.Split('\n'))
        {
            foreach (var piece in BreakPipeline(line.TrimEnd(), Width - Indent.Length))
            {
                text.Append(piece.Length == 0 ? "" : Indent + piece).Append('\n');
            }
        }

        text.Append('\n');
    }

    /// <summary>
    /// A code line longer than <paramref name="width"/> broken after its last pipe (outside quotes) that keeps
    /// the first part within the width; the rest continues one level deeper. PowerShell reads a line ending in
    /// a pipe as continued, so the code still runs as written. Lines without such a pipe are kept whole.
    /// </summary>
    internal static IEnumerable<string> BreakPipeline(string line, int width)
    {
        var leading = line.Length - line.TrimStart().Length;
        var continuation = new string(' ', leading + 4);
        while (line.Length > width)
        {
            var cut = LastPipeWithin(line, width);
            if (cut < 0)
            {
                break;
            }

            yield return line.Substring(0, cut + 1);
            line = continuation + line.Substring(cut + 1).TrimStart();
        }

        yield return line;
    }

    private static int LastPipeWithin(string line, int width)
    {
        var last = -1;
        char? quote = null;
        for (var i = 0; i < line.Length && i < width; i++)
        {
            var c = line[i];
            if (quote is not null)
            {
                if (c == quote)
                {
                    quote = null;
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == '#')
            {
                // A comment: a pipe in it continues nothing.
                break;
            }
            else if (c == '|' && i + 1 < line.Length && line[i + 1] == ' ' && line.Substring(0, i).Trim().Length > 0)
            {
                last = i;
            }
        }

        return last;
    }
}
