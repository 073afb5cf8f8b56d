using System.Collections;
using System.Collections.Concurrent;
using System.Management.Automation;
using ToApis.Emulator;
using ToApis.Models;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Cmdlets;

/// <summary>Save-ToApisImage and Send-ToApisFile keep many transfers in flight without losing order, names or files.</summary>
public sealed class ConcurrentFilesTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Out => Path.Combine(_temp.Path, "out");

    private static PSObject[] CompletedTasks(EmulatedService service, int count, string name = "") =>
        service.Run($$"""
            1..{{count}} | ForEach-Object { [pscustomobject]@{ Name = '{{name}}' + $_; Prompt = "a lighthouse number $_" } } |
                New-ToApisImage | Wait-ToApisTask {{EmulatedService.FastPolling}}
            """).Output.ToArray();

    [Fact]
    public async Task Downloads_run_at_once_up_to_the_throttle_limit()
    {
        await using var service = await EmulatedService.StartAsync(o => o.DownloadMinLatency = o.DownloadMaxLatency = TimeSpan.FromSeconds(1));
        var tasks = CompletedTasks(service, 12);

        var limited = service.Run("param($tasks, $out) $tasks | Save-ToApisImage -Path $out -ThrottleLimit 4", new Hashtable { ["tasks"] = tasks, ["out"] = Out });
        var limitedPeak = service.Emulator.Stats.PeakConcurrentRequests(RouteKeys.Files);
        var wide = service.Run("param($tasks, $out) $tasks | Save-ToApisImage -Path $out", new Hashtable { ["tasks"] = tasks, ["out"] = Path.Combine(_temp.Path, "wide") });

        Assert.Empty(limited.Errors);
        Assert.Empty(wide.Errors);
        Assert.Equal(12, limited.Output.Count);
        Assert.Equal(4, limitedPeak);
        // Each download waits a second for its first byte; with the default limit they all wait together.
        Assert.True(service.Emulator.Stats.PeakConcurrentRequests(RouteKeys.Files) > 8, $"peak {service.Emulator.Stats.PeakConcurrentRequests(RouteKeys.Files)}");
    }

    [Fact]
    public async Task Equal_names_are_numbered_in_input_order_with_a_warning_whichever_download_finishes_first()
    {
        await using var service = await EmulatedService.StartAsync();
        var tasks = service.Run($$"""
            'one', 'two', 'three' | ForEach-Object { [pscustomobject]@{ Name = 'fox'; Prompt = "a fox, $_" } } |
                New-ToApisImage | Wait-ToApisTask {{EmulatedService.FastPolling}}
            """).OutputOf<ToApisTask>().ToArray();
        // The first download to reach the files host is answered a second late, so downloads finish out of input order.
        service.Emulator.Faults.Delay = TimeSpan.FromSeconds(1);
        service.Emulator.Faults.Add(FaultTarget.Files, FaultKind.DelayResponse);

        var result = service.Run("param($tasks, $out) $tasks | Save-ToApisImage -Path $out -FileName '{Name}'", new Hashtable { ["tasks"] = tasks, ["out"] = Out });

        Assert.Empty(result.Errors);
        var nameByTask = result.Output.ToDictionary(f => (string)f.Properties["TaskId"].Value, f => ((FileInfo)f.BaseObject).Name);
        Assert.Equal(new[] { "fox.png", "fox (2).png", "fox (3).png" }, tasks.Select(t => nameByTask[t.Id]));
        Assert.Equal(2, result.Warnings.Count);
        Assert.Contains("saved as 'fox (2)'", result.Warnings[0].Message);
        Assert.Contains("{Index}", result.Warnings[0].Message);
    }

    [Fact]
    public async Task Slow_downloads_never_hold_up_the_input_and_a_stop_leaves_no_partial_file()
    {
        await using var service = await EmulatedService.StartAsync();
        var tasks = CompletedTasks(service, 6);
        service.Emulator.Faults.Delay = TimeSpan.FromMinutes(5);
        service.Emulator.Faults.Add(FaultTarget.Files, FaultKind.StallMidBody, count: 6);
        var passedOn = new ConcurrentQueue<string>();

        using var shell = service.Shell.Start(
            "param($tasks, $out, $passedOn) $tasks | ForEach-Object { $passedOn.Enqueue($_.Id); $_ } | Save-ToApisImage -Path $out -ThrottleLimit 2",
            new Hashtable { ["tasks"] = tasks, ["out"] = Out, ["passedOn"] = passedOn });
        var running = shell.BeginInvoke();

        // Two downloads hang mid-body and four wait for a slot: the input still flows through to the last task.
        Assert.True(SpinWait.SpinUntil(() => passedOn.Count == 6, Patience), $"only {passedOn.Count} of 6 tasks got past Save-ToApisImage's input");
        Assert.True(SpinWait.SpinUntil(() => _temp.Files("out").Count == 2, Patience)); // the two temporary files
        shell.Stop();

        Assert.True(running.IsCompleted);
        Assert.Empty(_temp.Files("out"));
    }

    [Fact]
    public async Task Select_First_ends_the_other_downloads_and_leaves_only_the_file_it_took()
    {
        await using var service = await EmulatedService.StartAsync();
        var tasks = CompletedTasks(service, 4);
        service.Emulator.Faults.Delay = TimeSpan.FromMinutes(5);
        service.Emulator.Faults.Add(FaultTarget.Files, FaultKind.Pass);
        service.Emulator.Faults.Add(FaultTarget.Files, FaultKind.StallMidBody, count: 3);

        var result = service.Run("param($tasks, $out) $tasks | Save-ToApisImage -Path $out | Select-Object -First 1", new Hashtable { ["tasks"] = tasks, ["out"] = Out });

        Assert.Empty(result.Errors);
        var file = Assert.IsType<FileInfo>(Assert.Single(result.Output).BaseObject);
        Assert.Equal(new[] { file.Name }, _temp.Files("out"));
    }

    [Fact]
    public async Task Uploads_run_at_once_and_come_out_in_input_order()
    {
        await using var service = await EmulatedService.StartAsync();
        var paths = Enumerable.Range(1, 6).Select(i => _temp.Write($"refs/{i}.jpg", SampleImages.Jpeg(i))).ToArray();
        // Every upload is answered a second late: one at a time, six would take six seconds.
        service.Emulator.Faults.Delay = TimeSpan.FromSeconds(1);
        service.Emulator.Faults.Add(FaultTarget.Upload, FaultKind.DelayResponse, count: 6);

        var result = service.Run("param($paths) $paths | Send-ToApisFile -ThrottleLimit 3", new Hashtable { ["paths"] = paths });

        Assert.Empty(result.Errors);
        Assert.Equal(paths, result.OutputOf<ToApisUpload>().Select(u => u.Path));
        Assert.Equal(3, service.Emulator.Stats.PeakConcurrentRequests(RouteKeys.UploadImage));
    }
}
