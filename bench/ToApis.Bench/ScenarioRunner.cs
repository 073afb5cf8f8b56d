using System.Collections;
using System.Diagnostics;
using System.Management.Automation;
using ToApis.Bench.Measurement;
using ToApis.Emulator;
using ToApis.Tests.Infrastructure;

namespace ToApis.Bench;

/// <summary>
/// Runs one scenario against a fresh emulator with the bench's settings, so each starts with full rate-limit
/// buckets and its own counters, in a fresh runspace with out/ToApis imported.
/// </summary>
internal sealed class ScenarioRunner(BenchOptions options, TextWriter log)
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(15);

    public static EmulatorOptions EmulatorSettings(BenchOptions options)
    {
        var settings = new EmulatorOptions { TimeScale = options.TimeScale, Seed = options.Seed };
        settings.Users[EmulatorOptions.DefaultApiKey] = new EmulatorUser(EmulatorOptions.DefaultUserId, options.Tier);
        return settings;
    }

    public async Task<ScenarioResult> RunAsync(ScenarioKind kind, int tasks, int tasksFor)
    {
        await using var emulator = await ToApisEmulator.StartAsync(EmulatorSettings(options));
        using var shell = new PowerShellHost();
        var parameters = new Hashtable
        {
            ["rows"] = Rows(tasks),
            ["pollSec"] = options.PollIntervalSec,
        };
        if (kind == ScenarioKind.Parallel)
        {
            // Each parallel runspace imports and connects by itself, as such scripts do.
            parameters["manifest"] = ModuleAssembly.ManifestPath;
            parameters["baseUri"] = emulator.BaseUri.ToString();
            parameters["apiKey"] = PowerShellHost.Secure(emulator.ApiKey);
        }
        else
        {
            // Our pipeline paces itself to the account's tier, as a user would tell it with -RateTier.
            shell.Connect(emulator.BaseUri, emulator.ApiKey, $"-RateTier {options.Tier}");
        }

        var save = kind == ScenarioKind.Pipeline && options.Save;
        var saveFolder = Path.Combine(Path.GetTempPath(), "toapis-bench-" + Guid.NewGuid().ToString("N"));
        if (save)
        {
            parameters["savePath"] = saveFolder;
        }

        var recorder = new OutputRecorder(workingSetCheckpoint: 100);
        parameters["recorder"] = recorder;
        using var progress = new Timer(
            _ => log.WriteLine($"    {kind.Letter()}: {recorder.Count}/{tasks} out, {emulator.Stats.RateLimitedResponses} 429s so far"),
            null, ProgressInterval, ProgressInterval);

        ScriptResult result;
        TimeSpan wall, cpu;
        long before, peak;
        DateTimeOffset startedAt;
        try
        {
            using var sampler = ResourceSampler.Start();
            startedAt = DateTimeOffset.UtcNow;
            var clock = Stopwatch.StartNew();
            result = shell.Run(kind.Script(save), parameters);
            wall = clock.Elapsed;
            (before, peak, cpu) = (sampler.Baseline, sampler.Peak, sampler.CpuUsed);
        }
        finally
        {
            if (Directory.Exists(saveFolder))
            {
                Directory.Delete(saveFolder, recursive: true);
            }
        }

        var outputs = recorder.Outputs;
        var stats = emulator.Stats;
        return new ScenarioResult(
            kind,
            kind.Title(save),
            tasks,
            tasksFor,
            outputs.Count,
            [.. result.Errors.Select(e => e.ToString())],
            wall,
            stats.RateLimitedResponses,
            stats.RequestCount(RouteKeys.SubmitGeneration),
            stats.RequestCount(RouteKeys.QueryGeneration),
            [.. outputs.Select(o => emulator.TaskFinishedAtRealTime(o.TaskId) is { } finished ? o.At - finished : (TimeSpan?)null).OfType<TimeSpan>()],
            [.. outputs.Select(o => (o.At - startedAt).TotalSeconds).Order()],
            before,
            peak,
            recorder.WorkingSetAtCheckpoint,
            cpu);
    }

    /// <summary>Rows as Import-Csv makes them: a Name to save under and a Prompt.</summary>
    private static PSObject[] Rows(int count) =>
        [.. Enumerable.Range(1, count).Select(i =>
        {
            var row = new PSObject();
            row.Properties.Add(new PSNoteProperty("Name", $"bench-{i:D5}"));
            row.Properties.Add(new PSNoteProperty("Prompt", $"Bench image {i}: a lighthouse on a cliff at dawn, watercolor"));
            return row;
        })];
}
