using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using ToApis.Emulator.Webhooks;

namespace ToApis.Emulator;

/// <summary>
/// Settings of a <see cref="ToApisEmulator"/>. Apart from the hosts, ports, seed and users, every switch may be
/// flipped while the emulator runs: requests read them when they arrive.
/// </summary>
public sealed class EmulatorOptions
{
    public const string DefaultApiKey = "sk-emulator-local-test-key";
    public const string DefaultUserId = "user-1";

    public string Host { get; set; } = "127.0.0.1";

    /// <summary>0 binds any free port.</summary>
    public int ApiPort { get; set; }

    /// <summary>Port of the separate public files host; 0 binds any free port.</summary>
    public int FilesPort { get; set; }

    /// <summary>API key to user. Configure before starting: the dictionary is read concurrently.</summary>
    public Dictionary<string, EmulatorUser> Users { get; } = new(StringComparer.Ordinal)
    {
        [DefaultApiKey] = new EmulatorUser(DefaultUserId),
    };

    /// <summary>Multiplies every task duration: 0.001 makes a 20 s task take 20 ms of real time.</summary>
    public double TimeScale { get; set; } = 1.0;

    /// <summary>Shortest virtual (unscaled) task duration; durations are drawn uniformly per task.</summary>
    public TimeSpan MinLatency { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest virtual (unscaled) task duration.</summary>
    public TimeSpan MaxLatency { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Fraction (0..1) of tasks that end <c>failed</c>.</summary>
    public double FailureRate { get; set; }

    /// <summary>Makes task durations, outcomes, IDs and random faults repeatable.</summary>
    public int? Seed { get; set; }

    public bool RateLimitsEnabled { get; set; } = true;

    /// <summary>
    /// Which answers carry <c>X-RateLimit-*</c>: the contract's "limited responses" may mean every answer subject to
    /// a limit or only the 429s, so both are emulated.
    /// </summary>
    public RateLimitHeaders RateLimitHeaders { get; set; } = RateLimitHeaders.EveryAnswer;

    /// <summary>Answers submits with 503 <c>rate_limit_unavailable</c>; queries keep working.</summary>
    public bool SubmitLimiterUnavailable { get; set; }

    /// <summary>A full outage: every request to the API and files hosts (not the test controls) answers 500.</summary>
    public bool Outage { get; set; }

    public EmulatorQuirks Quirks { get; set; }

    /// <summary>A prompt containing this text (any case) is refused with 422 <c>content_policy_violation</c>.</summary>
    public string ContentPolicyTriggerWord { get; set; } = "forbidden-content";

    /// <summary>A prompt containing this text (any case) is accepted, then its task ends <c>failed</c>, as if FailureRate had picked it.</summary>
    public string TaskFailureTriggerWord { get; set; } = "doomed-task";

    /// <summary>Credits of each user; null means unlimited.</summary>
    public decimal? Credits { get; set; }

    public decimal CreditsPerImage { get; set; } = 10;

    /// <summary>Balance endpoints answer HTTP 200 <c>{"success":false,"message":…}</c>.</summary>
    public bool BalanceEndpointFails { get; set; }

    /// <summary>Expired result URLs answer 403 instead of 404.</summary>
    public bool ExpiredResultsAnswer403 { get; set; }

    /// <summary>
    /// Task Webhooks per token (API key); a key without an entry has none, and a callback_url gets
    /// 400 webhook_not_configured. Change them while running through <see cref="ToApisEmulator.Webhooks"/>.
    /// </summary>
    public ConcurrentDictionary<string, TokenWebhook> Webhooks { get; } = new(StringComparer.Ordinal);

    public WebhookFaults WebhookFaults { get; set; }

    /// <summary>Real time one delivery attempt may take (the service's 10 s; not scaled, like the rate limits).</summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Shortest wait before the files host sends the first byte of a file, like a CDN's time to first byte. Real
    /// time, never scaled by <see cref="TimeScale"/>: downloads take as long as they would against the service.
    /// </summary>
    public TimeSpan DownloadMinLatency { get; set; }

    /// <summary>Longest time to first byte; each download draws uniformly between the two.</summary>
    public TimeSpan DownloadMaxLatency { get; set; }

    /// <summary>Bytes per second the files host sends on each connection; 0 sends as fast as the connection takes.</summary>
    public long DownloadBandwidth { get; set; }

    /// <summary>
    /// Smallest size of a result image in bytes. When set, each result is a small rendered image padded (with
    /// PNG ancillary chunks or JPEG comments, which viewers skip) to a size drawn per image between this and
    /// <see cref="ResultMaxBytes"/>, like real results of 1–3 MB; 0 serves images as rendered (tens of kilobytes).
    /// </summary>
    public long ResultMinBytes { get; set; }

    /// <summary>Largest size of a padded result image in bytes.</summary>
    public long ResultMaxBytes { get; set; }

    public LogLevel MinimumLogLevel { get; set; } = LogLevel.Warning;

    /// <summary>The real time that the virtual clock and the rate limits follow; tests pass a manual one to step it instead of sleeping.</summary>
    public TimeProvider RealTime { get; set; } = TimeProvider.System;

    internal void Validate()
    {
        if (Users.Count == 0)
        {
            throw new ArgumentException("At least one user (API key) is required.", nameof(Users));
        }

        if (!(TimeScale > 0) || double.IsInfinity(TimeScale))
        {
            throw new ArgumentOutOfRangeException(nameof(TimeScale), TimeScale, "TimeScale must be a positive number.");
        }

        if (MinLatency < TimeSpan.Zero || MaxLatency < MinLatency)
        {
            throw new ArgumentException("Latencies must satisfy 0 <= MinLatency <= MaxLatency.", nameof(MinLatency));
        }

        if (FailureRate is < 0 or > 1 || double.IsNaN(FailureRate))
        {
            throw new ArgumentOutOfRangeException(nameof(FailureRate), FailureRate, "FailureRate must be between 0 and 1.");
        }

        if (DownloadMinLatency < TimeSpan.Zero || DownloadMaxLatency < DownloadMinLatency)
        {
            throw new ArgumentException("Download latencies must satisfy 0 <= DownloadMinLatency <= DownloadMaxLatency.", nameof(DownloadMinLatency));
        }

        if (DownloadBandwidth < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(DownloadBandwidth), DownloadBandwidth, "DownloadBandwidth must be 0 (unlimited) or positive.");
        }

        if (ResultMinBytes < 0 || ResultMaxBytes < ResultMinBytes)
        {
            throw new ArgumentException("Result sizes must satisfy 0 <= ResultMinBytes <= ResultMaxBytes.", nameof(ResultMinBytes));
        }

        if (Users.Values.Any(user => !(user.RateScale > 0) || double.IsInfinity(user.RateScale)))
        {
            throw new ArgumentOutOfRangeException(nameof(Users), "A user's RateScale must be a positive number.");
        }

        if (ApiPort is < 0 or > 65535 || FilesPort is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(ApiPort), "Ports must be between 0 and 65535.");
        }

        foreach (var webhook in Webhooks.Values)
        {
            webhook.Validate();
        }
    }
}

