using System.Collections;
using System.Management.Automation;
using ToApis.Emulator;
using ToApis.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace ToApis.Tests.Cmdlets;

/// <summary>Whole runs under injected faults and stops: no row lost, none paid twice, no partial file, no key leaked.</summary>
[Collection(nameof(PacingCollection))]
public sealed class FaultToleranceTests(ITestOutputHelper log) : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Pipeline(string runKey) =>
        $"$rows | New-ToApisImage -RunKey '{runKey}' | Wait-ToApisTask {EmulatedService.FastPolling} | " +
        $"Save-ToApisImage -Path '{Path.Combine(_temp.Path, "out")}' -FileName '{{Name}}'";

    [Fact]
    public async Task Five_hundred_rows_under_ten_percent_faults_lose_nothing_and_pay_nothing_twice()
    {
        await using var service = await EmulatedService.StartAsync(
            o =>
            {
                // Unpaced: this test is about faults; pacing has its own tests (SessionTests, BulkTests).
                o.RateLimitsEnabled = false;
                o.FailureRate = 0.02;
                o.Seed = 11;
            },
            EmulatedService.FastRetries + " -RateTier None -TimeoutSec 2");
        var faults = service.Emulator.Faults;
        faults.Delay = TimeSpan.FromSeconds(5);
        // About one request in ten meets a fault, of every kind the contract worries about.
        faults.SetRate(FaultTarget.Submit, FaultKind.Status500AfterProcessing, 0.02);
        faults.SetRate(FaultTarget.Submit, FaultKind.ResetAfterProcessing, 0.02);
        faults.SetRate(FaultTarget.Submit, FaultKind.ResetBeforeProcessing, 0.02);
        faults.SetRate(FaultTarget.Submit, FaultKind.Status502HtmlPage, 0.02);
        faults.SetRate(FaultTarget.Submit, FaultKind.DelayResponse, 0.01);
        faults.SetRate(FaultTarget.Submit, FaultKind.MalformedJson, 0.01);
        faults.SetRate(FaultTarget.Query, FaultKind.Status503, 0.04);
        faults.SetRate(FaultTarget.Query, FaultKind.TruncatedBody, 0.03);
        faults.SetRate(FaultTarget.Query, FaultKind.Status502HtmlPage, 0.03);
        faults.SetRate(FaultTarget.Files, FaultKind.TruncatedBody, 0.05);
        faults.SetRate(FaultTarget.Files, FaultKind.Status500, 0.05);

        var result = service.Run(EmulatedService.CsvRows(500) + Pipeline("faulty"));

        var stats = service.Emulator.Stats.Snapshot();
        var saved = result.Output.Count;
        log.WriteLine($"rows 500, saved {saved}, per-row errors {result.Errors.Count}, tasks {stats.TasksCreated}, faults {stats.FaultsInjected.Values.Sum()} ({string.Join(", ", stats.FaultsInjected.Select(f => $"{f.Key} {f.Value}"))}), 429s {stats.RateLimitedResponses}, requests {stats.RequestsByRoute.Values.Sum()}");
        Assert.Equal(500, saved + result.Errors.Count);
        // A row may fail for good (its task failed, or every submit round met an ambiguous fault and the
        // lookup proved nothing was created); either way it is one clear error, and no row has two tasks.
        Assert.All(result.Errors, error => Assert.Contains(error.FullyQualifiedErrorId.Split(',')[0], new[] { "ToApis.TaskFailed", "ToApis.ConnectionFailed" }));
        Assert.All(stats.TasksByClientBusinessId, pair => Assert.Equal(1, pair.Value));
        Assert.InRange(stats.TasksByClientBusinessId.Count, saved, 500);
        Assert.Equal(saved, _temp.Files("out").Count);
        Assert.DoesNotContain(_temp.Files("out"), f => f.Contains("partial"));
        Assert.Equal(0, stats.AuthorizedFileRequestCount);
        Assert.True(stats.FaultsInjected.Values.Sum() > 50, "the run must actually meet faults");
    }

    [Fact]
    public async Task Stopped_mid_submit_mid_wait_and_mid_download_then_rerun_ends_with_one_task_and_one_file_per_row()
    {
        await using var service = await EmulatedService.StartAsync(o => o.MinLatency = TimeSpan.FromSeconds(20));
        var stats = service.Emulator.Stats;
        var script = EmulatedService.CsvRows(20) + Pipeline("stop-and-go");
        void RunUntilThenStop(Func<bool> condition)
        {
            using var shell = service.Shell.Start(script);
            var running = shell.BeginInvoke();
            Assert.True(SpinWait.SpinUntil(() => condition() || running.IsCompleted, TimeSpan.FromSeconds(60)));
            shell.Stop();
        }

        RunUntilThenStop(() => stats.TasksCreated >= 5);                                    // mid-submit
        RunUntilThenStop(() => _temp.Files("out").Count(f => f.EndsWith(".png")) >= 3);    // mid-wait
        service.Emulator.Faults.Delay = TimeSpan.FromMinutes(5);
        service.Emulator.Faults.Add(FaultTarget.Files, FaultKind.StallMidBody);
        RunUntilThenStop(() => _temp.Files("out").Any(f => f.Contains("partial")));         // mid-download
        Assert.DoesNotContain(_temp.Files("out"), f => f.Contains("partial"));

        var final = service.Run(script);

        Assert.Empty(final.Errors);
        Assert.Equal(20, final.Output.Count);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => $"row{i}.png").Order(), _temp.Files("out"));
        Assert.Equal(20, stats.TasksCreated);
        Assert.All(stats.Snapshot().TasksByClientBusinessId, pair => Assert.Equal(1, pair.Value));
    }

    [Fact]
    public async Task The_key_appears_in_no_stream_file_or_exception()
    {
        await using var service = await EmulatedService.StartAsync(o => o.FailureRate = 0.5);
        var key = service.Emulator.ApiKey;
        service.Emulator.Faults.Add(FaultTarget.Submit, FaultKind.ResetAfterProcessing);
        service.Emulator.Faults.Add(FaultTarget.Query, FaultKind.Status502HtmlPage);
        var journal = Path.Combine(_temp.Path, "run.jsonl");

        // Debug records (each HTTP exchange in full) come back in the output, so they are scanned too.
        var result = service.Run($$"""
            $DebugPreference = 'Continue'; $InformationPreference = 'Continue'
            & {
            'one', 'two', 'three', 'this has forbidden-content', '' | New-ToApisImage -Verbose -Journal '{{journal}}' |
                Wait-ToApisTask -Verbose {{EmulatedService.FastPolling}} -Journal '{{journal}}' |
                Save-ToApisImage -Path '{{Path.Combine(_temp.Path, "out")}}' -Sidecar -Verbose -Journal '{{journal}}'
            Get-ToApisTask -Id 'missing' -Verbose
            Get-ToApisBalance -Verbose
            (Connect-ToApis -BaseUri '{{service.Emulator.BaseUri}}' -ApiKey (& { $s = [securestring]::new(); '{{key}}'.ToCharArray() | ForEach-Object { $s.AppendChar($_) }; $s }) -PassThru) | ForEach-Object { $_; $_.ToString(); $_.Connection }
            } 5>&1
            """);
        var wrong = new PowerShellHost();
        wrong.Connect(service.Emulator.BaseUri, key + "-but-wrong", "-SkipValidation");
        var rejected = wrong.Run("try { New-ToApisImage 'p' -Verbose } catch { $_ }");

        var everything = new List<string>();
        foreach (var run in new[] { result, rejected })
        {
            everything.AddRange(run.Output.Select(o => o?.ToString() ?? ""));
            everything.AddRange(run.Output.SelectMany(o => o?.Properties.Where(p => p.MemberType != PSMemberTypes.ScriptProperty).Select(p => $"{p.Name}={p.Value}") ?? []));
            everything.AddRange(run.Errors.Select(e => $"{e} {e.Exception} {e.ErrorDetails?.Message} {e.ErrorDetails?.RecommendedAction} {e.TargetObject}"));
            everything.AddRange(run.Warnings.Select(w => w.Message));
            everything.AddRange(run.Verbose.Select(v => v.Message));
            everything.AddRange(run.Progress.Select(p => p.StatusDescription));
        }

        everything.AddRange(Directory.GetFiles(_temp.Path, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".png")).Select(File.ReadAllText));
        Assert.True(result.Output.Count(o => o?.BaseObject is DebugRecord) > 10 && result.Errors.Count > 0, "the scan needs material to look at");
        Assert.DoesNotContain(everything, text => text.Contains(key, StringComparison.Ordinal) || text.Contains(key + "-but-wrong", StringComparison.Ordinal));
        Assert.Equal(0, service.Emulator.Stats.AuthorizedFileRequestCount);
        wrong.Dispose();
    }
}
