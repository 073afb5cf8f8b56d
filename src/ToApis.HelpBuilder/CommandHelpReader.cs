using System.Globalization;
using System.Text.RegularExpressions;

namespace ToApis.HelpBuilder;

/// <summary>
/// Reads one cmdlet's markdown by the grammar of platyPS 0.14's schema 2.0.0 (its ModelTransformerVersion2),
/// and refuses what platyPS would refuse or silently drop, so the files stay usable by New-ExternalHelp and
/// Update-MarkdownHelp. The grammar, after the front matter:
/// <code>
/// # Verb-Noun
/// ## SYNOPSIS | DESCRIPTION | NOTES     text only
/// ## SYNTAX                            (### SetName[ (Default)] + ```code```)..., or one ```code``` for one set
/// ## EXAMPLES                          (### Title + ```code```... + text)...
/// ## PARAMETERS                        (### -Name + text/code + ```yaml```...)... + ### CommonParameters
/// ## INPUTS | OUTPUTS                  (### TypeName + text)...
/// ## RELATED LINKS                     [text](url) only
/// </code>
/// </summary>
internal sealed partial class CommandHelpReader
{
    public const string Schema = "2.0.0";
    private const string DefaultMarker = " (Default)";

    private static readonly string[] YamlKeys =
    {
        "Type", "Parameter Sets", "Aliases", "Accepted values", "Required", "Position", "Default value",
        "Accept pipeline input", "Accept wildcard characters", "Applicable",
    };

    private readonly MarkdownDocument _document;
    private int _next;

    private CommandHelpReader(MarkdownDocument document) => _document = document;

    public static CommandHelp Read(string path, string markdown) => Read(MarkdownBlocks.Parse(path, markdown));

    public static CommandHelp Read(MarkdownDocument document) => new CommandHelpReader(document).ReadCommand();

    private CommandHelp ReadCommand()
    {
        CheckFrontMatter();
        var title = Next() as HeadingBlock;
        if (title is not { Level: 1 })
        {
            throw Error(title?.Line ?? 1, "The file must start (after the front matter) with '# Verb-Noun'.");
        }

        var sections = new Dictionary<string, int>(StringComparer.Ordinal);
        IReadOnlyList<string> synopsis = [], description = [], notes = [];
        IReadOnlyList<SyntaxHelp> syntax = [];
        IReadOnlyList<ExampleHelp> examples = [];
        IReadOnlyList<TypeHelp> inputs = [], outputs = [];
        IReadOnlyList<LinkHelp> links = [];
        var parameters = new List<ParameterHelp>();
        var commonParameters = false;

        while (Next() is { } block)
        {
            if (block is not HeadingBlock { Level: 2 } section)
            {
                throw Error(block.Line, block is HeadingBlock other
                    ? $"Expected a '## SECTION' heading, got a level-{other.Level} heading '{other.Text}'."
                    : "Expected a '## SECTION' heading here; this section takes no code blocks or extra text.");
            }

            var name = section.Text.ToUpperInvariant();
            if (!sections.TryAdd(name, section.Line))
            {
                throw Error(section.Line, $"## {section.Text} appears twice (first on line {sections[name]}).");
            }

            switch (name)
            {
                case "SYNOPSIS":
                    synopsis = ReadText();
                    break;
                case "SYNTAX":
                    syntax = ReadSyntax(section);
                    break;
                case "DESCRIPTION":
                    description = ReadText();
                    break;
                case "EXAMPLES":
                    examples = ReadExamples();
                    break;
                case "PARAMETERS":
                    commonParameters = ReadParameters(parameters);
                    break;
                case "INPUTS":
                    inputs = ReadTypes();
                    break;
                case "OUTPUTS":
                    outputs = ReadTypes();
                    break;
                case "NOTES":
                    notes = ReadText();
                    break;
                case "RELATED LINKS":
                    links = ReadLinks();
                    break;
                default:
                    throw Error(section.Line, $"Unknown section '## {section.Text}'. platyPS knows SYNOPSIS, SYNTAX, DESCRIPTION, EXAMPLES, PARAMETERS, INPUTS, OUTPUTS, NOTES and RELATED LINKS.");
            }
        }

        CheckParameterSets(syntax, parameters);
        return new CommandHelp(
            _document.Path, title.Text, synopsis, syntax, description, examples, parameters, commonParameters,
            inputs, outputs, notes, WithOnlineVersion(links));
    }

