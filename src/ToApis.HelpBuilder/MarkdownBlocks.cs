namespace ToApis.HelpBuilder;

/// <summary>One block of a markdown file as platyPS sees it: a heading, a fenced code block or the text between them.</summary>
internal abstract record Block(int Line);

internal sealed record HeadingBlock(int Line, int Level, string Text) : Block(Line);

internal sealed record CodeBlock(int Line, string Language, string Code) : Block(Line);

/// <summary>Lines of prose, blank lines included, exactly as written.</summary>
internal sealed record TextBlock(int Line, IReadOnlyList<string> Lines) : Block(Line);

/// <summary>A markdown file split into its YAML front matter and its blocks.</summary>
internal sealed record MarkdownDocument(string Path, IReadOnlyDictionary<string, string> FrontMatter, IReadOnlyList<Block> Blocks);

/// <summary>A place in a markdown file where it leaves the schema; reported as path(line) so editors can jump there.</summary>
internal sealed class HelpSchemaException(string path, int line, string message) : Exception(message)
{
    public string Path { get; } = path;

    public int Line { get; } = line;

    /// <summary>The MSBuild canonical error format, so the build shows the file and line.</summary>
    public override string ToString() => $"{Path}({Line}): error TOAPISHELP: {Message}";
}

/// <summary>
/// Splits markdown into blocks, the only structure the platyPS schema uses: <c>---</c> front matter of
/// simple <c>key: value</c> lines, <c>#</c> headings, <c>```</c> fences and text. Nothing inside a fence
/// is interpreted.
/// </summary>
internal static class MarkdownBlocks
{
    public static MarkdownDocument Parse(string path, string markdown)
    {
        var lines = markdown.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
        var index = 0;
        var frontMatter = ReadFrontMatter(path, lines, ref index);
        var blocks = new List<Block>();
        var text = new List<string>();
        var textStart = 0;

        void FlushText()
        {
            var first = text.FindIndex(line => line.Trim().Length > 0);
            if (first >= 0)
            {
                blocks.Add(new TextBlock(textStart + first, TrimBlankEdges(text)));
            }

            text.Clear();
        }

        for (; index < lines.Length; index++)
        {
            var line = lines[index];
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                FlushText();
                var start = index + 1;
                var language = line.Substring(3).Trim();
                var code = new List<string>();
                for (index++; index < lines.Length && !lines[index].TrimEnd().Equals("```", StringComparison.Ordinal); index++)
                {
                    code.Add(lines[index]);
                }

                if (index == lines.Length)
                {
                    throw new HelpSchemaException(path, start, "A ``` code block is never closed.");
                }

                blocks.Add(new CodeBlock(start, language, string.Join("\n", code)));
            }
            else if (HeadingLevel(line) is { } level)
            {
                FlushText();
                blocks.Add(new HeadingBlock(index + 1, level, line.Substring(level).Trim()));
            }
            else
            {
                if (text.Count == 0)
                {
                    textStart = index + 1;
                }

                text.Add(line);
            }
        }

        FlushText();
        return new MarkdownDocument(path, frontMatter, blocks);
    }

    private static int? HeadingLevel(string line)
    {
        var level = 0;
        while (level < line.Length && line[level] == '#')
        {
            level++;
        }

        return level > 0 && level < line.Length && line[level] == ' ' ? level : null;
    }

    private static Dictionary<string, string> ReadFrontMatter(string path, string[] lines, ref int index)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (lines.Length == 0 || lines[0].TrimEnd() != "---")
        {
            return values;
        }

        for (index = 1; index < lines.Length && lines[index].TrimEnd() != "---"; index++)
        {
            if (lines[index].Trim().Length == 0)
            {
                continue;
            }

            var colon = lines[index].IndexOf(':');
            if (colon < 1)
            {
                throw new HelpSchemaException(path, index + 1, $"Front matter lines are 'key: value'; got '{lines[index]}'.");
            }

            values[lines[index].Substring(0, colon).Trim()] = lines[index].Substring(colon + 1).Trim();
        }

        if (index == lines.Length)
        {
            throw new HelpSchemaException(path, 1, "The front matter opened with --- is never closed.");
        }

        index++;
        return values;
    }

    private static List<string> TrimBlankEdges(List<string> lines)
    {
        var first = lines.FindIndex(line => line.Trim().Length > 0);
        var last = lines.FindLastIndex(line => line.Trim().Length > 0);
        return lines.GetRange(first, last - first + 1);
    }
}
