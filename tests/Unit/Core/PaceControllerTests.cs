using ToApis.Client.RateLimiting;
using Xunit;

namespace ToApis.Tests.Core;

/// <summary>The pacing policy as arithmetic on clock readings: no clock, no sleeps, no service.</summary>
public sealed class PaceControllerTests
{
    private static TimeSpan At(double seconds) => TimeSpan.FromSeconds(seconds);

    /// <summary>An accepted answer; <paramref name="limit"/> as a per-second X-RateLimit-Limit (its window resets within a second).</summary>
    private static LimitSignal Accepted(int? limit = null) => new(false, limit, limit is null ? null : At(1), null);

    private static LimitSignal Refused(int? limit = null) => new(true, limit, limit is null ? null : At(1), At(1));

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
    public void Unpinned_pace_starts_at_the_documented_default_and_doubles_while_requests_wait_up_to_the_top_tier()
    {
        var pace = Learned();
        Assert.Equal(5, pace.Limit);
        Assert.Equal(5 * PaceController.Safety, pace.Pace);

        var changes = Saturate(pace, 0, 10);

        Assert.Equal(new[] { 10, 20, 33.3 }, changes.Select(c => c.To));
        Assert.All(changes, c => Assert.Null(c.Warning));
        Assert.True(changes[^1].Settled, "reaching the top tier without a 429 is worth remembering");
        Assert.Contains("submit pace raised from 5 to 10 per second", changes[0].Reason);
    }

    [Fact]
    public void Nothing_rises_while_demand_is_below_the_pace()
    {
        var pace = Learned();

        pace.Backlog(waiting: true, At(0));
        pace.Backlog(waiting: false, At(0.1)); // waited a tenth of the half second

        Assert.Null(pace.Tick(At(0.5)));
        Assert.Null(pace.Tick(At(10)));
        Assert.Equal(5, pace.Limit);
    }

    [Fact]
    public void Slow_start_stops_at_the_limit_the_service_reports()
    {
        var pace = Learned();
        Assert.Null(pace.Observe(Accepted(limit: 20), At(0.1))); // above the pace: nothing to lower

        var changes = Saturate(pace, 0.1, 10);

        Assert.Equal(new[] { 10, 20.0 }, changes.Select(c => c.To));
        Assert.True(changes[^1].Settled);
    }

    [Fact]
    public void A_429_in_slow_start_settles_on_the_reported_limit()
    {
        var pace = Learned();
        Saturate(pace, 0, 0.5); // 5 -> 10 -> 20

        var change = pace.Observe(Refused(limit: 12), At(1.2));

        Assert.Equal(12, pace.Limit);
        Assert.Equal(20, change!.From);
        Assert.Contains("reports a limit of 12 per second", change.Reason);
    }

    [Fact]
    public void A_429_in_slow_start_without_headers_halves_to_the_last_pace_accepted()
    {
        var pace = Learned();
        Saturate(pace, 0, 0.5); // 20

        pace.Observe(Refused(), At(1.2));

        Assert.Equal(10, pace.Limit);
    }

    [Fact]
    public void A_lower_reported_limit_is_followed_once_and_never_warns_when_not_pinned()
    {
        var pace = Learned();

        var change = pace.Observe(Accepted(limit: 2), At(0));
        var again = pace.Observe(Accepted(limit: 2), At(0.5));

        Assert.Equal(2, pace.Limit);
        Assert.Contains("reports a limit of 2 per second", change!.Reason);
        Assert.Null(change.Warning);
        Assert.Null(again);
    }

    [Fact]
    public void A_small_reported_limit_may_be_rounded_down_so_probing_reaches_the_next_whole_number_quickly()
    {
        var pace = Learned();
        pace.Observe(Accepted(limit: 2), At(0)); // the account allows 2.5 a second; the header says 2

        Assert.True(Saturate(pace, 0, 9.5).Single().Settled); // slow start ends at once: the pace is at the reported limit
        var probes = Saturate(pace, 10, 12.5);

        Assert.Equal(new[] { 2.5, 3.0 }, probes.Take(2).Select(c => c.To));
    }

    [Theory]
    [InlineData(30, 40.0)] // a figure for a longer window: it resets far away
    [InlineData(3, null)] // no reset: the unit is unknown
    [InlineData(5000, 1.0)] // far above any documented tier
    public void A_limit_that_may_not_count_per_second_is_ignored(int limit, double? resetSeconds)
    {
        var pace = Learned();

        Assert.Null(pace.Observe(new LimitSignal(false, limit, resetSeconds is { } r ? At(r) : null, null), At(0)));
        Assert.Equal(5, pace.Limit);
    }

