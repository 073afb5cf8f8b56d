using ToApis.Client.RateLimiting;
using Xunit;

namespace ToApis.Tests.Core;

/// <summary>The pacing policy as arithmetic on clock readings: no clock, no sleeps, no service.</summary>
public sealed class PaceControllerTests
{
    private static TimeSpan At(double seconds) => TimeSpan.FromSeconds(seconds);

    /// <summary>An accepted answer; <paramref name="limit"/> as a per-second X-RateLimit-Limit (its window resets within a second).</summary>
    private static LimitSignal Accepted(int? limit = null, int? remaining = null) =>
        new(false, limit, remaining, limit is null ? null : At(1), null);

    private static LimitSignal Refused(int? limit = null) => new(true, limit, limit is null ? null : 0, limit is null ? null : At(1), At(1));

    private static PaceController Learned(double? remembered = null) =>
        new(RequestCategory.Submit, PaceSetting.Learned, remembered, At(0));

    /// <summary>Requests wait for the pace from <paramref name="from"/> on; one tick per quarter second until <paramref name="to"/>.</summary>
    private static List<PaceChange> Saturate(PaceController pace, double from, double to)
    {
        pace.Backlog(waiting: true, At(from));
        var changes = new List<PaceChange>();
        for (var t = from + 0.25; t <= to + 1e-9; t += 0.25)
        {
            if (pace.Tick(At(t)) is { } change)
            {
                changes.Add(change);
            }
        }

        return changes;
    }

    [Fact]
    public void Without_headers_the_pace_starts_at_the_documented_default_and_doubles_while_requests_wait_up_to_the_top_tier()
    {
        var pace = Learned();
        Assert.Equal(5, pace.Limit, precision: 9);
        Assert.Equal(5 * PaceController.Safety, pace.Pace);

        var changes = Saturate(pace, 0, 10);

        Assert.Equal(new[] { 9.7, 19.4, Math.Round(33.3 * PaceController.Safety, 9) }, changes.Select(c => Math.Round(c.To, 9)));
        Assert.Contains("submit pace raised from 4.85 to 9.7 per second", changes[0].Reason);
        Assert.Equal(33.3, pace.Learned!.Value, precision: 9);
    }

    [Fact]
    public void Nothing_rises_while_demand_is_below_the_pace()
    {
        var pace = Learned();

        pace.Backlog(waiting: true, At(0));
        pace.Backlog(waiting: false, At(0.1)); // waited a tenth of the half second

        Assert.Null(pace.Tick(At(0.5)));
        Assert.Null(pace.Tick(At(10)));

        // A full bucket says there is room, but nothing waits to use it.
        pace.Observe(Accepted(5, 4), At(11));
        pace.Observe(Accepted(5, 4), At(12.5));
        Assert.Equal(5 * PaceController.Safety, pace.Pace, precision: 9);
    }

    [Fact]
    public void A_per_second_limit_in_the_first_answer_is_the_account_s_rate_at_once()
    {
        var pace = Learned();

        var change = pace.Observe(Accepted(20, 19), At(0.01));

        Assert.Equal(20, pace.Limit);
        Assert.Equal(20 * PaceController.Safety, pace.Pace, precision: 9);
        Assert.Contains("the service reports a limit of 20 per second", change!.Reason);
        Assert.Equal(20, pace.Learned);
        Assert.Empty(Saturate(pace, 0.01, 0.5)); // no slow start: the rate is known
    }

    [Theory]
    [InlineData(300, 42.0)] // a per-minute figure: its window resets in tens of seconds
    [InlineData(50, null)] // no reset: the window is unknown
    public void A_limit_that_may_not_count_per_second_is_not_believed(int limit, double? resetSeconds)
    {
        var pace = Learned();

        Assert.Null(pace.Observe(new LimitSignal(false, limit, limit - 1, resetSeconds is { } s ? At(s) : null, null), At(1)));
        Assert.Equal(5, pace.Limit, precision: 9);
    }

