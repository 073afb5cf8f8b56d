namespace ToApis.Emulator.RateLimiting;

internal enum RateLimitCategory
{
    AsyncSubmit,
    AsyncQuery,
}

/// <summary>One row of the documented limits (contract §5).</summary>
public sealed record RateLimits(double RequestsPerSecond, int BurstPer10Seconds, int RequestsPerMinute)
{
    /// <summary>
    /// The buckets a request must find a token in, shortest window first: each holds its number of tokens and
    /// refills continuously over its window (see <see cref="UserRateLimiter"/>).
    /// </summary>
    public IReadOnlyList<BucketLimit> Buckets =>
    [
        new(RequestsPerSecond, TimeSpan.FromSeconds(1)),
        new(BurstPer10Seconds, TimeSpan.FromSeconds(10)),
        new(RequestsPerMinute, TimeSpan.FromMinutes(1)),
    ];

    /// <summary>The submit limits of a tier, times <paramref name="scale"/>, for clients and benchmarks that plan around them.</summary>
    public static RateLimits ForSubmits(RateTier tier, double scale = 1.0) => For(tier, RateLimitCategory.AsyncSubmit).Scaled(scale);

    /// <summary>These limits times <paramref name="factor"/> (an account on a custom contract, or sharing its budget).</summary>
    public RateLimits Scaled(double factor) => factor == 1.0
        ? this
        : new(RequestsPerSecond * factor, (int)Math.Round(BurstPer10Seconds * factor), (int)Math.Round(RequestsPerMinute * factor));

    /// <summary>
    /// The earliest moments, in seconds after the first, at which <paramref name="count"/> back-to-back requests can
    /// pass these limits, simulated request by request as <see cref="UserRateLimiter"/> decides: every bucket starts
    /// full and refills continuously, and a request needs a whole token in each bucket and takes one from each.
    /// </summary>
    public double[] EarliestRequestTimes(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var buckets = Buckets;
        var capacity = buckets.Select(b => b.Capacity).ToArray();
        var refillPerSecond = buckets.Select(b => b.Capacity / b.Window.TotalSeconds).ToArray();
        var tokens = (double[])capacity.Clone();
        var times = new double[count];
        var now = 0.0;
        for (var k = 0; k < count; k++)
        {
            // Wait until the emptiest bucket holds a whole token again.
            var wait = 0.0;
            for (var b = 0; b < tokens.Length; b++)
            {
                if (tokens[b] < 1)
                {
                    wait = Math.Max(wait, (1 - tokens[b]) / refillPerSecond[b]);
                }
            }

            now += wait;
            for (var b = 0; b < tokens.Length; b++)
            {
                tokens[b] = Math.Min(capacity[b], tokens[b] + (wait * refillPerSecond[b])) - 1;
            }

            times[k] = now;
        }

        return times;
    }

    internal static RateLimits For(EmulatorUser user, RateLimitCategory category) => For(user.Tier, category).Scaled(user.RateScale);

    internal static RateLimits For(RateTier tier, RateLimitCategory category) => (tier, category) switch
    {
        (RateTier.Default, RateLimitCategory.AsyncSubmit) => new(5, 50, 300),
        (RateTier.Default, RateLimitCategory.AsyncQuery) => new(50, 500, 3_000),
        (RateTier.Vip, RateLimitCategory.AsyncSubmit) => new(16.7, 167, 1_000),
        (RateTier.Vip, RateLimitCategory.AsyncQuery) => new(166.7, 1_667, 10_000),
        (RateTier.Svip, RateLimitCategory.AsyncSubmit) => new(33.3, 334, 2_000),
        (RateTier.Svip, RateLimitCategory.AsyncQuery) => new(500, 5_000, 30_000),
        _ => throw new ArgumentOutOfRangeException(nameof(tier), tier, null),
    };
}

/// <summary>A bucket of <paramref name="Capacity"/> tokens that refills continuously over <paramref name="Window"/>.</summary>
public readonly record struct BucketLimit(double Capacity, TimeSpan Window);

internal static class RateLimitCategories
{
    /// <summary>The <c>X-RateLimit-Category</c> header value.</summary>
    public static string HeaderValue(this RateLimitCategory category) => category switch
    {
        RateLimitCategory.AsyncSubmit => "async_submit",
        RateLimitCategory.AsyncQuery => "async_query",
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, null),
    };
}
