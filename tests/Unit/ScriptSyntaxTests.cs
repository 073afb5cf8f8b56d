using System.Management.Automation.Language;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests;

/// <summary>
/// build.ps1, the Pester suite and the example runbook run only where pwsh is installed; parse them here so a
/// syntax error never reaches that machine.
/// </summary>
public sealed class ScriptSyntaxTests
{
    public static TheoryData<string> Scripts() => new()
    {
        "build.ps1",
        "tests/Pester/ToApis.Tests.ps1",
        "examples/runbook.ps1",
        "ToApis.psd1",
    };

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_parses_without_errors(string relativePath)
    {
        var path = Path.Combine(ModuleAssembly.RepoRoot(), relativePath);
        Parser.ParseFile(path, out _, out var errors);
        Assert.True(errors.Length == 0, string.Join(Environment.NewLine, errors.Select(e => $"{e.Extent.StartLineNumber}: {e.Message}")));
    }

    [Fact]
    public void Manifest_passes_Test_ModuleManifest()
    {
        using var host = new PowerShellHost();
        var result = host.Run("param($path) Test-ModuleManifest -Path $path", new System.Collections.Hashtable { ["path"] = ModuleAssembly.ManifestPath });
        Assert.Empty(result.Errors);
        Assert.Single(result.Output);
    }
}
