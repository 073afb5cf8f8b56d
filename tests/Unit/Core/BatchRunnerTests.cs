using ToApis.Client;
using ToApis.Client.Batches;
using Xunit;

namespace ToApis.Tests.Core;

/// <summary>The one batch machine on its own: items are gates the test opens, so nothing waits on a clock.</summary>
public sealed class BatchRunnerTests
{
    private readonly Dictionary<int, TaskCompletionSource<int>> _gates = new();
    private readonly List<int> _started = new();

    [Fact]
    public async Task In_order_outcomes_are_taken_in_input_order_however_items_finish()
    {
        using var runner = Runner(new BatchOptions<int> { InOrder = true, ThrottleLimit = 3 });
        foreach (var item in new[] { 1, 2, 3 })
        {
            runner.Add(item);
        }

        await Started(3);
        _gates[3].SetResult(30);
        _gates[2].SetResult(20);
        Assert.False(runner.TryTake(out _));
        _gates[1].SetResult(10);

        Assert.Equal(new[] { 10, 20, 30 }, await TakeAll(runner, 3));
    }

    [Fact]
    public async Task As_completed_outcomes_come_as_items_finish_and_free_their_slot_at_once()
    {
        using var runner = Runner(new BatchOptions<int> { ThrottleLimit = 2 });
        foreach (var item in new[] { 1, 2, 3 })
        {
            runner.Add(item);
        }

        await Started(2);
        Assert.Equal(new[] { 1, 2 }, _started.OrderBy(i => i));
        _gates[2].SetResult(20);
        Assert.Equal(new[] { 20 }, await TakeAll(runner, 1));
        await Started(3);
        _gates[3].SetResult(30);
        _gates[1].SetResult(10);

        Assert.Equal(new[] { 10, 30 }, (await TakeAll(runner, 2)).OrderBy(i => i));
        runner.CompleteAdding();
        Assert.True(runner.IsDrained);
        Assert.Equal(3, runner.Tally.Done);
    }

    [Fact]
    public async Task An_error_that_ends_the_command_is_latched_and_items_after_it_are_not_run()
    {
        using var runner = Runner(new BatchOptions<int> { InOrder = true, ThrottleLimit = 1 });
        runner.Add(1);
        runner.Add(2);
        await Started(1);
        var refused = new ToApisApiException(ApiErrorKind.Unauthorized, 401, "invalid_api_key", "The key was refused.");
        _gates[1].SetException(refused);

        var outcomes = new List<BatchOutcome<int, int>>();
        while (outcomes.Count < 2)
        {
            await runner.Changed;
            while (runner.TryTake(out var outcome))
            {
                outcomes.Add(outcome);
            }
        }

        Assert.Same(refused, runner.Latched);
        Assert.All(outcomes, outcome => Assert.Same(refused, outcome.Error));
        Assert.Equal(new[] { 1 }, _started);
        Assert.Equal(OutcomeClass.EndsCommand, Outcomes.Classify(refused));
    }

    [Fact]
    public async Task Stopping_returns_what_was_not_taken_in_order_with_items_unanswered_and_never_started()
    {
        using var runner = Runner(new BatchOptions<int> { InOrder = true, ThrottleLimit = 2 });
        foreach (var item in new[] { 1, 2, 3 })
        {
            runner.Add(item);
        }

        await Started(2);
        var secondEnded = runner.Changed;
        _gates[2].SetResult(20);
        await secondEnded;
        var left = runner.Stop(TimeSpan.Zero);

        Assert.Equal(new[] { ItemEnd.Unanswered, ItemEnd.Returned, ItemEnd.NotStarted }, left.Select(o => o.End));
        Assert.Equal(new[] { 1, 2, 3 }, left.Select(o => o.Item));
        Assert.True(runner.IsDrained);
        Assert.False(runner.TryTake(out _));
    }

    [Fact]
    public void Slow_start_opens_one_slot_and_one_more_per_success()
    {
        using var runner = Runner(new BatchOptions<int> { InOrder = true, ThrottleLimit = 4, SlowStart = true });
        Assert.Equal(1, runner.Window);
        Assert.True(runner.HasRoom);
        runner.Add(1);
        Assert.False(runner.HasRoom);
    }

    private BatchRunner<int, int> Runner(BatchOptions<int> options) =>
        new((item, _) =>
        {
            lock (_gates)
            {
                _started.Add(item);
                return (_gates[item] = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }
        }, options, CancellationToken.None);

    private async Task Started(int count)
    {
        while (true)
        {
            lock (_gates)
            {
                if (_started.Count >= count)
                {
                    return;
                }
            }

            await Task.Yield();
        }
    }

    private static async Task<List<int>> TakeAll(BatchRunner<int, int> runner, int count)
    {
        var taken = new List<int>();
        while (taken.Count < count)
        {
            while (runner.TryTake(out var outcome))
            {
                taken.Add(outcome.Result);
            }

            if (taken.Count < count)
            {
                await runner.Changed;
            }
        }

        return taken;
    }
}
