using System.Reflection;
using ToApis.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace ToApis.Tests.Loading;

/// <summary>
/// Both builds in out/ToApis/bin load by construction: every reference of every assembly beside each build,
/// read from metadata, is satisfied by the runtime that build runs on, by PowerShell, or by a shipped copy
/// under the rule that loads it there.
/// </summary>
public sealed class DependencyClosureTests(ITestOutputHelper log)
{
    /// <summary>Windows PowerShell 5.1's System.Management.Automation.</summary>
    private static readonly Version WindowsPowerShell = new(3, 0, 0, 0);

    /// <summary>PowerShell 7.4's System.Management.Automation.</summary>
    private static readonly Version PowerShell74 = new(7, 4, 0, 0);

    /// <summary>
    /// The references that .NET Framework cannot bind on its own (the shipped copy is newer than the one asked
    /// for) and that only the module's resolver satisfies, each with the version asked for; the version that
    /// ships is read from the shipped file. A package update that changes this list must be looked at: update
    /// the list once the test shows every new one resolves.
    /// </summary>
    private static readonly string[] ResolvedOnlyByTheResolver =
    [
        "Polly.Core -> Microsoft.Bcl.AsyncInterfaces 6.0.0.0",
        "Polly.Core -> Microsoft.Bcl.TimeProvider 8.0.0.0",
        "Polly.Core -> System.ComponentModel.Annotations 4.2.0.0",
        "Polly.Core -> System.Runtime.CompilerServices.Unsafe 4.0.4.1",
        "System.Memory -> System.Buffers 4.0.2.0",
        "System.Memory -> System.Runtime.CompilerServices.Unsafe 4.0.4.1",
        "System.Text.Encodings.Web -> System.Buffers 4.0.2.0",
        "System.Text.Json -> System.Buffers 4.0.2.0",
        "System.Threading.Tasks.Extensions -> System.Runtime.CompilerServices.Unsafe 4.0.4.1",
        "ToApis.PowerShell -> System.Buffers 4.0.2.0",
    ];

    private static string BinFolder(string framework) => Path.Combine(ModuleAssembly.ModuleFolder, "bin", framework);

    [Fact]
    public void Every_reference_of_the_netstandard2_0_build_resolves_on_Windows_PowerShell_and_the_resolver_answers_the_mismatches()
    {
        var shipped = AssemblyFile.ReadFolders(BinFolder("netstandard2.0"));
        Assert.Contains("ToApis.Initializer", shipped.Keys);

        var bindings = ReferenceClosure.OnNetFramework(shipped, Frameworks.NetFramework472(), WindowsPowerShell);

        foreach (var binding in bindings)
        {
            log.WriteLine(binding.ToString());
        }

        Assert.Empty(bindings.Where(b => b.How == Binding.Unresolved).Select(b => b.ToString()));
        var byResolver = bindings.Where(b => b.How == Binding.ShippedNewerByResolver).ToList();
        Assert.Equal(ResolvedOnlyByTheResolver, byResolver.Select(b => $"{b.From} -> {b.Requested.Name} {b.Requested.Version}").Order(StringComparer.Ordinal));
        Assert.All(byResolver, b => Assert.True(shipped[b.Requested.Name!].Identity.Version > b.Requested.Version, $"{b}: the shipped copy is not newer."));
    }

    [Fact]
    public void Net8_build_and_everything_beside_it_reference_nothing_above_NET_8()
    {
        var shipped = AssemblyFile.ReadFolders(BinFolder("net8.0"));
        // .NET 8 has System.Text.Json: PowerShell's copy is used, none is shipped to clash with it.
        Assert.DoesNotContain("System.Text.Json", shipped.Keys);
        Assert.Contains("Polly.Core", shipped.Keys);

        var bindings = ReferenceClosure.OnNet8(shipped, Frameworks.Net8(), PowerShell74);

        foreach (var binding in bindings)
        {
            log.WriteLine(binding.ToString());
        }

        Assert.Contains(bindings, b => b.Requested.Name == "System.Runtime" && b.How == Binding.Framework);
        Assert.Empty(bindings.Where(b => b.How == Binding.Unresolved).Select(b => b.ToString()));
    }

    [Fact]
    public void The_closure_check_reports_what_would_not_load()
    {
        static AssemblyFile File(string identity, params string[] references) =>
            new(identity.Split(',')[0] + ".dll", new AssemblyName(identity), references.Select(r => new AssemblyName(r)).ToList());
        var framework = new[] { File("System.Runtime, Version=8.0.0.0") }.ToDictionary(f => f.Name);
        var shipped = new[]
        {
            File("A, Version=1.0.0.0", "B, Version=2.0.0.0", "System.Runtime, Version=9.0.0.0", "Missing, Version=1.0.0.0", "System.Management.Automation, Version=7.5.0.0"),
            File("B, Version=1.5.0.0"),
        }.ToDictionary(f => f.Name);

        var onNet8 = ReferenceClosure.OnNet8(shipped, framework, PowerShell74);
        var onFramework = ReferenceClosure.OnNetFramework(shipped, framework, WindowsPowerShell);

        Assert.All(onNet8.Concat(onFramework), b => Assert.Equal(Binding.Unresolved, b.How));
        Assert.Equal(4, onNet8.Count);
        Assert.Equal(4, onFramework.Count);
    }
}
