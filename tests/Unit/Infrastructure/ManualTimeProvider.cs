namespace ToApis.Tests.Infrastructure;

/// <summary>Real time that moves only when a test says so: the emulator's clock follows it exactly.</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _gate = new();
    private TimeSpan _elapsed;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return start + _elapsed;
        }
    }

    public override long GetTimestamp()
    {
        lock (_gate)
        {
            return _elapsed.Ticks;
        }
    }

    public void Advance(TimeSpan duration)
    {
        lock (_gate)
        {
            _elapsed += duration;
        }
    }
}
