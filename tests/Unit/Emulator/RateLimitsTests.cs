using System.Text;
using ToApis.Emulator;
using ToApis.Emulator.RateLimiting;
using ToApis.Tests.Infrastructure;
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

    [Theory]
    [InlineData(RateLimitHeaders.EveryAnswer)]
    [InlineData(RateLimitHeaders.RefusalsOnly)]
    public async Task The_headers_come_on_every_limited_answer_or_only_on_429s(RateLimitHeaders habit)
    {
        // Time stands still: the default tier's 5 submits pass and the sixth is refused.
        var options = new EmulatorOptions { TimeScale = 0.001, Seed = 5, RateLimitHeaders = habit, RealTime = new ManualTimeProvider() };
        await using var emulator = await ToApisEmulator.StartAsync(options);
        using var http = new HttpClient { BaseAddress = emulator.BaseUri };
        http.DefaultRequestHeaders.Authorization = new("Bearer", emulator.ApiKey);

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 6; i++)
        {
            var body = $$"""{"model":"gemini-2.5-flash-image-official","prompt":"p{{i}}"}""";
            answers.Add(await http.PostAsync("v1/images/generations", new StringContent(body, Encoding.UTF8, "application/json")));
        }

        static string? Header(HttpResponseMessage answer, string name) => answer.Headers.TryGetValues(name, out var values) ? values.Single() : null;
        Assert.All(answers.Take(5), a => Assert.Equal(200, (int)a.StatusCode));
        Assert.Equal(429, (int)answers[5].StatusCode);
        Assert.Equal("5", Header(answers[5], "X-RateLimit-Limit"));
        Assert.Equal("0", Header(answers[5], "X-RateLimit-Remaining"));
        Assert.NotNull(Header(answers[5], "Retry-After"));
        if (habit == RateLimitHeaders.EveryAnswer)
        {
            Assert.Equal(["4", "3", "2", "1", "0"], answers.Take(5).Select(a => Header(a, "X-RateLimit-Remaining")));
            Assert.All(answers.Take(5), a => Assert.Equal("async_submit", Header(a, "X-RateLimit-Category")));
        }
        else
        {
            Assert.All(answers.Take(5), a => Assert.Null(Header(a, "X-RateLimit-Limit")));
        }

        answers.ForEach(a => a.Dispose());
    }
}