    /// <summary>Answers at the pace from <paramref name="from"/> to <paramref name="to"/>, each showing what <paramref name="remaining"/> says.</summary>
    private static void Answer(PaceController pace, double from, double to, Func<double, int> remaining)
    {
        for (var t = from; t < to; t += 1 / pace.Pace)
        {
            pace.Observe(Accepted(5, remaining(t)), At(t));
        }
    }

    [Fact]
    public void A_bucket_that_empties_lowers_the_pace_and_one_that_fills_raises_it_above_a_rounded_down_limit()
    {
        var pace = Learned();
        pace.Backlog(waiting: true, At(0));

        // Someone else spends the bucket: from 4 left to none within two seconds.
        Answer(pace, 0, 3.1, t => Math.Max(0, 4 - (int)(t * 2)));
        Assert.True(pace.Pace < 5 * PaceController.Safety * 0.6, $"pace {pace.Pace}");

        // A half-default account reads as 2 (2.5 rounded down); its bucket stays full while requests wait.
        var slow = Learned();
        slow.Backlog(waiting: true, At(0));
        for (var t = 0.0; t < 8; t += 1 / slow.Pace)
        {
            slow.Observe(Accepted(2, 1), At(t));
        }

        Assert.True(slow.Pace > 2.5, $"pace {slow.Pace}");
        Assert.True(slow.Pace <= 3, $"pace {slow.Pace}: never more than half above the reported limit");
    }

    [Fact]
    public void A_burst_this_process_saved_up_costs_only_the_room_it_took()
    {
        var pace = new PaceController(RequestCategory.Submit, PaceSetting.Pinned(33.3), null, At(0));
        var bucket = new SharedBucket(perSecond: 33.3);
        pace.Backlog(waiting: true, At(0));
        int accepted = 0, refused = 0;

        // 29 saved-up tokens at once (the svip bucket of 33 falls to 4), then the pace for 5 s.
        for (var (t, burst) = (0.0, 29); t < 5; t += burst-- > 0 ? 0.001 : 1 / pace.Pace)
        {
            var (allowed, remaining) = bucket.Take(t);
            pace.Observe(allowed ? new LimitSignal(false, 33, remaining, At(1), null) : Refused(33), At(t));
            (accepted, refused) = allowed ? (accepted + 1, refused) : (accepted, refused + 1);
        }

        // The bucket's 33, then 5 s at the pace; bringing the level back to a third costs about 6.
        Assert.Equal(0, refused);
        Assert.InRange(accepted, 33 + (5 * 33.3 * PaceController.Safety) - 10, 33 + (5 * 33.3));
    }

    [Fact]
    public void Two_or_three_processes_reading_one_bucket_share_it_with_few_refusals()
    {
        foreach (var processes in new[] { 2, 3 })
        {
            var bucket = new SharedBucket(perSecond: 5);
            var paces = Enumerable.Range(0, processes).Select(_ => Learned()).ToList();
            var next = paces.Select(_ => 0.0).ToArray();
            var random = new Random(processes);
            var each = new int[processes];
            int accepted = 0, refused = 0;
            for (var now = 0.0; now < 120; now += 0.001)
            {
                for (var i = 0; i < processes; i++)
                {
                    if (now < next[i])
                    {
                        continue;
                    }

                    paces[i].Backlog(waiting: true, At(now));
                    var (allowed, remaining) = bucket.Take(now);
                    paces[i].Observe(allowed ? Accepted(5, remaining) : Refused(5), At(now));
                    (accepted, refused) = allowed ? (accepted + 1, refused) : (accepted, refused + 1);
                    each[i] += allowed ? 1 : 0;
                    next[i] = now + ((0.85 + (random.NextDouble() * 0.3)) / paces[i].Pace);
                }
            }

            // 120 s at 5 a second, plus the 5 the bucket starts with.
            Assert.InRange(accepted, 0.95 * 605, 605);
            Assert.True(refused <= accepted * 0.05, $"{processes} processes: {refused} refusals for {accepted} acceptances");
            Assert.All(each, share => Assert.True(share > 0.7 * accepted / processes, $"{processes} processes: shares {string.Join(", ", each)}"));
        }
    }

