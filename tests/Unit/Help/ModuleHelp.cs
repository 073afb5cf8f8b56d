using ToApis.HelpBuilder;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Help;

/// <summary>The module's cmdlets, as the engine exports them, and their markdown help in docs/cmdlets.</summary>
internal static class ModuleHelp
{
    public static readonly string DocsFolder = Path.Combine(ModuleAssembly.RepoRoot(), "docs", "cmdlets");

    private static readonly Lazy<IReadOnlyList<string>> Cmdlets = new(() =>
    {
        using var host = new PowerShellHost();
        return host.Run("Get-Command -Module ToApis -CommandType Cmdlet | ForEach-Object Name").Output
            .Select(name => name.ToString()).Order(StringComparer.Ordinal).ToList();
    });

    /// <summary>Every cmdlet the module exports, read from the imported module, never listed by hand.</summary>
    public static IReadOnlyList<string> ExportedCmdlets => Cmdlets.Value;

    public static TheoryData<string> CmdletData() => new(ExportedCmdlets);

    public static string MarkdownPath(string cmdlet) => Path.Combine(DocsFolder, cmdlet + ".md");

    public static CommandHelp Markdown(string cmdlet) =>
        CommandHelpReader.Read(MarkdownPath(cmdlet), File.ReadAllText(MarkdownPath(cmdlet)));
}
