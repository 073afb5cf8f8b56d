using System.Reflection;
using ToApis.Initializer;

namespace ToApis.Tests.Loading;

/// <summary>How one assembly reference of a module build is satisfied where that build runs.</summary>
internal enum Binding
{
    /// <summary>The runtime provides the same or a newer version.</summary>
    Framework,

    /// <summary>PowerShell itself provides it (System.Management.Automation).</summary>
    Host,

    /// <summary>The module ships exactly the requested version beside the build.</summary>
    Shipped,

    /// <summary>The module ships a newer version: .NET Framework needs the module's resolver for it.</summary>
    ShippedNewerByResolver,

    /// <summary>Nothing satisfies it: the first use of the type fails with "Could not load file or assembly".</summary>
    Unresolved,
}

internal sealed record ReferenceBinding(string From, AssemblyName Requested, Binding How, string Why)
{
    public override string ToString() => $"{From} -> {Requested.Name} {Requested.Version}: {How} ({Why})";
}

/// <summary>Follows every reference of every assembly in a module build folder to what satisfies it.</summary>
internal static class ReferenceClosure
{
    /// <summary>
    /// Windows PowerShell 5.1 on .NET Framework: references bind by exact version; a shipped newer copy loads
    /// only through <see cref="DependencyResolver.Decide"/>, the module's resolver rule.
    /// </summary>
    public static IReadOnlyList<ReferenceBinding> OnNetFramework(
        IReadOnlyDictionary<string, AssemblyFile> shipped, IReadOnlyDictionary<string, AssemblyFile> framework, Version hostPowerShell) =>
        Follow(shipped, (file, requested) =>
        {
            if (shipped.TryGetValue(requested.Name!, out var copy))
            {
                var decision = DependencyResolver.Decide(requested, copy.Identity);
                return decision != ResolveDecision.Load ? (Binding.Unresolved, $"ships {copy.Identity.Version}, resolver says {decision}")
                    : copy.Identity.Version == requested.Version ? (Binding.Shipped, "exact version beside it")
                    : (Binding.ShippedNewerByResolver, $"ships {copy.Identity.Version}");
            }

            return FromRuntimeOrHost(requested, framework, hostPowerShell, ".NET Framework 4.7.2");
        });

    /// <summary>PowerShell 7.4 on .NET 8: the module's load context loads shipped copies by path (same or newer).</summary>
    public static IReadOnlyList<ReferenceBinding> OnNet8(
        IReadOnlyDictionary<string, AssemblyFile> shipped, IReadOnlyDictionary<string, AssemblyFile> framework, Version hostPowerShell) =>
        Follow(shipped, (file, requested) =>
        {
            if (shipped.TryGetValue(requested.Name!, out var copy))
            {
                return copy.Identity.Version >= requested.Version
                    ? (Binding.Shipped, $"ships {copy.Identity.Version}")
                    : (Binding.Unresolved, $"ships only {copy.Identity.Version}");
            }

            return FromRuntimeOrHost(requested, framework, hostPowerShell, ".NET 8");
        });

    private static (Binding, string) FromRuntimeOrHost(
        AssemblyName requested, IReadOnlyDictionary<string, AssemblyFile> framework, Version hostPowerShell, string runtime)
    {
        if (framework.TryGetValue(requested.Name!, out var inBox))
        {
            return inBox.Identity.Version >= requested.Version
                ? (Binding.Framework, $"{runtime} has {inBox.Identity.Version}")
                : (Binding.Unresolved, $"{runtime} has only {inBox.Identity.Version}");
        }

        if (requested.Name == "System.Management.Automation")
        {
            return requested.Version <= hostPowerShell
                ? (Binding.Host, $"PowerShell provides {hostPowerShell}")
                : (Binding.Unresolved, $"PowerShell provides only {hostPowerShell}");
        }

        return (Binding.Unresolved, $"neither shipped nor in {runtime}");
    }

    private static List<ReferenceBinding> Follow(
        IReadOnlyDictionary<string, AssemblyFile> shipped, Func<AssemblyFile, AssemblyName, (Binding How, string Why)> bind) =>
        shipped.Values
            .OrderBy(file => file.Name, StringComparer.Ordinal)
            .SelectMany(file => file.References.Select(requested =>
            {
                var (how, why) = bind(file, requested);
                return new ReferenceBinding(file.Name, requested, how, why);
            }))
            .ToList();
}
