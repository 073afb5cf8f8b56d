using System.Text.RegularExpressions;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests;

/// <summary>The layout tells the architecture; these keep it telling the truth.</summary>
public sealed partial class ArchitectureTests
{
    private static readonly string ModuleSource = Path.Combine(ModuleAssembly.RepoRoot(), "src", "ToApis.PowerShell");

    [Fact]
    public void The_client_core_knows_nothing_of_PowerShell()
    {
        var offenders = SourceFiles("Client")
            .Where(file => PowerShellUsage().IsMatch(File.ReadAllText(file)))
            .Select(file => Path.GetRelativePath(ModuleSource, file))
            .ToList();

        Assert.NotEmpty(SourceFiles("Client"));
        Assert.Empty(offenders);
    }

    [Fact]
    public void Commands_holds_only_cmdlets_and_their_bases()
    {
        var notCmdlets = SourceFiles("Commands")
            .Where(file => !CmdletOrBase().IsMatch(File.ReadAllText(file)))
            .Select(Path.GetFileName)
            .ToList();

        Assert.Empty(notCmdlets);
    }

    [Fact]
    public void The_public_surface_is_what_users_touch()
    {
        // The module's own copy (see ModuleAssembly): loading the file again would give the tests a second one.
        var unexpected = typeof(ToApis.Models.ToApisTask).Assembly.GetExportedTypes()
            .Where(type => !IsForUsers(type))
            .Select(type => type.FullName)
            .ToList();

        Assert.Empty(unexpected);
    }

    private static bool IsForUsers(Type type) =>
        type.Namespace is "ToApis.Commands" or "ToApis.Models" or "ToApis.Completion" or "ToApis.Session"
        || type.Name == "RateTier"
        || typeof(Exception).IsAssignableFrom(type)
        || type.Name is "ApiErrorKind" or "FileProblem"; // what the exceptions say

    private static IEnumerable<string> SourceFiles(string folder) =>
        Directory.GetFiles(Path.Combine(ModuleSource, folder), "*.cs", SearchOption.AllDirectories);

    [GeneratedRegex(@"System\.Management\.Automation|\bPSObject\b|:\s*PSCmdlet\b|:\s*Cmdlet\b")]
    private static partial Regex PowerShellUsage();

    [GeneratedRegex(@"\[Cmdlet\(|public abstract class \w+CmdletBase\b")]
    private static partial Regex CmdletOrBase();
}
