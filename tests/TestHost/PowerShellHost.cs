using System.Collections;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security;

namespace ToApis.Tests.Infrastructure;

/// <summary>What one script run produced, stream by stream.</summary>
public sealed record ScriptResult(
    IReadOnlyList<PSObject> Output,
    IReadOnlyList<ErrorRecord> Errors,
    IReadOnlyList<WarningRecord> Warnings,
    IReadOnlyList<VerboseRecord> Verbose,
    IReadOnlyList<ProgressRecord> Progress)
{
    public IEnumerable<T> OutputOf<T>() => Output.Select(o => o.BaseObject).OfType<T>();
}

/// <summary>
/// A real PowerShell 7.6 runspace with out/ToApis imported, as a user's session would have it.
/// One per test: sessions are per runspace, so tests stay independent.
/// </summary>
public sealed class PowerShellHost : IDisposable
{
    private readonly Runspace _runspace;

    public PowerShellHost()
        : this(null)
    {
    }

    /// <summary>
    /// A runspace whose console output (Out-Host) goes to <paramref name="host"/>, e.g. a <see cref="TextCaptureHost"/>,
    /// with <paramref name="manifest"/> imported (default: the module this tree builds).
    /// </summary>
    public PowerShellHost(System.Management.Automation.Host.PSHost? host, string? manifest = null)
    {
        var state = SessionStates.GetOrAdd(manifest ?? ModuleAssembly.ManifestPath, NewSessionState).Clone();
        state.ThrowOnRunspaceOpenError = true;
        _runspace = host is null ? RunspaceFactory.CreateRunspace(state) : RunspaceFactory.CreateRunspace(host, state);
        _runspace.Open();
    }

    /// <summary>
    /// One session state per manifest, cloned for each runspace: every runspace still starts as a fresh
    /// session with the module imported, without describing PowerShell's built-in commands anew each time.
    /// </summary>
    private static readonly ConcurrentDictionary<string, InitialSessionState> SessionStates = new(StringComparer.Ordinal);

    private static InitialSessionState NewSessionState(string manifest)
    {
        var state = InitialSessionState.CreateDefault2();
        state.ImportPSModule(manifest);
        state.ThrowOnRunspaceOpenError = true;
        return state;
    }

    /// <summary>Connects this runspace to an emulator (or any base URI) with a key passed as a SecureString.</summary>
    public void Connect(Uri baseUri, string apiKey, string extraParameters = "")
    {
        var result = Run(
            "param($uri, $key) Connect-ToApis -BaseUri $uri -ApiKey $key " + extraParameters,
            new Hashtable { ["uri"] = baseUri.ToString(), ["key"] = Secure(apiKey) });
        if (result.Errors.Count > 0)
        {
            throw new InvalidOperationException("Connect-ToApis failed: " + result.Errors[0]);
        }
    }

    /// <summary>Runs script text; a terminating error is thrown as <see cref="RuntimeException"/>.</summary>
    public ScriptResult Run(string script, IDictionary? parameters = null)
    {
        using var shell = PowerShell.Create();
        shell.Runspace = _runspace;
        shell.AddScript(script);
        if (parameters is not null)
        {
            shell.AddParameters(parameters);
        }

        var output = shell.Invoke();
        return new ScriptResult(
            output.ToList(), shell.Streams.Error.ToList(), shell.Streams.Warning.ToList(), shell.Streams.Verbose.ToList(),
            shell.Streams.Progress.ToList());
    }

    /// <summary>Starts script text without waiting, for tests that stop a pipeline midway.</summary>
    public PowerShell Start(string script, IDictionary? parameters = null)
    {
        var shell = PowerShell.Create();
        shell.Runspace = _runspace;
        shell.AddScript(script);
        if (parameters is not null)
        {
            shell.AddParameters(parameters);
        }

        return shell;
    }

    public static SecureString Secure(string text)
    {
        var secure = new SecureString();
        foreach (var c in text)
        {
            secure.AppendChar(c);
        }

        secure.MakeReadOnly();
        return secure;
    }

    public void Dispose() => _runspace.Dispose();
}
