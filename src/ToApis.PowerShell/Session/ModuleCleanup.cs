using System.Management.Automation;

namespace ToApis.Session;

/// <summary>Remove-Module ToApis: the sessions this runspace made close their connections and timers.</summary>
public sealed class ModuleCleanup : IModuleAssemblyCleanup
{
    public void OnRemove(PSModuleInfo psModuleInfo) => SessionStore.DisposeRunspaceSessions();
}
