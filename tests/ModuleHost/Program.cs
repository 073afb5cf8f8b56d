using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.Loader;
using System.Security;

// Usage:
//   ToApis.ModuleHost <manifest> <baseUri> <apiKey> [assembly to load first ...]
//     Loads the given assemblies into the default context (as other modules would), imports ToApis, runs a
//     small pipeline against the service at baseUri and prints one line per result, error and loaded copy of
//     a shared dependency.
//   ToApis.ModuleHost --script <manifest> <script file> [name=value ...]
//     Imports ToApis and runs the script with the given string parameters, as a scheduled runbook would: a
//     process of its own that tests can kill at any point. Prints one line per output object and
//     "error <ErrorId>: <message>" per error; a terminating error exits 3.
if (args.Length >= 3 && args[0] == "--script")
{
    return RunScript(args[1], args[2], args.Skip(3));
}

if (args.Length < 3)
{
    Console.Error.WriteLine("usage: ToApis.ModuleHost <manifest> <baseUri> <apiKey> [preload.dll ...] | --script <manifest> <script> [name=value ...]");
    return 2;
}

foreach (var preload in args.Skip(3))
{
    var loaded = AssemblyLoadContext.Default.LoadFromAssemblyPath(Path.GetFullPath(preload));
    Console.WriteLine($"preloaded {loaded.GetName().Name} {FileVersionInfo.GetVersionInfo(loaded.Location).FileVersion}");
}

using var runspace = OpenRunspace(args[0]);
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

static Runspace OpenRunspace(string manifest)
{
    var state = InitialSessionState.CreateDefault2();
    state.ImportPSModule(manifest);
    state.ThrowOnRunspaceOpenError = true;
    var runspace = RunspaceFactory.CreateRunspace(state);
    runspace.Open();
    return runspace;
}

static int RunScript(string manifest, string scriptFile, IEnumerable<string> parameters)
{
    using var runspace = OpenRunspace(manifest);
    using var shell = PowerShell.Create(runspace);
    shell.AddScript(File.ReadAllText(scriptFile));
    foreach (var parameter in parameters)
    {
        var equals = parameter.IndexOf('=');
        shell.AddParameter(parameter[..equals], parameter[(equals + 1)..]);
    }

    var output = new PSDataCollection<PSObject>();
    output.DataAdded += (_, e) => Console.WriteLine(output[e.Index]);
    shell.Streams.Error.DataAdded += (_, e) =>
    {
        var error = shell.Streams.Error[e.Index];
        Console.WriteLine($"error {error.FullyQualifiedErrorId.Split(',')[0]}: {error}");
    };
    try
    {
        shell.Invoke(null, output);
    }
    catch (RuntimeException terminating)
    {
        Console.WriteLine($"error {terminating.ErrorRecord.FullyQualifiedErrorId.Split(',')[0]}: {terminating.Message}");
        return 3;
    }

    return shell.Streams.Error.Count == 0 ? 0 : 1;
}