    private void CheckFrontMatter()
    {
        var frontMatter = _document.FrontMatter;
        if (!frontMatter.TryGetValue("schema", out var schema) || schema != Schema)
        {
            throw Error(1, $"The front matter must say 'schema: {Schema}' (platyPS 0.14's markdown schema).");
        }

        if (!frontMatter.TryGetValue("external help file", out var file) || file.Length == 0)
        {
            throw Error(1, "The front matter must name the 'external help file' (e.g. ToApis.PowerShell.dll-Help.xml).");
        }
    }

    /// <summary>platyPS adds the front matter's online version as the first related link, for Get-Help -Online.</summary>
    private IReadOnlyList<LinkHelp> WithOnlineVersion(IReadOnlyList<LinkHelp> links) =>
        _document.FrontMatter.TryGetValue("online version", out var online) && online.Length > 0
            ? [new LinkHelp("Online Version:", online), .. links]
            : links;

    private IReadOnlyList<string> ReadText() =>
        Peek() is TextBlock ? HelpText.Paragraphs(((TextBlock)Next()!).Lines) : [];

    private List<SyntaxHelp> ReadSyntax(HeadingBlock section)
    {
        var sets = new List<SyntaxHelp>();
        if (Peek() is CodeBlock)
        {
            var code = (CodeBlock)Next()!;
            sets.Add(new SyntaxHelp("", true, code.Code, code.Line));
        }

        while (Peek() is HeadingBlock { Level: 3 } heading)
        {
            Next();
            var isDefault = heading.Text.EndsWith(DefaultMarker, StringComparison.Ordinal);
            var name = isDefault ? heading.Text.Substring(0, heading.Text.Length - DefaultMarker.Length) : heading.Text;
            if (Next() is not CodeBlock code)
            {
                throw Error(heading.Line, $"### {heading.Text} under ## SYNTAX needs a ``` code block with the syntax line.");
            }

            sets.Add(new SyntaxHelp(name, isDefault, code.Code, code.Line));
        }

        if (sets.Count == 0)
        {
            throw Error(section.Line, "## SYNTAX needs a ``` code block (or one '### SetName' and code block per parameter set).");
        }

        if (sets.Count > 1 && sets.Any(set => set.ParameterSetName.Length == 0))
        {
            throw Error(section.Line, "With several parameter sets, each syntax block needs its '### SetName' heading.");
        }

        if (sets.Count > 1 && sets.Count(set => set.IsDefault) != 1)
        {
            throw Error(section.Line, $"Exactly one parameter set heading must end with '{DefaultMarker.Trim()}'.");
        }

        return sets;
    }

    private List<ExampleHelp> ReadExamples()
    {
        var examples = new List<ExampleHelp>();
        while (Peek() is HeadingBlock { Level: 3 } heading)
        {
            Next();
            if (Peek() is TextBlock intro)
            {
                throw Error(intro.Line, $"Example '{heading.Text}' has text before its code; platyPS leaves that out of the MAML. Put the code first, then the explanation.");
            }

            var code = new List<string>();
            while (Peek() is CodeBlock)
            {
                code.Add(((CodeBlock)Next()!).Code);
            }

            if (code.Count == 0)
            {
                throw Error(heading.Line, $"Example '{heading.Text}' needs a ```powershell code block.");
            }

            examples.Add(new ExampleHelp(heading.Text, code, ReadText(), heading.Line));
        }

        return examples;
    }

    private bool ReadParameters(List<ParameterHelp> parameters)
    {
        var commonParameters = false;
        while (Peek() is HeadingBlock { Level: 3 } heading)
        {
            Next();
            if (heading.Text is "CommonParameters" or "WorkflowCommonParameters")
            {
                commonParameters = true;
                ReadText();
                continue;
            }

            if (!heading.Text.StartsWith('-') || heading.Text.Length < 2)
            {
                throw Error(heading.Line, $"Parameter headings are '### -Name' (or '### CommonParameters'); got '### {heading.Text}'.");
            }

            var name = heading.Text.Substring(1);
            if (parameters.Any(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)))
            {
                throw Error(heading.Line, $"-{name} is documented twice.");
            }

            var description = new List<string>();
            while (Peek() is TextBlock or CodeBlock { Language: not "yaml" })
            {
                description.AddRange(Next() switch
                {
                    TextBlock text => HelpText.Paragraphs(text.Lines),
                    CodeBlock code => [code.Code],
                    _ => [],
                });
            }

            var metadata = new List<ParameterYaml>();
            while (Peek() is CodeBlock { Language: "yaml" })
            {
                metadata.Add(ReadMetadata((CodeBlock)Next()!));
            }

            if (metadata.Count == 0)
            {
                throw Error(heading.Line, $"-{name} needs a ```yaml block (Type, Parameter Sets, Aliases, Required, Position, ...).");
            }

            parameters.Add(new ParameterHelp(name, description, metadata, heading.Line));
        }

