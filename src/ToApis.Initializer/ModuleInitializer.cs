using System.IO;
using System.Management.Automation;

namespace ToApis.Initializer;

/// <summary>
/// Imported by ToApis.psm1 on Windows PowerShell before the cmdlet assembly: installs the dependency resolver
/// for this assembly's folder, and removes it when the module is removed.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    public void OnImport() => DependencyResolver.Register(Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!);

    public void OnRemove(PSModuleInfo psModuleInfo) => DependencyResolver.Unregister();
}
