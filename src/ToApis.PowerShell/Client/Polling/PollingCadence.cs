using System;

namespace ToApis.Client.Polling;

/// <summary>
/// When to look at a running task again. The contract asks for a first look after about 5 s, then every
/// 5–10 s with random jitter and never faster, so many waiting clients do not poll in lockstep.
/// </summary>
internal sealed class PollingCadence
{
    private readonly object _gate = new();
    private readonly Random _random = new();

    public PollingCadence(TimeSpan firstDelay, TimeSpan minInterval, TimeSpan maxInterval)
    {
        FirstDelay = firstDelay;
        MinInterval = minInterval;
        MaxInterval = maxInterval < minInterval ? minInterval : maxInterval;
    }

    public static readonly TimeSpan ContractMinimum = TimeSpan.FromSeconds(5);

    public static PollingCadence Contract => new(ContractMinimum, ContractMinimum, TimeSpan.FromSeconds(10));

    /// <summary>A chosen interval: first look after it, then every 1–2× it (still jittered).</summary>
    public static PollingCadence Every(TimeSpan interval) => new(interval, interval, interval + interval);

    public TimeSpan FirstDelay { get; }

    public TimeSpan MinInterval { get; }

    public TimeSpan MaxInterval { get; }

    public TimeSpan NextInterval()
    {
        double fraction;
        lock (_gate)
        {
            fraction = _random.NextDouble();
        }

        return MinInterval + TimeSpan.FromTicks((long)((MaxInterval - MinInterval).Ticks * fraction));
    }
}
