using System.Runtime.CompilerServices;

namespace ToApis.Tests.Infrastructure;

/// <summary>Tests name the module's types directly (ToApisTask, TaskParser, …): they must resolve to the module's copy from the start.</summary>
internal static class ModuleTypes
{
    [ModuleInitializer]
    internal static void Resolve() => ModuleAssembly.ResolveModuleTypes();
}
