using System.Text;

namespace ToApis.HelpBuilder;

/// <summary>
/// Builds a module's help folder (e.g. out/ToApis/en-US) from a folder of platyPS markdown, choosing files as
/// New-ExternalHelp does: Verb-Noun.md files become one MAML file, named by their 'external help file';
/// about_*.md topics become plain about text, about_*.help.txt (<see cref="AboutTopicWriter"/>).
/// </summary>
internal static class HelpBuild
{
    public static IReadOnlyList<string> Run(string docsFolder, string outputFolder)
    {
        var commandFiles = Directory.GetFiles(docsFolder, "*-*.md")
            .Where(path => !IsAboutTopic(path))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (commandFiles.Count == 0)
        {
            throw new InvalidOperationException($"No Verb-Noun.md help files in {docsFolder}.");
        }

        var written = new List<string>();
        Directory.CreateDirectory(outputFolder);
        var byHelpFile = commandFiles
            .Select(path => MarkdownBlocks.Parse(path, File.ReadAllText(path)))
            .GroupBy(document => document.FrontMatter.GetValueOrDefault("external help file", ""), StringComparer.OrdinalIgnoreCase);
        foreach (var group in byHelpFile)
        {
            var commands = group.Select(CommandHelpReader.Read).ToList();
            var path = Path.Combine(outputFolder, group.Key);
            MamlWriter.Save(MamlWriter.ToMaml(commands), path);
            written.Add(path);
        }

        foreach (var about in Directory.GetFiles(docsFolder, "*.md").Where(IsAboutTopic).Order(StringComparer.Ordinal))
        {
            var path = Path.Combine(outputFolder, Path.GetFileNameWithoutExtension(about) + ".help.txt");
            // With a byte order mark: Windows PowerShell reads a help file without one in the ANSI code page.
            var topic = AboutTopicWriter.Render(MarkdownBlocks.Parse(about, File.ReadAllText(about)));
            File.WriteAllText(path, topic, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
            written.Add(path);
        }

        return written;
    }

    private static bool IsAboutTopic(string path) =>
        Path.GetFileName(path).StartsWith("about_", StringComparison.OrdinalIgnoreCase);
}
