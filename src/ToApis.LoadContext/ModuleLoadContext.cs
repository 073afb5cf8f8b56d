using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace ToApis.LoadContext;

/// <summary>
/// The module's own assembly load context on PowerShell 7: the cmdlet assembly and its dependencies
/// (Polly.Core, …) load from the module's bin folder here, beside whatever versions other modules (Az,
/// Microsoft.Graph) put in the default context. Anything not in the folder (the runtime, PowerShell
/// itself, System.Text.Json) comes from the default context, so PowerShell's types stay shared.
/// </summary>
public sealed class ModuleLoadContext : AssemblyLoadContext
{
    private const string CmdletAssembly = "ToApis.PowerShell";

    private static readonly object Gate = new();
    private static ModuleLoadContext? _instance;

    private readonly string _folder;

    private ModuleLoadContext(string folder)
        : base("ToApis", isCollectible: false) => _folder = folder;

    /// <summary>The cmdlet assembly, loaded once per process however many runspaces import the module.</summary>
    public static Assembly Initialize()
    {
        lock (Gate)
        {
            _instance ??= new ModuleLoadContext(Path.GetDirectoryName(typeof(ModuleLoadContext).Assembly.Location)!);
        }

        return _instance.LoadFromAssemblyName(new AssemblyName(CmdletAssembly));
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var path = Path.Combine(_folder, assemblyName.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }
}
