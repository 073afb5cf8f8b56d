using ToApis.Client.RateLimiting;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Core;

/// <summary>The token bucket and queue of one category, on a clock the test moves by hand: no sleeps.</summary>
public sealed class CategoryPacerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static CategoryPacer Pinned(double perSecond, ManualTimeProvider clock) =>
        new(new PaceController(RequestCategory.Submit, PaceSetting.Pinned(perSecond), null, TimeSpan.Zero), clock, new Random(1));

    /// <summary>Moves the clock in steps, each after the pacer has armed its next wake-up.</summary>
    private static void Run(ManualTimeProvider clock, CategoryPacer pacer, IReadOnlyList<Task<bool>> waiters, TimeSpan duration, TimeSpan step)
    {
        for (var elapsed = TimeSpan.Zero; elapsed < duration; elapsed += step)
        {
            if (waiters.All(w => w.IsCompleted))
            {
                return;
            }

            Assert.True(clock.WaitForTimer(Patience, () => waiters.All(w => w.IsCompleted)), "the pacer never went back to sleep");
            clock.Advance(step);
        }
    }

    private static int Granted(IEnumerable<Task<bool>> waiters) => waiters.Count(w => w.IsCompletedSuccessfully && w.Result);

    [Fact]
    public void A_full_bucket_lets_a_second_less_the_margin_through_then_releases_at_the_pace()
    {
        var clock = new ManualTimeProvider();
        using var pacer = Pinned(5, clock);

        var waiters = Enumerable.Range(0, 40).Select(_ => pacer.AcquireAsync(CancellationToken.None)).ToList();
        Assert.Equal(4, Granted(waiters)); // 5 a second, less one for requests that arrive bunched

        Run(clock, pacer, waiters, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(50));
        SpinWait.SpinUntil(() => Granted(waiters) >= 4 + 23, Patience);

        // 5 s at 97 % of 5 a second is 24.25 tokens; release jitter may hold the last one back.
        Assert.InRange(Granted(waiters), 4 + 23, 4 + 25);
    }

    [Fact]
    public async Task A_429_spends_the_saved_burst()
    {
        var clock = new ManualTimeProvider();
        using var pacer = Pinned(20, clock);
        Assert.True(await pacer.AcquireAsync(CancellationToken.None));

        pacer.Observe(new LimitSignal(true, 20, 0, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));
        var next = pacer.AcquireAsync(CancellationToken.None);

        Assert.False(next.IsCompleted); // 16 tokens were left; the service's bucket is empty, so they are gone
        Run(clock, pacer, [next], TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(10));
        Assert.True(await next.WaitAsync(Patience));
    }

    [Fact]
    public async Task A_long_Retry_After_holds_the_whole_category()
    {
        var clock = new ManualTimeProvider();
        using var pacer = Pinned(5, clock);

        pacer.Observe(new LimitSignal(true, null, null, null, TimeSpan.FromSeconds(30)));
        var waiter = pacer.AcquireAsync(CancellationToken.None);

        Run(clock, pacer, [waiter], TimeSpan.FromSeconds(29), TimeSpan.FromSeconds(1));
        Assert.False(waiter.IsCompleted);
        Run(clock, pacer, [waiter], TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1));
        Assert.True(await waiter.WaitAsync(Patience));
    }

    [Fact]
    public async Task A_cancelled_request_takes_no_token_and_retiring_the_pacer_releases_the_queue()
    {
        var clock = new ManualTimeProvider();
        var pacer = Pinned(1, clock); // one token, then one a second
        Assert.True(await pacer.AcquireAsync(CancellationToken.None));
        using var cancel = new CancellationTokenSource();
        var cancelled = pacer.AcquireAsync(cancel.Token);
        var queued = pacer.AcquireAsync(CancellationToken.None);

        cancel.Cancel();
        Run(clock, pacer, [queued], TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(100));
        Assert.True(await queued.WaitAsync(Patience)); // the token the cancelled one would have had
        Assert.True(cancelled.IsCanceled);

        var waiting = pacer.AcquireAsync(CancellationToken.None);
        pacer.Dispose();
        Assert.False(await waiting.WaitAsync(Patience)); // the caller asks the pacer that replaced this one
    }

    [Fact]
    public async Task A_retry_goes_ahead_of_first_attempts()
    {
        var clock = new ManualTimeProvider();
        using var pacer = Pinned(1, clock);
        Assert.True(await pacer.AcquireAsync(CancellationToken.None));
        var first = pacer.AcquireAsync(CancellationToken.None);
        var retry = pacer.AcquireAsync(CancellationToken.None, retry: true);

        Run(clock, pacer, [retry], TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(100));

        Assert.True(await retry.WaitAsync(Patience));
        Assert.False(first.IsCompleted); // it waits for the next token
    }

    [Fact]
    public void Waiting_requests_raise_an_unpinned_pace_that_has_no_headers_to_read()
    {
        var clock = new ManualTimeProvider();
        var changes = new List<PaceChange>();
        using var pacer = new CategoryPacer(new PaceController(RequestCategory.Submit, PaceSetting.Learned, null, TimeSpan.Zero), clock, new Random(1))
        {
            Changed = changes.Add,
        };

        var waiters = Enumerable.Range(0, 200).Select(_ => pacer.AcquireAsync(CancellationToken.None)).ToList();
        Run(clock, pacer, waiters, TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(20));

        Assert.Equal(33.3, pacer.Limit, precision: 6);
        Assert.Equal(new[] { 9.7, 19.4, 32.301 }, changes.Select(c => Math.Round(c.To, 6)));
    }

    [Fact]
    public async Task A_per_second_limit_in_the_first_answer_is_the_pace_at_once()
    {
        var clock = new ManualTimeProvider();
        using var pacer = new CategoryPacer(new PaceController(RequestCategory.Submit, PaceSetting.Learned, null, TimeSpan.Zero), clock, new Random(1));
        Assert.True(await pacer.AcquireAsync(CancellationToken.None));

        pacer.Observe(new LimitSignal(false, 20, 19, TimeSpan.FromSeconds(1), null));
        var waiters = Enumerable.Range(0, 60).Select(_ => pacer.AcquireAsync(CancellationToken.None)).ToList();
        Run(clock, pacer, waiters, TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(10));
        SpinWait.SpinUntil(() => Granted(waiters) >= 3 + 37, Patience);

        // The local bucket, refilled at 20 a second less the safety margin: 3 at once, then about 38.8 in 2 s.
        Assert.Equal(20, pacer.Limit);
        Assert.InRange(Granted(waiters), 3 + 37, 3 + 39);
    }
}
