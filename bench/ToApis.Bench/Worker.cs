using System.Collections;
using System.Management.Automation;
using System.Text.Json;
using ToApis.Bench.Measurement;
using ToApis.Emulator;
using ToApis.Tests.Infrastructure;

namespace ToApis.Bench;

/// <summary>What one client process of a scenario runs, handed over as a JSON file.</summary>
internal sealed record WorkerSpec(
    string Manifest,
    string BaseUri,
    string ApiKey,
    string ConnectParameters,
    ScriptKind Script,
    string RowPrefix,
    int Tasks,
    double PollSec,
    string SaveFolder,
    int WarmupTasks,
    double TimeScale,
    int Seed,
    string StateFolder,
    string ResultPath);

/// <summary>What one client process measured of itself, handed back as a JSON file.</summary>
internal sealed record WorkerResult(
    DateTimeOffset StartedAt,
    DateTimeOffset EndedAt,
    IReadOnlyList<OutputRecord> Outputs,
    IReadOnlyList<string> Errors,
    int Warnings,
    long WorkingSetBefore,
    long WorkingSetPeak,
    long? WorkingSetAtTask100,
    long? HeapAtTask100,
    long HeapAtEnd,
    long Gen0Budget,
    double CpuSeconds);

/// <summary>
/// A client process (<c>ToApis.Bench --worker spec.json</c>): hosts the PowerShell engine with the module, warms
/// up against an emulator of its own, says "ready", runs its scenario when told "go", and measures only itself.
/// Its working set and CPU are the client's alone, whatever the emulator in the parent costs.
/// </summary>
internal static class Worker
{
    public const string Flag = "--worker";

    public static int Run(string specPath)
    {
        var spec = JsonSerializer.Deserialize<WorkerSpec>(File.ReadAllText(specPath))!;
        // Where the module remembers learned paces: the scenario's own folder, never the user's.
        Environment.SetEnvironmentVariable("TOAPIS_STATE_DIR", spec.StateFolder);
        if (spec.WarmupTasks > 0)
        {
            WarmUp(spec);
        }

        using var shell = new PowerShellHost(null, spec.Manifest);
        if (spec.Script != ScriptKind.Parallel)
        {
            shell.Connect(new Uri(spec.BaseUri), spec.ApiKey, spec.ConnectParameters);
        }

        var recorder = new OutputRecorder(workingSetCheckpoint: 100);
        var parameters = Parameters(spec, spec.BaseUri, recorder, Rows(spec.RowPrefix, spec.Tasks), spec.SaveFolder);
        Console.WriteLine("ready");
        if (Console.ReadLine() != "go")
        {
            return 2;
        }

        ScriptResult result;
        DateTimeOffset started, ended;
        long before, peak, gen0Budget;
        TimeSpan cpu;
        using (var sampler = ResourceSampler.Start())
        {
            started = DateTimeOffset.UtcNow;
            result = shell.Run(Scenario.ScriptText(spec.Script), parameters);
            ended = DateTimeOffset.UtcNow;
            (before, peak, gen0Budget, cpu) = (sampler.Baseline, sampler.Peak, sampler.Gen0Budget, sampler.CpuUsed);
        }

        var heapAtEnd = GC.GetTotalMemory(forceFullCollection: true);
        if (spec.Script != ScriptKind.Parallel)
        {
            shell.Run("Disconnect-ToApis"); // the account's last user writes what it learned, as a script's end would
        }

        var measured = new WorkerResult(
            started, ended, recorder.Outputs, [.. result.Errors.Select(e => e.ToString())], result.Warnings.Count,
            before, peak, recorder.WorkingSetAtCheckpoint, recorder.HeapAtCheckpoint, heapAtEnd, gen0Budget, cpu.TotalSeconds);
        File.WriteAllText(spec.ResultPath, JsonSerializer.Serialize(measured));
        return 0;
    }

    /// <summary>The same script against an emulator of this process's own, unmeasured: the JIT tiers up the hot code.</summary>
    private static void WarmUp(WorkerSpec spec)
    {
        var options = new EmulatorOptions { TimeScale = spec.TimeScale, Seed = spec.Seed };
        options.Users[EmulatorOptions.DefaultApiKey] = new EmulatorUser(EmulatorOptions.DefaultUserId, RateTier.Svip);
        var emulator = ToApisEmulator.StartAsync(options).GetAwaiter().GetResult();
        var folder = Path.Combine(Path.GetTempPath(), "toapis-bench-warmup-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var shell = new PowerShellHost(null, spec.Manifest);
            if (spec.Script != ScriptKind.Parallel)
            {
                shell.Connect(emulator.BaseUri, emulator.ApiKey, "-RateTier Svip");
            }

            var rows = Rows("warmup", spec.Script == ScriptKind.DocsSample ? Math.Min(5, spec.WarmupTasks) : spec.WarmupTasks);
            shell.Run(Scenario.ScriptText(spec.Script), Parameters(spec, emulator.BaseUri.ToString(), new OutputRecorder(100), rows, folder));
        }
        finally
        {
            emulator.DisposeAsync().AsTask().GetAwaiter().GetResult();
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static Hashtable Parameters(WorkerSpec spec, string baseUri, OutputRecorder recorder, IEnumerable<PSObject> rows, string saveFolder)
    {
        var parameters = new Hashtable { ["rows"] = rows, ["recorder"] = recorder, ["pollSec"] = spec.PollSec };
        switch (spec.Script)
        {
            case ScriptKind.NewWaitSave:
                parameters["savePath"] = saveFolder;
                break;
            case ScriptKind.Parallel:
                // Each parallel runspace imports and connects by itself, as such scripts do.
                parameters["manifest"] = spec.Manifest;
                parameters["baseUri"] = baseUri;
                parameters["apiKey"] = PowerShellHost.Secure(spec.ApiKey);
                break;
        }

        return parameters;
    }

    /// <summary>
    /// Rows as Import-Csv makes them, a Name to save under and a Prompt, and as it hands them on: one at a time,
    /// made when the pipeline asks for the next, so what the client's memory holds is the client's.
    /// </summary>
    private static IEnumerable<PSObject> Rows(string prefix, int count)
    {
        for (var i = 1; i <= count; i++)
        {
            var row = new PSObject();
            row.Properties.Add(new PSNoteProperty("Name", $"{prefix}-{i:D5}"));
            row.Properties.Add(new PSNoteProperty("Prompt", $"Bench image {prefix} {i}: a lighthouse on a cliff at dawn, watercolor"));
            yield return row;
        }
    }
}
