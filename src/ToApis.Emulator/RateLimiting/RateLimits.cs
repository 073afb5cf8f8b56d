namespace ToApis.Emulator.RateLimiting;

internal enum RateLimitCategory
{
    AsyncSubmit,
    AsyncQuery,
}

/// <summary>One row of the documented limits (contract §5).</summary>
internal sealed record RateLimits(double RequestsPerSecond, int BurstPer10Seconds, int RequestsPerMinute)
{
    public static RateLimits For(RateTier tier, RateLimitCategory category) => (tier, category) switch
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
