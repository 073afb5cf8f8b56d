using System;

namespace ToApis.Client.Polling;

/// <summary>
/// When to look at a running task again. The contract asks for a first look after about 5 s, then every
/// 5–10 s with random jitter and never faster, so many waiting clients do not poll in lockstep.
/// </summary>
internal sealed class PollingCadence(TimeSpan firstDelay, TimeSpan minInterval, TimeSpan maxInterval)
{
    private readonly Random _random = new();

    public static readonly TimeSpan ContractMinimum = TimeSpan.FromSeconds(5);

    public static PollingCadence Contract => new(ContractMinimum, ContractMinimum, TimeSpan.FromSeconds(10));

    /// <summary>A chosen interval: first look after it, then every 1–2× it (still jittered).</summary>
    public static PollingCadence Every(TimeSpan interval) => new(interval, interval, interval + interval);

    public TimeSpan FirstDelay => firstDelay;

    public TimeSpan NextInterval()
    {
        double fraction;
        lock (_random)
        {
            fraction = _random.NextDouble();
        }

        var spread = maxInterval < minInterval ? TimeSpan.Zero : maxInterval - minInterval;
        return minInterval + TimeSpan.FromTicks((long)(spread.Ticks * fraction));
    }
}
