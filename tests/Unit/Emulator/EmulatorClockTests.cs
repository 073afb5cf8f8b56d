using ToApis.Emulator;
using ToApis.Models;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Emulator;

/// <summary>
/// The mapping from the emulator's scaled clock back to real time, which the bench's delay metric relies on.
/// Real time is a manual clock here, so every figure is exact and nothing sleeps.
/// </summary>
public sealed class EmulatorClockTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Real_time_of_a_virtual_time_follows_the_scale_and_ignores_the_manual_offset()
    {
        var realTime = new ManualTimeProvider(Start);
        await using var emulator = await ToApisEmulator.StartAsync(new EmulatorOptions { TimeScale = 0.001, RealTime = realTime });
        var clock = emulator.Clock;

        var virtualNow = clock.UtcNow;
        Assert.Equal(Start, clock.ToRealTime(virtualNow));
        // 100 virtual seconds are 100 real milliseconds.
        Assert.Equal(Start + TimeSpan.FromMilliseconds(100), clock.ToRealTime(virtualNow + TimeSpan.FromSeconds(100)));

        realTime.Advance(TimeSpan.FromMilliseconds(250));
        Assert.Equal(virtualNow + TimeSpan.FromSeconds(250), clock.UtcNow);

        clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(virtualNow + TimeSpan.FromSeconds(250) + TimeSpan.FromHours(1), clock.UtcNow);
        Assert.Equal(realTime.GetUtcNow(), clock.ToRealTime(clock.UtcNow));
    }

    [Fact]
    public async Task Task_finishes_in_real_time_when_its_scaled_duration_has_passed()
    {
        // Every task takes 300 virtual seconds: 300 real milliseconds.
        var realTime = new ManualTimeProvider(Start);
        await using var service = await EmulatedService.StartAsync(o =>
        {
            o.MinLatency = TimeSpan.FromSeconds(300);
            o.MaxLatency = TimeSpan.FromSeconds(300);
            o.RealTime = realTime;
        });
        ToApisTask Read(string id) =>
            Assert.Single(service.Run("param($id) Get-ToApisTask -Id $id", new System.Collections.Hashtable { ["id"] = id }).OutputOf<ToApisTask>());

        var task = Assert.Single(service.Run("New-ToApisImage 'A heron'").OutputOf<ToApisTask>());

        Assert.Equal(Start + TimeSpan.FromMilliseconds(300), service.Emulator.TaskFinishedAtRealTime(task.Id));
        Assert.Null(service.Emulator.TaskFinishedAtRealTime("tsk_img_unknown"));
        realTime.Advance(TimeSpan.FromMilliseconds(299));
        Assert.False(Read(task.Id).IsCompleted, "completed before its mapped finish time");
        realTime.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(Read(task.Id).IsCompleted, "not completed at its mapped finish time");
    }
}
