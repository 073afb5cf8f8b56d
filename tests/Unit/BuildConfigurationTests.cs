using System.Reflection;
using System.Text.Json;
using System.Xml.Linq;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests;

/// <summary>The versions pinned in more than one file of the build agree.</summary>
public sealed class BuildConfigurationTests
{
    [Fact]
    public void The_pwsh_tool_is_the_PowerShell_the_tests_host()
    {
        var root = ModuleAssembly.RepoRoot();
        var props = XDocument.Load(Path.Combine(root, "Directory.Packages.props"));
        var engine = props.Descendants("ToApisPowerShellVersion").Single().Value;
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, ".config", "dotnet-tools.json")));

        var tool = manifest.RootElement.GetProperty("tools").GetProperty("powershell").GetProperty("version").GetString();

        Assert.Equal(engine, tool);
        var hosted = typeof(System.Management.Automation.PowerShell).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.StartsWith(engine, hosted, StringComparison.Ordinal);
    }
}