        return commonParameters;
    }

    private ParameterYaml ReadMetadata(CodeBlock yaml)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var lines = yaml.Code.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0)
            {
                continue;
            }

            var colon = lines[i].IndexOf(':');
            var key = colon > 0 ? lines[i].Substring(0, colon).Trim() : "";
            if (!YamlKeys.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                throw Error(yaml.Line + 1 + i, colon > 0
                    ? $"Unknown key '{key}' in a parameter's yaml; platyPS knows {string.Join(", ", YamlKeys)}."
                    : $"A parameter's yaml holds 'Key: value' lines; got '{lines[i].Trim()}'.");
            }

            var value = lines[i].Substring(colon + 1).Trim();
            if (value.Length > 0)
            {
                values[key] = value;
            }
        }

        var position = values.GetValueOrDefault("Position", "Named");
        if (!position.Equals("Named", StringComparison.OrdinalIgnoreCase) && !int.TryParse(position, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            throw Error(yaml.Line, $"Position is a number or 'Named'; got '{position}'.");
        }

        return new ParameterYaml(
            values.GetValueOrDefault("Type", ""),
            values.TryGetValue("Parameter Sets", out var sets) ? SplitList(sets) : [ParameterYaml.AllSets],
            values.TryGetValue("Aliases", out var aliases) ? SplitList(aliases) : [],
            values.TryGetValue("Accepted values", out var accepted) ? SplitList(accepted) : [],
            IsTrue(values.GetValueOrDefault("Required")),
            position,
            values.GetValueOrDefault("Default value", "None"),
            values.GetValueOrDefault("Accept pipeline input", "False"),
            IsTrue(values.GetValueOrDefault("Accept wildcard characters")));
    }

    private List<TypeHelp> ReadTypes()
    {
        var types = new List<TypeHelp>();
        while (Peek() is HeadingBlock { Level: 3 } heading)
        {
            Next();
            types.Add(new TypeHelp(heading.Text, ReadText()));
        }

        return types;
    }

    private List<LinkHelp> ReadLinks()
    {
        if (Peek() is not TextBlock)
        {
            return [];
        }

        var text = (TextBlock)Next()!;
        var links = new List<LinkHelp>();
        for (var i = 0; i < text.Lines.Count; i++)
        {
            var line = text.Lines[i].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var matches = RelatedLink().Matches(line);
            if (matches.Count == 0 || RelatedLink().Replace(line, "").Trim().Length > 0)
            {
                throw Error(text.Line + i, $"## RELATED LINKS holds only [text](url) links; got '{line}'.");
            }

            links.AddRange(matches.Select(match => new LinkHelp(match.Groups["text"].Value, match.Groups["url"].Value)));
        }

        return links;
    }

    /// <summary>The parameter sets named under ## SYNTAX and in the parameters' yaml must be the same.</summary>
    private void CheckParameterSets(IReadOnlyList<SyntaxHelp> syntax, List<ParameterHelp> parameters)
    {
        if (syntax.Count == 0)
        {
            return;
        }

        var fromYaml = parameters.SelectMany(p => p.Metadata).SelectMany(m => m.ParameterSets)
            .Where(set => set != ParameterYaml.AllSets).Distinct(StringComparer.OrdinalIgnoreCase).Order().ToList();
        var fromSyntax = syntax.Select(s => s.ParameterSetName).Where(name => name.Length > 0).Order().ToList();
        if (!fromYaml.SequenceEqual(fromSyntax, StringComparer.OrdinalIgnoreCase))
        {
            throw Error(syntax[0].Line, $"## SYNTAX names the parameter sets [{string.Join(", ", fromSyntax)}] but the parameters' yaml names [{string.Join(", ", fromYaml)}].");
        }
    }

    private static IReadOnlyList<string> SplitList(string value) =>
        value.Split(',').Select(item => item.Trim()).Where(item => item.Length > 0).ToList();

    private static bool IsTrue(string? value) => string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);

    private Block? Peek() => _next < _document.Blocks.Count ? _document.Blocks[_next] : null;

    private Block? Next() => _next < _document.Blocks.Count ? _document.Blocks[_next++] : null;

    private HelpSchemaException Error(int line, string message) => new(_document.Path, line, message);

    [GeneratedRegex(@"\[(?<text>[^\]]+)\]\((?<url>[^)\s]*)\)")]
    private static partial Regex RelatedLink();
}
