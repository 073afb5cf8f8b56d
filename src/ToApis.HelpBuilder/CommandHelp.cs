namespace ToApis.HelpBuilder;

/// <summary>One cmdlet's help, read from its markdown file.</summary>
internal sealed record CommandHelp(
    string Path,
    string Name,
    IReadOnlyList<string> Synopsis,
    IReadOnlyList<SyntaxHelp> Syntax,
    IReadOnlyList<string> Description,
    IReadOnlyList<ExampleHelp> Examples,
    IReadOnlyList<ParameterHelp> Parameters,
    bool SupportsCommonParameters,
    IReadOnlyList<TypeHelp> Inputs,
    IReadOnlyList<TypeHelp> Outputs,
    IReadOnlyList<string> Notes,
    IReadOnlyList<LinkHelp> Links)
{
    public string Verb => Name.Split('-')[0];

    public string Noun => Name.Substring(Math.Min(Verb.Length + 1, Name.Length));

    /// <summary>
    /// The parameter sets with their parameters, as Get-Help shows them: the sets named under ## SYNTAX, in that
    /// order; a parameter documented for "(All)" belongs to each. Positional parameters come first, by position.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<(ParameterHelp Parameter, ParameterYaml Metadata)>> SyntaxItems() =>
        Syntax.Select(set => (IReadOnlyList<(ParameterHelp, ParameterYaml)>)Parameters
                .Select(parameter => (parameter, metadata: parameter.MetadataFor(set.ParameterSetName)))
                .Where(pair => pair.metadata is not null)
                .Select(pair => (pair.parameter, pair.metadata!))
                .OrderBy(pair => pair.Item2.IsNamed ? int.MaxValue : int.Parse(pair.Item2.Position, System.Globalization.CultureInfo.InvariantCulture))
                .ToList())
            .ToList();
}

/// <summary>A ### heading under ## SYNTAX and its code block; the name is empty when the cmdlet has one parameter set.</summary>
internal sealed record SyntaxHelp(string ParameterSetName, bool IsDefault, string Code, int Line);

internal sealed record ExampleHelp(string Title, IReadOnlyList<string> Code, IReadOnlyList<string> Remarks, int Line);

internal sealed record TypeHelp(string TypeName, IReadOnlyList<string> Description);

internal sealed record LinkHelp(string Text, string Uri);

internal sealed record ParameterHelp(string Name, IReadOnlyList<string> Description, IReadOnlyList<ParameterYaml> Metadata, int Line)
{
    /// <summary>The metadata that applies in a parameter set, or null when the parameter is not in it.</summary>
    public ParameterYaml? MetadataFor(string parameterSetName) =>
        Metadata.FirstOrDefault(m => m.ParameterSets.Contains(parameterSetName, StringComparer.OrdinalIgnoreCase))
        ?? Metadata.FirstOrDefault(m => m.AppliesToAllSets);
}

/// <summary>One ```yaml block under a parameter: how the parameter behaves in the sets it names.</summary>
internal sealed record ParameterYaml(
    string Type,
    IReadOnlyList<string> ParameterSets,
    IReadOnlyList<string> Aliases,
    IReadOnlyList<string> AcceptedValues,
    bool Required,
    string Position,
    string DefaultValue,
    string PipelineInput,
    bool Globbing)
{
    public const string AllSets = "(All)";

    public bool AppliesToAllSets => ParameterSets.Count == 1 && ParameterSets[0] == AllSets;

    public bool IsNamed => Position.Equals("Named", StringComparison.OrdinalIgnoreCase);

    public bool IsSwitch => Type is "SwitchParameter" or "System.Management.Automation.SwitchParameter";
}
