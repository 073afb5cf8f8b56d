using System.Reflection;
using System.Runtime.Loader;

namespace ToApis.Tests.Infrastructure;

/// <summary>
/// Makes the module's types (for the tests that look at them directly) resolve to the very assembly that
/// Import-Module uses: the one ToApis.psm1 loads into the module's own load context from out/ToApis.
/// A host that names the module's types calls <see cref="ResolveModuleTypes"/> first, from a module initializer
/// of its own (the tests' Infrastructure/ModuleTypes.cs).
/// </summary>
public static class ModuleAssembly
{
    public static readonly string ModuleFolder = Path.Combine(RepoRoot(), "out", "ToApis");

    public static readonly string ManifestPath = Path.Combine(ModuleFolder, "ToApis.psd1");

    public static readonly string CoreBinFolder = Path.Combine(ModuleFolder, "bin", "net8.0");

    private static int _registered;

    /// <summary>From now on, ToApis.PowerShell resolves to the module's copy (once per process, however often called).</summary>
    public static void ResolveModuleTypes()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0)
        {
            AssemblyLoadContext.Default.Resolving += (_, name) =>
                name.Name == "ToApis.PowerShell" ? LoadedByModule() : null;
        }
    }

    /// <summary>Asks the module's loader, as ToApis.psm1 does; it returns the same assembly every time.</summary>
    private static Assembly LoadedByModule()
    {
        var loader = Assembly.LoadFrom(Path.Combine(CoreBinFolder, "ToApis.LoadContext.dll"));
        var initialize = loader.GetType("ToApis.LoadContext.ModuleLoadContext", throwOnError: true)!.GetMethod("Initialize")!;
        return (Assembly)initialize.Invoke(null, null)!;
    }

    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ToApis.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("ToApis.sln not found above " + AppContext.BaseDirectory);
    }
}
