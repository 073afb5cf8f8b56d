using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace ToApis.Client.RateLimiting;

/// <summary>Monotonic time and waits for pacing; tests replace it with a clock they advance by hand.</summary>
internal abstract class PacingClock
{
    public static PacingClock System { get; } = new SystemClock();

    /// <summary>Time since an arbitrary start; only differences mean anything.</summary>
    public abstract TimeSpan Now { get; }

    public abstract Task Delay(TimeSpan delay, CancellationToken cancellationToken);

    private sealed class SystemClock : PacingClock
    {
        private readonly Stopwatch _started = Stopwatch.StartNew();

        public override TimeSpan Now => _started.Elapsed;

        public override Task Delay(TimeSpan delay, CancellationToken cancellationToken) =>
            delay > TimeSpan.Zero ? Task.Delay(delay, cancellationToken) : Task.CompletedTask;
    }
}
