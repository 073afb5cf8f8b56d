using System.Management.Automation.Language;
using System.Text.RegularExpressions;
using ToApis.HelpBuilder;
using ToApis.Tests.Infrastructure;

namespace ToApis.Tests.Examples;

/// <summary>One example as the reader sees it: the code to type, and the sample output shown after it, if any.</summary>
public sealed record CodeExample(string Source, string Title, string Script, string SampleOutput)
{
    public string Key => $"{Source}: {Title}";

    public override string ToString() => Key;

    /// <summary>Every "### Example" of every cmdlet's help in docs/cmdlets, read by the same reader that builds the MAML.</summary>
    public static IReadOnlyList<CodeExample> FromCmdletHelp() =>
        Directory.GetFiles(Path.Combine(ModuleAssembly.RepoRoot(), "docs", "cmdlets"), "*-*.md")
            .Order(StringComparer.Ordinal)
            .SelectMany(path => CommandHelpReader.Read(path, File.ReadAllText(path)).Examples
                .Select(example => Split(Path.GetFileName(path), example.Title, string.Join("\n\n", example.Code))))
            .ToList();

    /// <summary>Every ```powershell block of README.md, named after the heading above it.</summary>
    public static IReadOnlyList<CodeExample> FromReadme()
    {
        var examples = new List<CodeExample>();
        var heading = "README";
        var lines = File.ReadAllLines(Path.Combine(ModuleAssembly.RepoRoot(), "README.md"));
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith('#'))
            {
                heading = lines[i].TrimStart('#').Trim();
            }
            else if (lines[i].Trim() == "```powershell")
            {
                var block = lines.Skip(i + 1).TakeWhile(line => line.Trim() != "```").ToList();
                examples.Add(Split("README.md", $"{heading} (line {i + 1})", string.Join("\n", block)));
                i += block.Count + 1;
            }
        }

        return examples;
    }

    /// <summary>
    /// Help shows sample output after the code, separated by a blank line (platyPS's convention), and an
    /// example may go on with more code after it. A paragraph is code when it parses and every command it names
    /// exists (Import-Csv, $x | Save-…); otherwise (a table, "What if: …", "VERBOSE: …") it is sample output.
    /// The first paragraph is always code.
    /// </summary>
    private static CodeExample Split(string source, string title, string code)
    {
        var paragraphs = Regex.Split(code.Replace("\r\n", "\n").Trim('\n'), @"\n[ \t]*\n");
        var isCode = paragraphs.Select((paragraph, i) => i == 0 || IsCode(paragraph)).ToList();
        return new CodeExample(
            source,
            title,
            string.Join("\n\n", paragraphs.Where((_, i) => isCode[i])),
            string.Join("\n\n", paragraphs.Where((_, i) => !isCode[i])));
    }

    private static bool IsCode(string paragraph)
    {
        var ast = Parser.ParseInput(paragraph, out _, out var errors);
        return errors.Length == 0 && ast.FindAll(a => a is CommandAst, searchNestedScriptBlocks: true)
            .Cast<CommandAst>()
            .All(command => command.GetCommandName() is { } name && IsKnownCommand(name));
    }

    /// <summary>A command of this engine, or any Verb-Noun name with an approved verb (Push-OutputBinding of Azure Functions).</summary>
    private static bool IsKnownCommand(string name) =>
        KnownCommands.Value.Names.Contains(name)
        || (name.IndexOf('-') is > 0 and var dash && KnownCommands.Value.Verbs.Contains(name[..dash]) && dash < name.Length - 1);

    private static readonly Lazy<(HashSet<string> Names, HashSet<string> Verbs)> KnownCommands = new(() =>
    {
        using var host = new PowerShellHost();
        var names = host.Run("Get-Command -CommandType Cmdlet, Function, Alias | ForEach-Object Name").Output;
        var verbs = host.Run("Get-Verb | ForEach-Object Verb").Output;
        return (names.Select(o => o.ToString()).ToHashSet(StringComparer.OrdinalIgnoreCase),
            verbs.Select(o => o.ToString()).ToHashSet(StringComparer.OrdinalIgnoreCase));
    });
}
