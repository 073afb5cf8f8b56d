using System.Collections;
using System.Management.Automation.Language;
using System.Reflection;
using ToApis.Initializer;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Loading;

/// <summary>Windows PowerShell's resolver: its rule, its wiring to AppDomain.AssemblyResolve, and its place in ToApis.psm1.</summary>
public sealed class DependencyResolverTests : IDisposable
{
    private const string BclToken = "cc7b13ffcd2ddd51";
    private static readonly string DesktopBin = Path.Combine(ModuleAssembly.ModuleFolder, "bin", "netstandard2.0");
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("Microsoft.Bcl.TimeProvider, Version=8.0.0.0, Culture=neutral, PublicKeyToken=" + BclToken, "Microsoft.Bcl.TimeProvider, Version=8.0.0.1, Culture=neutral, PublicKeyToken=" + BclToken, ResolveDecision.Load)]
    [InlineData("System.Buffers, Version=4.0.2.0, Culture=neutral, PublicKeyToken=" + BclToken, "System.Buffers, Version=4.0.3.0, Culture=neutral, PublicKeyToken=" + BclToken, ResolveDecision.Load)]
    [InlineData("Polly.Core, Version=8.0.0.0, Culture=neutral, PublicKeyToken=c8a3ffc3f8f825cc", "Polly.Core, Version=8.0.0.0, Culture=neutral, PublicKeyToken=c8a3ffc3f8f825cc", ResolveDecision.Load)]
    [InlineData("polly.core, Version=8.0.0.0", "Polly.Core, Version=8.0.0.0, Culture=neutral, PublicKeyToken=c8a3ffc3f8f825cc", ResolveDecision.Load)]
    [InlineData("Polly.Core", "Polly.Core, Version=8.0.0.0, Culture=neutral, PublicKeyToken=c8a3ffc3f8f825cc", ResolveDecision.Load)]
    [InlineData("System.Text.Json, Version=9.0.0.0, Culture=neutral, PublicKeyToken=" + BclToken, "System.Text.Json, Version=8.0.0.0, Culture=neutral, PublicKeyToken=" + BclToken, ResolveDecision.ShippedIsOlder)]
    [InlineData("Polly.Core, Version=8.0.0.0, Culture=neutral, PublicKeyToken=c8a3ffc3f8f825cc", "Polly.Core, Version=8.0.0.0, Culture=neutral, PublicKeyToken=null", ResolveDecision.OtherPublisher)]
    [InlineData("System.Buffers, Version=4.0.2.0, Culture=neutral, PublicKeyToken=b77a5c561934e089", "System.Buffers, Version=4.0.3.0, Culture=neutral, PublicKeyToken=" + BclToken, ResolveDecision.OtherPublisher)]
    [InlineData("Newtonsoft.Json, Version=13.0.0.0", "Polly.Core, Version=8.0.0.0", ResolveDecision.NotShipped)]
    public void Decides_by_simple_name_publisher_and_same_or_newer_version(string requested, string shipped, ResolveDecision expected) =>
        Assert.Equal(expected, DependencyResolver.Decide(new AssemblyName(requested), new AssemblyName(shipped)));

    [Fact]
    public void Decides_not_shipped_when_the_module_has_no_such_file() =>
        Assert.Equal(ResolveDecision.NotShipped, DependencyResolver.Decide(new AssemblyName("System.Buffers, Version=4.0.2.0"), null));

    [Theory]
    [InlineData("Polly.Core", true)]
    [InlineData("Not.Shipped", false)]
    [InlineData("../netstandard2.0/Polly.Core", false)]
    [InlineData("..", false)]
    [InlineData("", false)]
    public void Answers_only_from_files_of_its_own_folder(string simpleName, bool answers) =>
        Assert.Equal(answers, DependencyResolver.ShippedPath(DesktopBin, simpleName) is not null);

    [Fact]
    public void Handler_loads_a_newer_shipped_copy_while_registered_and_stops_when_unregistered()
    {
        // This process's own context has neither, so the runtime asks AppDomain.AssemblyResolve for them
        // (the module's Polly.Core lives in the module's load context, not in the default one).
        var timeProvider = new AssemblyName($"Microsoft.Bcl.TimeProvider, Version=8.0.0.0, Culture=neutral, PublicKeyToken={BclToken}");
        var polly = new AssemblyName("Polly.Core, Version=8.0.0.0, Culture=neutral, PublicKeyToken=c8a3ffc3f8f825cc");
        var folder = _temp.Path;
        File.Copy(Path.Combine(DesktopBin, "Microsoft.Bcl.TimeProvider.dll"), Path.Combine(folder, "Microsoft.Bcl.TimeProvider.dll"));
        File.Copy(Path.Combine(DesktopBin, "Polly.Core.dll"), Path.Combine(folder, "Polly.Core.dll"));
        Assert.Null(DependencyResolver.Folder);

        DependencyResolver.Register(folder);
        try
        {
            var loaded = Assembly.Load(timeProvider);
            // Whatever version ships (Directory.Packages.props pins it; ShippedVersionsTests checks the pin).
            Assert.Equal(AssemblyFile.Read(Path.Combine(DesktopBin, "Microsoft.Bcl.TimeProvider.dll")).Identity.Version, loaded.GetName().Version);
            Assert.Equal(Path.Combine(folder, "Microsoft.Bcl.TimeProvider.dll"), loaded.Location);
        }
        finally
        {
            DependencyResolver.Unregister();
        }

        Assert.Null(DependencyResolver.Folder);
        Assert.Throws<FileNotFoundException>(() => Assembly.Load(polly));
    }

    [Fact]
    public void Importing_the_initializer_installs_the_handler_and_removing_the_module_that_imported_it_removes_it()
    {
        // The shape of ToApis.psm1 on Windows PowerShell: a script module imports the initializer as a nested module.
        var module = Path.Combine(_temp.Path, "UsesInitializer.psm1");
        File.WriteAllText(module, $"Import-Module '{Path.Combine(DesktopBin, "ToApis.Initializer.dll")}'");
        using var host = new PowerShellHost();

        var imported = host.Run("param($module) Import-Module $module; [ToApis.Initializer.DependencyResolver]::Folder", new Hashtable { ["module"] = module });
        var removed = host.Run("Remove-Module UsesInitializer; [ToApis.Initializer.DependencyResolver]::Folder");

        Assert.Empty(imported.Errors);
        Assert.NotNull(Assert.Single(imported.Output));
        Assert.Empty(removed.Errors);
        Assert.Null(Assert.Single(removed.Output));
    }

    [Fact]
    public void ToApis_psm1_imports_the_initializer_before_the_cmdlet_assembly_on_Windows_PowerShell()
    {
        var script = Parser.ParseFile(Path.Combine(ModuleAssembly.RepoRoot(), "ToApis.psm1"), out _, out var errors);
        Assert.Empty(errors);
        var editionCheck = (IfStatementAst)script.Find(a => a is IfStatementAst i && i.Clauses[0].Item1.Extent.Text.Contains("$PSEdition -eq 'Core'"), searchNestedScriptBlocks: false)!;

        var desktopImports = editionCheck.ElseClause.FindAll(a => a is CommandAst c && c.GetCommandName() == "Import-Module", searchNestedScriptBlocks: false)
            .Select(a => a.Extent.Text)
            .ToList();

        Assert.Equal(2, desktopImports.Count);
        Assert.Contains("'ToApis.Initializer.dll'", desktopImports[0]);
        Assert.Contains("'ToApis.PowerShell.dll'", desktopImports[1]);
    }
}