    [Fact]
    public void Refusals_that_keep_coming_measure_this_process_share()
    {
        var pace = Learned(remembered: 5); // no slow start: starts where an earlier run settled
        pace.Observe(Accepted(limit: 5), At(0));

        // Another process takes half the account: 429s keep coming, while the service accepts 2.5 a second from us.
        Assert.Null(pace.Observe(Refused(limit: 5), At(10)));
        for (var i = 1; i <= 8; i++)
        {
            pace.Observe(Accepted(limit: 5), At(10 + (0.4 * i)));
            if (i == 3)
            {
                Assert.Null(pace.Observe(Refused(limit: 5), At(11.3))); // three acceptances are too few to measure
            }
        }

        var change = pace.Observe(Refused(limit: 5), At(13.3));

        Assert.Equal(2.5, pace.Limit, precision: 6); // 2.42 measured, but one round never more than halves
        Assert.True(change!.Settled);
        Assert.Contains("accepted 2.42 per second from this process", change.Reason);
    }

    [Fact]
    public void A_lone_429_is_jitter_and_changes_nothing()
    {
        var pace = Learned(remembered: 20);

        pace.Observe(Refused(limit: 20), At(30));
        var changes = Saturate(pace, 30, 44);

        Assert.Equal(20, pace.Limit);
        Assert.Empty(changes); // probing waits while a round of 429s might follow
        Assert.NotEmpty(Saturate(pace, 46, 48)); // the round ended without another 429: probing resumes
    }

    [Fact]
    public void After_settling_it_holds_then_probes_slowly_and_closes_in_fast_on_a_partner_s_leftovers()
    {
        var pace = Learned(remembered: 5);
        pace.Observe(Accepted(limit: 5), At(0));
        pace.Observe(Refused(limit: 5), At(1));
        for (var t = 1.5; t <= 5.0; t += 0.5)
        {
            pace.Observe(Accepted(limit: 5), At(t));
        }

        pace.Observe(Refused(limit: 5), At(5.1)); // measured 8 / 4.1 s: at most halved, to 2.5
        Assert.Equal(2.5, pace.Limit, precision: 6);

        Assert.Empty(Saturate(pace, 5.1, 15)); // holds for 10 s
        var probes = Saturate(pace, 15.1, 19);

        // Far below the reported 5: a quarter of the gap a second, not 2 % of it.
        Assert.True(probes[0].To - probes[0].From >= 0.25 * (5 - 2.5) - 1e-9);
        Assert.True(pace.Limit <= 5 + 1e-9);
    }

    [Fact]
    public void A_pinned_pace_never_rises_above_the_given_figure_but_yields_to_429s()
    {
        var pace = new PaceController(RequestCategory.Submit, PaceSetting.Pinned(16.7), null, At(0));
        Assert.Empty(Saturate(pace, 0, 30));
        Assert.Equal(16.7, pace.Limit);

        pace.Observe(Refused(), At(31));
        for (var t = 31.1; t < 32.2; t += 0.125)
        {
            pace.Observe(Accepted(), At(t));
        }

        pace.Observe(Refused(), At(32.2));
        Assert.True(pace.Limit < 16.7);

        Saturate(pace, 33, 200);
        Assert.Equal(16.7, pace.Limit, precision: 6);
    }

    [Fact]
    public void A_pinned_figure_the_service_reports_lower_warns_once_and_a_right_one_stays_quiet()
    {
        var tooHigh = new PaceController(RequestCategory.Submit, PaceSetting.Pinned(33.3), null, At(0));
        var first = tooHigh.Observe(Accepted(limit: 5), At(0));
        var second = tooHigh.Observe(Accepted(limit: 4), At(1));
        Assert.Contains("submit limit of 5 per second, below the 33.3 this session was given", first!.Warning);
        Assert.Null(second!.Warning);
        Assert.Equal(4, tooHigh.Limit);

        // svip: the service rounds 33.3 down to 33 in its header. That is agreement, not a wrong setting.
        var right = new PaceController(RequestCategory.Submit, PaceSetting.Pinned(33.3), null, At(0));
        Assert.Null(right.Observe(Accepted(limit: 33), At(0))?.Warning);
    }

    [Fact]
    public void A_remembered_pace_starts_without_slow_start_then_probes_gently()
    {
        var pace = Learned(remembered: 20);

        Assert.Equal(20, pace.Limit);
        Assert.Empty(Saturate(pace, 0, 9.5)); // holds first
        var probes = Saturate(pace, 10, 12);
        Assert.NotEmpty(probes);
        Assert.All(probes, c => Assert.Equal(0.02 * c.From, c.To - c.From, precision: 6));
    }

    [Fact]
    public void A_service_that_reports_more_than_the_top_tier_is_believed()
    {
        var pace = Learned();
        pace.Observe(Accepted(limit: 45), At(0));

        Saturate(pace, 0, 5);

        Assert.Equal(45, pace.Limit);
    }
}
