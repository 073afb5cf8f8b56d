using System.Collections.Concurrent;
using System.Diagnostics;

namespace ToApis.Tests.Infrastructure;

/// <summary>
/// The module in a PowerShell process of its own (tests/ModuleHost, script mode), as a scheduled runbook runs
/// it: for tests that kill a run at any point or overlap runs of several processes. Its output lines are
/// collected as they come.
/// </summary>
public sealed class ModuleHostProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private ModuleHostProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public IReadOnlyList<string> Lines => [.. _lines];

    public IEnumerable<string> ErrorIds => Lines.Where(l => l.StartsWith("error ", StringComparison.Ordinal)).Select(l => l.Split(':')[0][6..]);

    /// <summary>
    /// Starts <paramref name="script"/> (written to <paramref name="scriptFolder"/>) with string parameters, connected
    /// to <paramref name="service"/> through $env:TOAPIS_BASE_URL and $env:TOAPIS_API_KEY.
    /// </summary>
    public static ModuleHostProcess Start(EmulatedService service, string scriptFolder, string script, IDictionary<string, string>? parameters = null)
    {
        var scriptFile = Path.Combine(scriptFolder, $"run-{Guid.NewGuid():N}.ps1");
        File.WriteAllText(scriptFile, script);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(BuildFolder("ModuleHost"), "ToApis.ModuleHost.dll"));
        start.ArgumentList.Add("--script");
        start.ArgumentList.Add(ModuleAssembly.ManifestPath);
        start.ArgumentList.Add(scriptFile);
        foreach (var (name, value) in parameters ?? new Dictionary<string, string>())
        {
            start.ArgumentList.Add($"{name}={value}");
        }

        start.Environment["TOAPIS_BASE_URL"] = service.Emulator.BaseUri.ToString();
        start.Environment["TOAPIS_API_KEY"] = service.Emulator.ApiKey;
        return new ModuleHostProcess(Process.Start(start)!);
    }

    /// <summary>
    /// Runs a script file as a scheduler does, <c>pwsh -NonInteractive -File script arguments…</c>, with the pwsh of
    /// the repository's tool manifest; <paramref name="environment"/> is set on top of this process's environment.
    /// </summary>
    public static ModuleHostProcess StartPwshFile(string scriptFile, IEnumerable<string> arguments, IDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = ModuleAssembly.RepoRoot(),
        };
        foreach (var argument in new[] { "pwsh", "-NoLogo", "-NoProfile", "-NonInteractive", "-File", scriptFile }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return new ModuleHostProcess(Process.Start(start)!);
    }

    /// <summary>Waits for the process to end by itself; returns its exit code.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            Kill();
            throw new TimeoutException($"The module host did not finish within {timeout}:\n{string.Join("\n", Lines.TakeLast(20))}");
        }

        _process.WaitForExit(); // drains the output
        return _process.ExitCode;
    }

    /// <summary>Ends it at once, as a crash or a killed runbook would: no cleanup runs.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill();
        }

        _process.Dispose();
    }

    /// <summary>The output folder of a sibling test project built in the same configuration as this one.</summary>
    public static string BuildFolder(string project)
    {
        // …/tests/Unit/bin/<Configuration>/<framework>/
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent!;
        return Path.Combine(ModuleAssembly.RepoRoot(), "tests", project, "bin", configuration.Name, framework.Name);
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue(line);
        }
    }
}
