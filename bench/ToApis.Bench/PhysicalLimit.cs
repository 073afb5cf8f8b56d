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
        var buckets = RateLimits.ForSubmits(tier).Buckets;
        var meanLatency = (emulator.MinLatency + emulator.MaxLatency) / 2 * emulator.TimeScale;
        return new PhysicalLimit(
            tasks, buckets, EarliestSubmitTimes(tasks, buckets), meanLatency, TimeSpan.FromSeconds(pollIntervalSec / 2));
    }

    /// <summary>
    /// When the k-th of <paramref name="count"/> back-to-back requests can pass, in seconds after the first, under
    /// the emulator's model (RateLimiting/UserRateLimiter.cs): every bucket starts full, refills continuously at
    /// capacity / window up to its capacity, and a request needs a whole token in each bucket and takes one from each.
    /// </summary>
    public static double[] EarliestSubmitTimes(int count, IReadOnlyList<BucketLimit> buckets)
    {
        var capacity = buckets.Select(b => b.Capacity).ToArray();
        var refillPerSecond = buckets.Select(b => b.Capacity / b.Window.TotalSeconds).ToArray();
        var tokens = (double[])capacity.Clone();
        var times = new double[count];
        var now = 0.0;
        for (var k = 0; k < count; k++)
        {
            // The wait until the emptiest bucket holds a whole token again.
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
}
