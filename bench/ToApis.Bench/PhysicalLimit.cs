using ToApis.Emulator;
using ToApis.Emulator.RateLimiting;

namespace ToApis.Bench;

/// <summary>
/// The shortest wall time in which any client could get a scenario's N tasks out of the emulator: the earliest
/// moment the N-th submit can pass the account's submit buckets, plus the expected latency of that last task, plus
/// half a poll interval (the mean wait between a task finishing and a poller that looks every interval noticing
/// it), plus, when the scenario saves, one download of the mean time to first byte and size.
/// </summary>
internal sealed record PhysicalLimit(
    int Tasks,
    IReadOnlyList<BucketLimit> Buckets,
    IReadOnlyList<double> SubmitTimes,
    TimeSpan MeanLatency,
    TimeSpan HalfPollInterval,
    TimeSpan MeanDownload)
{
    public TimeSpan LastSubmit => TimeSpan.FromSeconds(SubmitTimes[^1]);

    public TimeSpan Total => LastSubmit + MeanLatency + HalfPollInterval + MeanDownload;

    public static PhysicalLimit For(int tasks, Scenario scenario, EmulatorOptions emulator, double pollIntervalSec)
    {
        // The submit buckets are simulated submit by submit (RateLimits.EarliestRequestTimes), not estimated by a formula.
        var limits = RateLimits.ForSubmits(scenario.Tier, scenario.RateScale);
        var meanLatency = (emulator.MinLatency + emulator.MaxLatency) / 2 * emulator.TimeScale;
        return new PhysicalLimit(
            tasks, limits.Buckets, limits.EarliestRequestTimes(Math.Max(1, tasks)), meanLatency, TimeSpan.FromSeconds(pollIntervalSec / 2),
            scenario.Saves ? Cdn.MeanDownload : TimeSpan.Zero);
    }
}

/// <summary>The files host of the scenarios that save: a CDN's time to first byte, bandwidth and result sizes.</summary>
internal static class Cdn
{
    public static readonly TimeSpan MinFirstByte = TimeSpan.FromSeconds(0.3);
    public static readonly TimeSpan MaxFirstByte = TimeSpan.FromSeconds(0.6);
    public const long BytesPerSecond = 6_000_000;
    public const long MinBytes = 1_000_000;
    public const long MaxBytes = 3_000_000;

    /// <summary>0.45 s to the first byte, then 2 MB at 6 MB/s: about 0.78 s, between 0.47 and 1.1 s.</summary>
    public static TimeSpan MeanDownload =>
        ((MinFirstByte + MaxFirstByte) / 2) + TimeSpan.FromSeconds((MinBytes + MaxBytes) / 2.0 / BytesPerSecond);

    public static void Apply(EmulatorOptions options)
    {
        options.DownloadMinLatency = MinFirstByte;
        options.DownloadMaxLatency = MaxFirstByte;
        options.DownloadBandwidth = BytesPerSecond;
        options.ResultMinBytes = MinBytes;
        options.ResultMaxBytes = MaxBytes;
    }
}
