using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.Loader;
using System.Security;

// Usage: ToApis.ModuleHost <manifest> <baseUri> <apiKey> [assembly to load first ...]
// Loads the given assemblies into the default context (as other modules would), imports ToApis, runs a
// small pipeline against the service at baseUri and prints one line per result, error and loaded copy of a
// shared dependency.
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: ToApis.ModuleHost <manifest> <baseUri> <apiKey> [preload.dll ...]");
    return 2;
}

foreach (var preload in args.Skip(3))
{
    var loaded = AssemblyLoadContext.Default.LoadFromAssemblyPath(Path.GetFullPath(preload));
    Console.WriteLine($"preloaded {loaded.GetName().Name} {FileVersionInfo.GetVersionInfo(loaded.Location).FileVersion}");
}

var state = InitialSessionState.CreateDefault2();
state.ImportPSModule(args[0]);
state.ThrowOnRunspaceOpenError = true;
using var runspace = RunspaceFactory.CreateRunspace(state);
runspace.Open();
using var shell = PowerShell.Create(runspace);
var key = new SecureString();
foreach (var c in args[2])
{
    key.AppendChar(c);
}

shell.AddScript("""
    param($uri, $key)
    Connect-ToApis -BaseUri $uri -ApiKey $key -RetryIntervalSec 0.01
    'first', 'second' | New-ToApisImage | Wait-ToApisTask -PollIntervalSec 0.02 | ForEach-Object { "completed $($_.Id)" }
    """).AddParameter("uri", args[1]).AddParameter("key", key);
foreach (var line in shell.Invoke())
{
    Console.WriteLine(line);
}

foreach (var error in shell.Streams.Error)
{
    Console.WriteLine($"error {error.FullyQualifiedErrorId}: {error}");
}

foreach (var context in AssemblyLoadContext.All)
{
    foreach (var assembly in context.Assemblies.Where(a => a.GetName().Name is "Polly.Core"))
    {
        Console.WriteLine($"{assembly.GetName().Name} {assembly.GetName().Version} {FileVersionInfo.GetVersionInfo(assembly.Location).FileVersion} in context {context.Name}");
    }
}

return shell.Streams.Error.Count == 0 ? 0 : 1;
