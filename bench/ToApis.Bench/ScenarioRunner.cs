using System.Diagnostics;
using System.Text.Json;
using ToApis.Emulator;

namespace ToApis.Bench;

/// <summary>Where an account lives between two scenarios that share it (e, then f): its emulator's ports and its memory.</summary>
internal sealed class SharedAccount
{
    public string StateFolder { get; } = Bench.ScenarioRunner.TemporaryFolder("toapis-bench-state-");

    public int ApiPort { get; set; }

    public int FilesPort { get; set; }
}

/// <summary>
/// Runs one scenario: a fresh emulator in this process with the scenario's account (full buckets, own counters),
/// and its client processes (this program with <see cref="Worker.Flag"/>), all started together once they are ready.
/// </summary>
internal sealed class ScenarioRunner(BenchOptions options, TextWriter log)
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan ReadyPatience = TimeSpan.FromMinutes(10);

    public static EmulatorOptions EmulatorSettings(BenchOptions options, Scenario scenario)
    {
        var settings = new EmulatorOptions { TimeScale = options.TimeScale, Seed = options.Seed };
        settings.Users[EmulatorOptions.DefaultApiKey] = scenario.User;
        settings.RateLimitHeaders = scenario.Headers;
        if (scenario.Saves)
        {
            Cdn.Apply(settings);
        }

        return settings;
    }

    public static string TemporaryFolder(string prefix)
    {
        var folder = Path.Combine(Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <param name="account">Shared with another scenario: the same ports (so the same account) and memory.</param>
    public async Task<ScenarioResult> RunAsync(Scenario scenario, SharedAccount? account = null)
    {
        var settings = EmulatorSettings(options, scenario);
        settings.ApiPort = account?.ApiPort ?? 0;
        settings.FilesPort = account?.FilesPort ?? 0;
        await using var emulator = await ToApisEmulator.StartAsync(settings);
        if (account is not null)
        {
            (account.ApiPort, account.FilesPort) = (emulator.BaseUri.Port, emulator.FilesBaseUri.Port);
        }

        var work = TemporaryFolder("toapis-bench-");
        var tasks = options.TasksOf(scenario);
        try
        {
            var workers = Enumerable.Range(0, scenario.Processes)
                .Select(i => StartWorker(new WorkerSpec(
                    options.Module, emulator.BaseUri.ToString(), emulator.ApiKey, scenario.ConnectParameters, scenario.Script,
                    $"{scenario.Letter}{i + 1}", Share(tasks, scenario.Processes, i), options.PollIntervalSec, Path.Combine(work, $"out{i + 1}"),
                    // Each process remembers in a folder of its own, as on separate machines; e and f share the account's.
                    options.WarmupTasks, options.TimeScale, options.Seed, account?.StateFolder ?? Path.Combine(work, $"state{i + 1}"),
                    Path.Combine(work, $"result{i + 1}.json"))))
                .ToList();
            try
            {
                await Task.WhenAll(workers.Select(w => w.ReadyAsync())).WaitAsync(ReadyPatience);
                using var progress = new Timer(
                    _ => log.WriteLine($"    {scenario.Letter}: {emulator.Stats.TasksCreated}/{tasks} tasks created, {emulator.Stats.RateLimitedResponses} 429s so far"),
                    null, ProgressInterval, ProgressInterval);
                var joiner = scenario.JoinsHalfway ? workers[^1] : null;
                workers.Where(w => w != joiner).ToList().ForEach(w => w.Go());
                if (joiner is not null)
                {
                    // The second process starts when the first has submitted half its rows.
                    var half = Share(tasks, scenario.Processes, 0) / 2;
                    while (emulator.Stats.TasksCreated < half)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(20));
                    }

                    joiner.Go();
                }

                await Task.WhenAll(workers.Select(w => w.ExitedAsync()));
            }
            finally
            {
                workers.ForEach(w => w.Dispose());
            }

            return Measure(scenario, tasks, emulator, [.. workers.Select(w => w.Result())]);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private ScenarioResult Measure(Scenario scenario, int tasks, ToApisEmulator emulator, IReadOnlyList<WorkerResult> workers)
    {
        var started = workers.Min(w => w.StartedAt);
        var outputs = workers.SelectMany(w => w.Outputs).ToList();
        var tasksFor = options.TasksFor(scenario);
        var stats = emulator.Stats;
        return new ScenarioResult(
            scenario,
            PhysicalLimit.For(tasksFor, scenario, EmulatorSettings(options, scenario), options.PollIntervalSec),
            tasks,
            tasksFor,
            outputs.Count,
            [.. workers.SelectMany(w => w.Errors)],
            workers.Sum(w => w.Warnings),
            workers.Max(w => w.EndedAt) - started,
            stats.RateLimitedResponses,
            stats.RequestCount(RouteKeys.SubmitGeneration),
            stats.RequestCount(RouteKeys.QueryGeneration),
            [.. outputs.Select(o => emulator.TaskFinishedAtRealTime(o.TaskId) is { } finished ? o.At - finished : (TimeSpan?)null).OfType<TimeSpan>()],
            [.. outputs.Select(o => (o.At - started).TotalSeconds).Order()],
            workers.Max(w => w.WorkingSetPeak - w.WorkingSetBefore),
            workers.All(w => w.WorkingSetAtTask100 is not null) ? workers.Max(w => w.WorkingSetPeak - w.WorkingSetAtTask100!.Value) : null,
            workers.All(w => w.HeapAtTask100 is not null) ? workers.Max(w => w.HeapAtEnd - w.HeapAtTask100!.Value) : null,
            workers.Max(w => w.Gen0Budget),
            TimeSpan.FromSeconds(workers.Sum(w => w.CpuSeconds)));
    }

    private static int Share(int tasks, int processes, int index) => (tasks / processes) + (index < tasks % processes ? 1 : 0);

    private WorkerProcess StartWorker(WorkerSpec spec)
    {
        var specPath = Path.ChangeExtension(spec.ResultPath, ".spec.json");
        File.WriteAllText(specPath, JsonSerializer.Serialize(spec));
        return new WorkerProcess(specPath, spec.ResultPath, log);
    }

    /// <summary>One client process: started at once, told "go" once every process of the scenario is ready.</summary>
    private sealed class WorkerProcess : IDisposable
    {
        private readonly Process _process;
        private readonly string _resultPath;
        private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public WorkerProcess(string specPath, string resultPath, TextWriter log)
        {
            _resultPath = resultPath;
            var start = new ProcessStartInfo(Environment.ProcessPath!)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
            {
                start.ArgumentList.Add(typeof(Worker).Assembly.Location); // run as "dotnet ToApis.Bench.dll"
            }

            start.ArgumentList.Add(Worker.Flag);
            start.ArgumentList.Add(specPath);
            _process = Process.Start(start)!;
            _process.OutputDataReceived += (_, line) =>
            {
                if (line.Data == "ready")
                {
                    _ready.TrySetResult();
                }
            };
            _process.ErrorDataReceived += (_, line) =>
            {
                if (!string.IsNullOrWhiteSpace(line.Data))
                {
                    log.WriteLine($"    worker {_process.Id}: {line.Data}");
                }
            };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public async Task ReadyAsync()
        {
            var exited = _process.WaitForExitAsync();
            if (await Task.WhenAny(_ready.Task, exited) == exited)
            {
                throw new InvalidOperationException($"A client process ended before it was ready (exit code {_process.ExitCode}).");
            }
        }

        public void Go() => _process.StandardInput.WriteLine("go");

        public async Task ExitedAsync()
        {
            await _process.WaitForExitAsync();
            if (_process.ExitCode != 0)
            {
                throw new InvalidOperationException($"A client process failed (exit code {_process.ExitCode}).");
            }
        }

        public WorkerResult Result() => JsonSerializer.Deserialize<WorkerResult>(File.ReadAllText(_resultPath))!;

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.Dispose();
        }
    }
}
