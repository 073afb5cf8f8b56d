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

internal enum RequestCategory
{
    Submit,
    Query,
}

/// <summary>
/// How one category (submit or query) is paced: learned from the service (the default), pinned to a figure the
/// user gave, or not at all (<see cref="RateTier.None"/>).
/// </summary>
internal sealed record PaceSetting(double? PinnedPerSecond, bool Unpaced = false)
{
    /// <summary>Start at what an earlier run learned, else the documented default tier, and adapt.</summary>
    public static readonly PaceSetting Learned = new(PinnedPerSecond: null);

    public static readonly PaceSetting Off = new(PinnedPerSecond: null, Unpaced: true);

    public bool IsPinned => PinnedPerSecond is not null;

    public static PaceSetting Pinned(double perSecond) => new(perSecond);
}

/// <summary>Submit and query pacing of one account; buckets count per user, not per key.</summary>
internal sealed record RateLimitSettings(PaceSetting Submit, PaceSetting Query)
{
    /// <summary>Neither category pinned: what a session gets unless Connect-ToApis is told a tier or a rate.</summary>
    public static readonly RateLimitSettings Learned = new(PaceSetting.Learned, PaceSetting.Learned);

    public bool AnyPinned => Submit.IsPinned || Query.IsPinned;

    public PaceSetting For(RequestCategory category) => category == RequestCategory.Submit ? Submit : Query;

    public RateLimitSettings With(RequestCategory category, PaceSetting setting) =>
        category == RequestCategory.Submit ? this with { Submit = setting } : this with { Query = setting };

    /// <summary>Both categories pinned to a documented tier, or unpaced for <see cref="RateTier.None"/>.</summary>
    public static RateLimitSettings Pinned(RateTier tier) => tier == RateTier.None
        ? new(PaceSetting.Off, PaceSetting.Off)
        : new(PaceSetting.Pinned(DocumentedLimits.PerSecond(tier, RequestCategory.Submit)), PaceSetting.Pinned(DocumentedLimits.PerSecond(tier, RequestCategory.Query)));
}

/// <summary>The contract's per-second figures (§5); the 10-second burst and per-minute limits are the same rate.</summary>
internal static class DocumentedLimits
{
    public static double PerSecond(RateTier tier, RequestCategory category) => (tier, category) switch
    {
        (RateTier.Default, RequestCategory.Submit) => 5,
        (RateTier.Default, RequestCategory.Query) => 50,
        (RateTier.Vip, RequestCategory.Submit) => 16.7,
        (RateTier.Vip, RequestCategory.Query) => 166.7,
        (RateTier.Svip, RequestCategory.Submit) => 33.3,
        (RateTier.Svip, RequestCategory.Query) => 500,
        _ => throw new ArgumentOutOfRangeException(nameof(tier), tier, "RateTier.None has no limits."),
    };

    /// <summary>Where a learned pace starts when nothing was remembered.</summary>
    public static double Start(RequestCategory category) => PerSecond(RateTier.Default, category);

    /// <summary>How high a learned pace probes unless the account has shown more: the top documented tier.</summary>
    public static double Top(RequestCategory category) => PerSecond(RateTier.Svip, category);
}
