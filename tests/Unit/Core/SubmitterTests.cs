using ToApis.Client;
using ToApis.Client.Batches;
using ToApis.Client.RateLimiting;
using ToApis.Client.Submitting;
using ToApis.Client.Wire;
using ToApis.Emulator;
using Xunit;

namespace ToApis.Tests.Core;

/// <summary>Submitting through the batch runner on its own: no PowerShell, a real emulator.</summary>
public sealed class SubmitterTests
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
        var submitter = new Submitter(connection.CreateClient(), NullRequestLog.Instance, null);
        // No slow start: the second row goes to the wire's rate limiter, not the runner's queue.
        var options = new BatchOptions<SubmitOutcome> { ThrottleLimit = 4, InOrder = true, ErrorIn = outcome => outcome.Error };
        using var runner = new BatchRunner<SubmitItem, SubmitOutcome>(submitter.SubmitAsync, options, CancellationToken.None);

        runner.Add(Submitter.Named(Item("on the wire")));
        Assert.True(SpinWait.SpinUntil(() => emulator.Stats.TasksCreated == 1, TimeSpan.FromSeconds(30)));
        runner.Add(Submitter.Named(Item("still queued")));
        var left = runner.Stop(TimeSpan.FromSeconds(30)).Select(submitter.Settle).ToList();

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
        var submitter = new Submitter(connection.CreateClient(), NullRequestLog.Instance, null);
        using var runner = new BatchRunner<SubmitItem, SubmitOutcome>(submitter.SubmitAsync, Submitter.Options(throttleLimit: 3), CancellationToken.None);
        var windows = new List<int>();

        for (var row = 0; row < 5; row++)
        {
            windows.Add(runner.Window);
            runner.Add(Submitter.Named(Item($"row {row}")));
            BatchOutcome<SubmitItem, SubmitOutcome>? outcome;
            while (!runner.TryTake(out outcome))
            {
                await runner.Changed;
            }

            Assert.NotNull(outcome.Result?.Task);
        }

        Assert.Equal(new[] { 1, 2, 3, 3, 3 }, windows);
    }

    private static SubmitItem Item(string prompt) =>
        new(prompt, GenerationRequestFactory.Build(new GenerationInput { Prompt = prompt }, new List<string>()), [], MayExist: false);
}
