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
                FollowTimeScale(now);
                return VirtualTimeAt(now) + manualOffset;
            }
        }
    }

    /// <summary>
    /// The real (wall-clock, UTC) time at which this clock shows, or showed, <paramref name="virtualTime"/>, e.g. when
    /// a task's <c>completed_at</c> happens for a client. Exact while <see cref="EmulatorOptions.TimeScale"/> and the
    /// <see cref="Advance"/> offset stay as they are now; times before a change are mapped at the current speed.
    /// </summary>
    public DateTimeOffset ToRealTime(DateTimeOffset virtualTime)
    {
        lock (gate)
        {
            var now = realTime.GetTimestamp();
            FollowTimeScale(now);
            var realAnchor = realTime.GetUtcNow() - realTime.GetElapsedTime(anchorTimestamp, now);
            return realAnchor + ((virtualTime - manualOffset - anchorVirtualTime) * timeScale);
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

    /// <summary>Re-anchors so that changing TimeScale at run time changes the speed, not the current time.</summary>
    private void FollowTimeScale(long now)
    {
        var currentScale = readTimeScale();
        if (currentScale != timeScale && currentScale > 0)
        {
            anchorVirtualTime = VirtualTimeAt(now);
            anchorTimestamp = now;
            timeScale = currentScale;
        }
    }

    private DateTimeOffset VirtualTimeAt(long timestamp) =>
        anchorVirtualTime + realTime.GetElapsedTime(anchorTimestamp, timestamp) / timeScale;
}
