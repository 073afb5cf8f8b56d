namespace ToApis.Tests.Infrastructure;

/// <summary>
/// Real time that moves only when a test says so: the emulator's clock follows it exactly, and timers made on it
/// (the pacer's waits) fire when <see cref="Advance"/> reaches them.
/// </summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<ManualTimer> _armed = [];
    private TimeSpan _elapsed;

    public ManualTimeProvider()
        : this(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

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

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>
    /// Waits (for another thread to arm a timer, not for time to pass) until a timer is armed, or
    /// <paramref name="done"/> says none will be.
    /// </summary>
    public bool WaitForTimer(TimeSpan patience, Func<bool> done)
    {
        var deadline = DateTime.UtcNow + patience;
        lock (_gate)
        {
            while (_armed.Count == 0 && !done())
            {
                if (DateTime.UtcNow >= deadline)
                {
                    return false;
                }

                Monitor.Wait(_gate, TimeSpan.FromMilliseconds(10));
            }

            return true;
        }
    }

    public void Advance(TimeSpan duration)
    {
        List<ManualTimer> due;
        lock (_gate)
        {
            _elapsed += duration;
            due = [.. _armed.Where(t => t.Due <= _elapsed)];
            foreach (var timer in due)
            {
                timer.Rearm(_elapsed);
            }
        }

        due.ForEach(timer => timer.Fire());
    }

    private sealed class ManualTimer(ManualTimeProvider time, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        public TimeSpan Due { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (time._gate)
            {
                time._armed.Remove(this);
                _period = period;
                if (dueTime != Timeout.InfiniteTimeSpan)
                {
                    Due = time._elapsed + dueTime;
                    time._armed.Add(this);
                    Monitor.PulseAll(time._gate);
                }
            }

            return true;
        }

        /// <summary>Under the provider's lock: the next period, or disarmed.</summary>
        public void Rearm(TimeSpan now)
        {
            if (_period > TimeSpan.Zero && _period != Timeout.InfiniteTimeSpan)
            {
                Due = now + _period;
            }
            else
            {
                time._armed.Remove(this);
            }
        }

        public void Fire() => callback(state);

        public void Dispose() => Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
