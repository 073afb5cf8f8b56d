using ToApis.Client;
using ToApis.Client.Resilience;
using Xunit;

namespace ToApis.Tests.Core;

/// <summary>The outage breaker on its own, on a clock the test moves.</summary>
public sealed class OutageBreakerTests
{
    private DateTimeOffset _now = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    private OutageBreaker NewBreaker() => new("The service at https://toapis.com/", () => _now);

    private void FailFor(OutageBreaker breaker, int failures, TimeSpan apart)
    {
        for (var i = 0; i < failures; i++)
        {
            breaker.Record(AttemptHealth.Failed, "HTTP 500 Internal Server Error");
            _now += apart;
        }
    }

    [Fact]
    public async Task Failures_in_a_row_over_ten_seconds_open_it_and_it_refuses_at_once()
    {
        var breaker = NewBreaker();

        FailFor(breaker, 5, TimeSpan.FromSeconds(3));

        Assert.True(breaker.IsOpen);
        var refused = await Assert.ThrowsAsync<ToApisServiceUnavailableException>(() => breaker.EnterAsync(CancellationToken.None));
        Assert.Equal(5, refused.ConsecutiveFailures);
        Assert.Contains("HTTP 500", refused.Message);
    }

    [Fact]
    public void A_burst_of_a_few_failures_at_one_moment_does_not_open_it()
    {
        var breaker = NewBreaker();

        FailFor(breaker, 20, TimeSpan.FromMilliseconds(10));

        Assert.False(breaker.IsOpen);
    }

    [Fact]
    public void Thirty_failures_in_a_row_open_it_whatever_the_time()
    {
        var breaker = NewBreaker();

        FailFor(breaker, OutageBreaker.FailuresToOpenAtOnce, TimeSpan.Zero);

        Assert.True(breaker.IsOpen);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void An_answer_ends_the_streak_and_what_says_nothing_of_the_host_does_not(bool answered, bool opens)
    {
        var breaker = NewBreaker();

        FailFor(breaker, 4, TimeSpan.FromSeconds(3));
        breaker.Record(answered ? AttemptHealth.Answered : AttemptHealth.Unknown);
        FailFor(breaker, 1, TimeSpan.FromSeconds(3));

        Assert.Equal(opens, breaker.IsOpen);
    }

    [Fact]
    public async Task A_new_command_sends_one_probe_while_the_others_wait_for_its_answer()
    {
        var breaker = NewBreaker();
        FailFor(breaker, 5, TimeSpan.FromSeconds(3));

        breaker.AllowProbe();
        await breaker.EnterAsync(CancellationToken.None); // the probe
        var waiting = breaker.EnterAsync(CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        breaker.Record(AttemptHealth.Answered);
        await waiting;

        Assert.False(breaker.IsOpen);
    }

    [Fact]
    public async Task A_failed_probe_keeps_it_open_for_the_waiting_requests_too()
    {
        var breaker = NewBreaker();
        FailFor(breaker, 5, TimeSpan.FromSeconds(3));

        breaker.AllowProbe();
        await breaker.EnterAsync(CancellationToken.None);
        var waiting = breaker.EnterAsync(CancellationToken.None);
        breaker.Record(AttemptHealth.Failed, "HTTP 502 Bad Gateway");

        await Assert.ThrowsAsync<ToApisServiceUnavailableException>(() => waiting);
        Assert.True(breaker.IsOpen);
    }
}