/// <param name="RateScale">
/// Multiplies every limit of <paramref name="Tier"/>: 4 is an account four times the tier's pace (a custom
/// contract), 0.5 one whose budget is half used by another consumer.
/// </param>
public sealed record EmulatorUser(string UserId, RateTier Tier = RateTier.Default, double RateScale = 1.0);

/// <summary>Which rate-limited answers carry the <c>X-RateLimit-*</c> headers.</summary>
public enum RateLimitHeaders
{
    /// <summary>Every answer subject to a limit, accepted or refused.</summary>
    EveryAnswer,

    /// <summary>Only 429s (Retry-After always comes with a 429).</summary>
    RefusalsOnly,
}

public enum RateTier
{
    Default,
    Vip,
    Svip,
}

/// <summary>Live-service variants that the docs disagree on (contract §2 ⚠, §5, §10).</summary>
[Flags]
public enum EmulatorQuirks
{
    None = 0,

    /// <summary>The first status is <c>submitted</c> instead of <c>queued</c>.</summary>
    SubmittedStatus = 1,

    /// <summary>Running tasks report <c>processing</c> instead of <c>in_progress</c>.</summary>
    ProcessingStatus = 2,

    /// <summary>Old schema: completed tasks carry only a top-level <c>url</c> (the first image), no <c>result</c>.</summary>
    TopLevelUrlOnly = 4,

    /// <summary>An unknown task answers New API's 400 <c>{"code":"task_not_exist","message":"task_not_exist","data":null}</c>.</summary>
    TaskNotExistAs400 = 8,

    /// <summary><c>error.code</c> is the HTTP status as an integer where the docs show one (401, 404, 429).</summary>
    IntegerErrorCodes = 16,

    /// <summary>Running tasks report an undocumented status (<c>generating</c>), which clients must treat as non-terminal.</summary>
    UnknownStatus = 32,

    /// <summary>
    /// The status route finds tasks only by their id, not by client_business_id (only the CN docs promise the
    /// lookup): what a client's local journal must make up for.
    /// </summary>
    NoBusinessIdLookup = 64,
}
