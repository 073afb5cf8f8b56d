using ToApis.Emulator;
using ToApis.Emulator.RateLimiting;

namespace ToApis.Bench;

/// <summary>
/// The shortest wall time in which any client could get N tasks out of the emulator:
/// the earliest moment the N-th submit can pass the submit buckets, plus the expected latency of that last
/// task, plus half a poll interval (the mean wait between a task finishing and a poller that looks every
/// interval noticing it).
/// </summary>
internal sealed record PhysicalLimit(
    int Tasks,
    IReadOnlyList<BucketLimit> Buckets,
    IReadOnlyList<double> SubmitTimes,
    TimeSpan MeanLatency,
    TimeSpan HalfPollInterval)
{
    public TimeSpan LastSubmit => TimeSpan.FromSeconds(SubmitTimes[^1]);

    public TimeSpan Total => LastSubmit + MeanLatency + HalfPollInterval;

    public static PhysicalLimit For(int tasks, RateTier tier, EmulatorOptions emulator, double pollIntervalSec)
    {
        // The submit buckets are simulated submit by submit (RateLimits.EarliestRequestTimes), not estimated by a formula.
        var limits = RateLimits.ForSubmits(tier);
        var meanLatency = (emulator.MinLatency + emulator.MaxLatency) / 2 * emulator.TimeScale;
        return new PhysicalLimit(
            tasks, limits.Buckets, limits.EarliestRequestTimes(tasks), meanLatency, TimeSpan.FromSeconds(pollIntervalSec / 2));
    }
}
