using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace ToApis.Tests.Infrastructure;

/// <summary>
/// Makes the module's types (for the few tests that look at them directly) resolve to the one copy in
/// out/ToApis, the folder Import-Module loads, so the engine and the tests share a single assembly.
/// </summary>
internal static class ModuleAssembly
{
    public static readonly string ModuleFolder = Path.Combine(RepoRoot(), "out", "ToApis");

    public static readonly string ManifestPath = Path.Combine(ModuleFolder, "ToApis.psd1");

    [ModuleInitializer]
    internal static void Register() =>
        AssemblyLoadContext.Default.Resolving += (_, name) =>
            name.Name == "ToApis.PowerShell"
                // LoadFrom, as PowerShell does: the module's own dependencies then resolve from its folder.
                ? Assembly.LoadFrom(Path.Combine(ModuleFolder, "ToApis.PowerShell.dll"))
                : null;

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
