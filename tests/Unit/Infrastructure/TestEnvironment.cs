using System.Runtime.CompilerServices;

namespace ToApis.Tests.Infrastructure;

/// <summary>Process-wide settings every test relies on, made before any test runs.</summary>
internal static class TestEnvironment
{
    /// <summary>Where this test run's learned paces go: never the user's own local application data.</summary>
    public static readonly string StateFolder = Path.Combine(Path.GetTempPath(), "toapis-tests-state-" + Environment.ProcessId);

    [ModuleInitializer]
    internal static void Initialize()
    {
        Environment.SetEnvironmentVariable("TOAPIS_STATE_DIR", StateFolder);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(StateFolder, recursive: true);
            }
            catch (IOException)
            {
            }
        };
    }
}
