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
}
