using ToApis.Emulator;
using ToApis.Emulator.RateLimiting;
using Xunit;

namespace ToApis.Tests.Emulator;

public sealed class RateLimitsTests
{
    [Fact]
    public void Submit_buckets_are_the_documented_numbers_over_1_10_and_60_seconds()
    {
        Assert.Equal(
            [new BucketLimit(5, TimeSpan.FromSeconds(1)), new BucketLimit(50, TimeSpan.FromSeconds(10)), new BucketLimit(300, TimeSpan.FromMinutes(1))],
            RateLimits.ForSubmits(RateTier.Default).Buckets);
        Assert.Equal(33.3, RateLimits.ForSubmits(RateTier.Svip).RequestsPerSecond);
    }

    [Fact]
    public void Earliest_request_times_follow_the_tightest_bucket()
    {
        // Default submits: all three buckets refill at 5/s, so the 1 s bucket binds: 5 at once, then one per 200 ms.
        var times = RateLimits.ForSubmits(RateTier.Default).EarliestRequestTimes(1000);
        Assert.Equal(0, times[4]);
        Assert.Equal(0.2, times[5], precision: 9);
        Assert.Equal(199, times[999], precision: 6);

        // A 60 s bucket that refills slower (2/s) binds once its 120 are spent: the 200th waits for 80 more tokens,
        // 40 s, not the 19 s the 1 s bucket alone would allow.
        var slowMinute = new RateLimits(10, 100, 120).EarliestRequestTimes(200);
        Assert.Equal(0, slowMinute[9]);
        Assert.Equal(40, slowMinute[199], precision: 6);
        Assert.Empty(RateLimits.ForSubmits(RateTier.Vip).EarliestRequestTimes(0));
    }
}
