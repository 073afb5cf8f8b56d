using System;

namespace ToApis.Client.RateLimiting;

/// <summary>The account groups of the contract's async-task limits (§5).</summary>
public enum RateTier
{
    Default,
    Vip,
    Svip,

    /// <summary>No client-side limit: only the server's 429s (with Retry-After) slow requests down.</summary>
    None,
}

/// <summary>One category's documented limits: requests per second, per 10-second burst and per minute.</summary>
internal sealed record CategoryLimits(double PerSecond, int PerTenSeconds, int PerMinute)
{
    /// <summary>Limits derived from a single per-second figure, in the documented proportions.</summary>
    public static CategoryLimits FromPerSecond(double perSecond) =>
        new(perSecond, (int)Math.Floor(perSecond * 10), (int)Math.Floor(perSecond * 60));
}

/// <summary>Submit and query limits of one account; buckets count per user, not per key.</summary>
internal sealed record RateLimitSettings(CategoryLimits? Submit, CategoryLimits? Query)
{
    public static RateLimitSettings For(RateTier tier) => tier switch
    {
        RateTier.Default => new(new(5, 50, 300), new(50, 500, 3000)),
        RateTier.Vip => new(new(16.7, 167, 1000), new(166.7, 1667, 10000)),
        RateTier.Svip => new(new(33.3, 334, 2000), new(500, 5000, 30000)),
        _ => new(null, null),
    };
}

internal enum RequestCategory
{
    Submit,
    Query,
}
