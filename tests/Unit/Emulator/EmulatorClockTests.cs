using ToApis.Emulator;
using ToApis.Models;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Emulator;

/// <summary>The mapping from the emulator's scaled clock back to real time, which the bench's delay metric relies on.</summary>
public sealed class EmulatorClockTests
{
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(50);

    [Fact]
    public async Task Real_time_of_a_virtual_time_follows_the_scale_and_ignores_the_manual_offset()
    {
        await using var emulator = await ToApisEmulator.StartAsync(new EmulatorOptions { TimeScale = 0.001 });
        var clock = emulator.Clock;

        var virtualNow = clock.UtcNow;
        AssertClose(DateTimeOffset.UtcNow, clock.ToRealTime(virtualNow), Slack);
        // 100 virtual seconds are 100 real milliseconds.
        AssertClose(
            clock.ToRealTime(virtualNow) + TimeSpan.FromMilliseconds(100),
            clock.ToRealTime(virtualNow + TimeSpan.FromSeconds(100)),
            TimeSpan.FromMilliseconds(1));

        clock.Advance(TimeSpan.FromHours(1));
        AssertClose(DateTimeOffset.UtcNow, clock.ToRealTime(clock.UtcNow), Slack);
    }

    [Fact]
    public async Task Task_finishes_in_real_time_when_its_scaled_duration_has_passed()
    {
        // Every task takes 300 virtual seconds: 300 real milliseconds.
        await using var service = await EmulatedService.StartAsync(o =>
        {
            o.MinLatency = TimeSpan.FromSeconds(300);
            o.MaxLatency = TimeSpan.FromSeconds(300);
        });
        var duration = TimeSpan.FromMilliseconds(300);

        var before = DateTimeOffset.UtcNow;
        var task = Assert.Single(service.Run("New-ToApisImage 'A heron'").OutputOf<ToApisTask>());
        var after = DateTimeOffset.UtcNow;

        var finishedAt = service.Emulator.TaskFinishedAtRealTime(task.Id);
        Assert.NotNull(finishedAt);
        Assert.InRange(finishedAt.Value, before + duration - TimeSpan.FromMilliseconds(2), after + duration + TimeSpan.FromMilliseconds(2));
        Assert.Null(service.Emulator.TaskFinishedAtRealTime("tsk_img_unknown"));

        Thread.Sleep(Max(finishedAt.Value - DateTimeOffset.UtcNow + Slack, TimeSpan.Zero));
        var read = Assert.Single(service.Run("param($id) Get-ToApisTask -Id $id", new System.Collections.Hashtable { ["id"] = task.Id }).OutputOf<ToApisTask>());
        Assert.True(read.IsCompleted, $"status {read.Status} after the mapped finish time");
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static void AssertClose(DateTimeOffset expected, DateTimeOffset actual, TimeSpan tolerance) =>
        Assert.True((actual - expected).Duration() <= tolerance, $"expected {expected:O} ± {tolerance.TotalMilliseconds} ms, got {actual:O}");
}
