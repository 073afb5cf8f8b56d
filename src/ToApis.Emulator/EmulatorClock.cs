namespace ToApis.Emulator;

/// <summary>
/// The emulator's virtual clock: real start time + real elapsed time / <see cref="EmulatorOptions.TimeScale"/> +
/// manual offset. Task timestamps, lifecycles and result expiry follow it; rate limits do not (they use real time).
/// A change of <see cref="EmulatorOptions.TimeScale"/> at run time applies from the clock's next reading, which every
/// request makes.
/// </summary>
public sealed class EmulatorClock
{
    private readonly Func<double> readTimeScale;
    private readonly TimeProvider realTime;
    private readonly Lock gate = new();
    private DateTimeOffset anchorVirtualTime;
    private long anchorTimestamp;
    private double timeScale;
    private TimeSpan manualOffset;

    internal EmulatorClock(Func<double> readTimeScale, TimeProvider realTime)
    {
        this.readTimeScale = readTimeScale;
        this.realTime = realTime;
        anchorVirtualTime = realTime.GetUtcNow();
        anchorTimestamp = realTime.GetTimestamp();
        timeScale = readTimeScale();
    }

    public DateTimeOffset UtcNow
    {
        get
        {
            lock (gate)
            {
                var now = realTime.GetTimestamp();
                var currentScale = readTimeScale();
                if (currentScale != timeScale && currentScale > 0)
                {
                    // Re-anchor so that changing TimeScale at run time changes the speed, not the current time.
                    anchorVirtualTime = VirtualTimeAt(now);
                    anchorTimestamp = now;
                    timeScale = currentScale;
                }

                return VirtualTimeAt(now) + manualOffset;
            }
        }
    }

    public long UnixSeconds => UtcNow.ToUnixTimeSeconds();

    /// <summary>Moves virtual time forward, e.g. to make results expire without sleeping.</summary>
    public void Advance(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        lock (gate)
        {
            manualOffset += duration;
        }
    }

    private DateTimeOffset VirtualTimeAt(long timestamp) =>
        anchorVirtualTime + realTime.GetElapsedTime(anchorTimestamp, timestamp) / timeScale;
}