    [Fact]
    public void A_429_cuts_the_pace_once_however_many_come_at_once()
    {
        var pace = Learned();
        pace.Observe(Accepted(5, 4), At(0));

        var change = pace.Observe(Refused(5), At(1));
        Assert.Null(pace.Observe(Refused(5), At(1.2)));

        Assert.Equal(5 * PaceController.Safety * 0.7, pace.Pace, precision: 9);
        Assert.Contains("429", change!.Reason);
        Assert.NotNull(pace.Observe(Refused(5), At(2.3)));
    }

    [Fact]
    public void With_headers_only_on_429s_the_pace_rises_gently_after_a_refusal_and_remembers_the_limit()
    {
        var pace = Learned();
        pace.Observe(Refused(5), At(0)); // the limit, read from the refusal
        Assert.Equal(5 * PaceController.Safety * 0.7, pace.Pace, precision: 9);

        var changes = Saturate(pace, 0, 2.5);

        Assert.Equal(2, changes.Count); // once a second after the cut's second, by 4 % of the limit
        Assert.Equal((5 * PaceController.Safety * 0.7) + 0.4, pace.Pace, precision: 9);
        Assert.Equal(5, pace.Learned);
    }

    [Fact]
    public void A_pinned_pace_never_rises_above_the_given_figure_but_yields_to_429s()
    {
        var pace = new PaceController(RequestCategory.Submit, PaceSetting.Pinned(5), null, At(0));

        Assert.Empty(Saturate(pace, 0, 5));
        pace.Observe(Accepted(20, 19), At(6));
        Assert.Equal(5 * PaceController.Safety, pace.Pace, precision: 9);

        pace.Observe(Refused(20), At(7));
        Assert.Equal(5 * PaceController.Safety * 0.7, pace.Pace, precision: 9);
        Assert.Null(pace.Learned);
    }

    [Fact]
    public void A_pinned_figure_the_service_reports_lower_warns_once_and_a_rounded_one_stays_quiet()
    {
        var pace = new PaceController(RequestCategory.Submit, PaceSetting.Pinned(16.7), null, At(0));
        Assert.Null(pace.Observe(Accepted(16, 15), At(0))); // vip's 16.7, rounded

        var low = pace.Observe(Accepted(5, 4), At(1));
        Assert.Contains("below the 16.7 this session was given", low!.Warning);
        Assert.Equal(5, pace.Limit);

        pace.Observe(Accepted(4, 3), At(2));
        pace.Observe(Accepted(5, 4), At(3));
        Assert.Equal(5, pace.Limit);
    }

    [Fact]
    public void A_remembered_rate_starts_without_slow_start()
    {
        var pace = Learned(remembered: 20);

        Assert.Equal(20 * PaceController.Safety, pace.Pace, precision: 9);
        var changes = Saturate(pace, 0, 2);
        Assert.Equal(2, changes.Count); // the gentle probe, never doubling
        Assert.True(pace.Pace < 20 * PaceController.Safety * 1.1);
    }

    /// <summary>The account's bucket as the service keeps it: refilled continuously, one token a request, refusals free.</summary>
    private sealed class SharedBucket(double perSecond)
    {
        private double _tokens = double.MaxValue;
        private double _refilledAt;

        public (bool Allowed, int Remaining) Take(double now)
        {
            _tokens = Math.Min(perSecond, _tokens + ((now - _refilledAt) * perSecond));
            _refilledAt = now;
            if (_tokens < 1)
            {
                return (false, 0);
            }

            _tokens -= 1;
            return (true, (int)Math.Floor(_tokens));
        }
    }
}
