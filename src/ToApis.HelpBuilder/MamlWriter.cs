using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace ToApis.HelpBuilder;

/// <summary>
/// Writes MAML, the XML Get-Help reads, in the shape platyPS's MamlRenderer gives it: per command its details,
/// description, syntax (one item per parameter set), parameters, input and return types, notes (alertSet),
/// examples and related links.
/// </summary>
internal static class MamlWriter
{
    private static readonly XNamespace Msh = "http://msh";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
    private static readonly XNamespace MSHelp = "http://msdn.microsoft.com/mshelp";

    public static XDocument ToMaml(IEnumerable<CommandHelp> commands) =>
        new(new XDeclaration("1.0", "utf-8", null),
            new XElement(Msh + "helpItems", new XAttribute("schema", "maml"), commands.Select(CommandElement)));

    /// <summary>UTF-8 without a byte order mark, LF line ends, two-space indent: the same bytes on every OS.</summary>
    public static void Save(XDocument maml, string path)
    {
        var settings = new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true, IndentChars = "  ", NewLineChars = "\n" };
        using var writer = XmlWriter.Create(path, settings);
        maml.Save(writer);
    }

    private static XElement CommandElement(CommandHelp command) =>
        new(Command + "command",
            new XAttribute(XNamespace.Xmlns + "maml", Maml),
            new XAttribute(XNamespace.Xmlns + "command", Command),
            new XAttribute(XNamespace.Xmlns + "dev", Dev),
            new XAttribute(XNamespace.Xmlns + "MSHelp", MSHelp),
            new XElement(Command + "details",
                new XElement(Command + "name", command.Name),
                new XElement(Command + "verb", command.Verb),
                new XElement(Command + "noun", command.Noun),
                Description(command.Synopsis)),
            Description(command.Description),
            new XElement(Command + "syntax", command.SyntaxItems().Select(item =>
                new XElement(Command + "syntaxItem",
                    new XElement(Maml + "name", command.Name),
                    item.Select(pair => Parameter(pair.Parameter, pair.Metadata, inSyntax: true))))),
            new XElement(Command + "parameters", command.Parameters.Select(p => Parameter(p, p.Metadata[0], inSyntax: false))),
            new XElement(Command + "inputTypes", command.Inputs.Select(type => TypeElement("inputType", type))),
            new XElement(Command + "returnValues", command.Outputs.Select(type => TypeElement("returnValue", type))),
            new XElement(Maml + "alertSet", new XElement(Maml + "alert", Paragraphs(command.Notes))),
            new XElement(Command + "examples", command.Examples.Select(Example)),
            new XElement(Command + "relatedLinks", command.Links.Select(Link)));

    private static XElement Parameter(ParameterHelp parameter, ParameterYaml metadata, bool inSyntax) =>
        new(Command + "parameter",
            new XAttribute("required", metadata.Required ? "true" : "false"),
            new XAttribute("variableLength", "true"),
            new XAttribute("globbing", metadata.Globbing ? "true" : "false"),
            new XAttribute("pipelineInput", metadata.PipelineInput),
            new XAttribute("position", metadata.Position.ToLowerInvariant()),
            new XAttribute("aliases", metadata.Aliases.Count > 0 ? string.Join(", ", metadata.Aliases) : "none"),
            new XElement(Maml + "name", parameter.Name),
            Description(parameter.Description),
            inSyntax && metadata.AcceptedValues.Count > 0
                ? new XElement(Command + "parameterValueGroup", metadata.AcceptedValues.Select(value =>
                    new XElement(Command + "parameterValue", new XAttribute("required", "false"), new XAttribute(Command + "variableLength", "false"), value)))
                : null,
            // Get-Help shows a switch in a syntax line without a value.
            inSyntax && metadata.IsSwitch
                ? null
                : new XElement(Command + "parameterValue",
                    new XAttribute("required", metadata.IsSwitch ? "false" : "true"), new XAttribute("variableLength", "false"), metadata.Type),
            new XElement(Dev + "type", new XElement(Maml + "name", metadata.Type), new XElement(Maml + "uri")),
            new XElement(Dev + "defaultValue", metadata.IsSwitch && metadata.DefaultValue == "None" ? "False" : metadata.DefaultValue));

    private static XElement TypeElement(string element, TypeHelp type) =>
        new(Command + element,
            new XElement(Dev + "type", new XElement(Maml + "name", type.TypeName)),
            Description(type.Description));

    private static XElement Example(ExampleHelp example) =>
        new(Command + "example",
            new XElement(Maml + "title", PadTitle(example.Title)),
            new XElement(Dev + "code", string.Join("\n\n", example.Code)),
            new XElement(Dev + "remarks", Paragraphs(example.Remarks)));

    /// <summary>Relative links (to other markdown files) keep their text; MAML carries only absolute URIs.</summary>
    private static XElement Link(LinkHelp link) =>
        new(Maml + "navigationLink",
            new XElement(Maml + "linkText", link.Text),
            new XElement(Maml + "uri", Uri.TryCreate(link.Uri, UriKind.Absolute, out _) ? link.Uri : ""));

    private static XElement Description(IEnumerable<string> paragraphs) => new(Maml + "description", Paragraphs(paragraphs));

    private static IEnumerable<XElement> Paragraphs(IEnumerable<string> paragraphs) =>
        paragraphs.Select(text => new XElement(Maml + "para", text));

    /// <summary>platyPS centres example titles in dashes, 64 characters wide: "------ Example 1: ... ------".</summary>
    internal static string PadTitle(string title)
    {
        if (string.IsNullOrWhiteSpace(title) || title.Length >= 62)
        {
            return title;
        }

        var dashes = new string('-', (64 - title.Length - 2) / 2);
        return $"{dashes} {title} {dashes}";
    }
}
