using ToApis.Client;
using ToApis.Client.RateLimiting;
using ToApis.Client.Submitting;
using ToApis.Client.Wire;
using ToApis.Emulator;
using Xunit;

namespace ToApis.Tests.Core;

/// <summary>The batch submit engine on its own: no PowerShell, a real emulator.</summary>
public sealed class SubmitEngineTests
{
    [Fact]
    public async Task Stopping_sends_nothing_more_and_returns_the_task_already_on_the_wire()
    {
        await using var emulator = await ToApisEmulator.StartAsync(new EmulatorOptions { TimeScale = 0.001, Seed = 7 });
        emulator.Faults.Delay = TimeSpan.FromMilliseconds(300);
        emulator.Faults.Add(FaultTarget.Submit, FaultKind.DelayResponse);
        // One token now, the next in about two seconds: the second row queues for it when the batch stops.
        var settings = new ToApisConnectionSettings
        {
            BaseUri = emulator.BaseUri,
            RateLimits = new RateLimitSettings(PaceSetting.Pinned(0.5), PaceSetting.Off),
        };
        using var connection = new ToApisConnection(settings, emulator.ApiKey);
        using var engine = new SubmitEngine(connection.CreateClient(), NullRequestLog.Instance, null, throttleLimit: 4, CancellationToken.None);

        engine.Start(Item("on the wire"));
        Assert.True(SpinWait.SpinUntil(() => emulator.Stats.TasksCreated == 1, TimeSpan.FromSeconds(30)));
        engine.Start(Item("still queued"));
        var left = engine.Stop(TimeSpan.FromSeconds(30));

        Assert.Equal(2, left.Count);
        Assert.True(left[0].Task is not null, $"the first row ended with {left[0].Error}");
        Assert.Equal("on the wire", left[0].Task!.Prompt);
        Assert.True(left[1].NotSent);
        Assert.Equal(1, emulator.Stats.RequestCount(RouteKeys.SubmitGeneration));
    }

    [Fact]
    public async Task The_window_opens_by_one_per_task_obtained_up_to_the_limit()
    {
        await using var emulator = await ToApisEmulator.StartAsync(new EmulatorOptions { TimeScale = 0.001, Seed = 7 });
        var settings = new ToApisConnectionSettings { BaseUri = emulator.BaseUri, RateLimits = RateLimitSettings.Pinned(ToApis.Client.RateLimiting.RateTier.None) };
        using var connection = new ToApisConnection(settings, emulator.ApiKey);
        using var engine = new SubmitEngine(connection.CreateClient(), NullRequestLog.Instance, null, throttleLimit: 3, CancellationToken.None);
        var windows = new List<int>();

        for (var row = 0; row < 5; row++)
        {
            windows.Add(engine.Window);
            engine.Start(Item($"row {row}"));
            await engine.Oldest;
            Assert.NotNull(engine.TakeOldest().Task);
        }

        Assert.Equal(new[] { 1, 2, 3, 3, 3 }, windows);
    }

    private static SubmitItem Item(string prompt) =>
        new(prompt, GenerationRequestFactory.Build(new GenerationInput { Prompt = prompt }, new List<string>()), [], MayExist: false);
}
