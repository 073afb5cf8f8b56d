using System;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;

namespace ToApis.Client.RateLimiting;

/// <summary>
/// Paces one category (submit or query) of one account so the server has no reason to answer 429: a
/// request takes a token from a per-second, a 10-second and a per-minute bucket. Each holds about 10 %
/// (at least one token) less than the server's and refills at 95 % of the documented rate: the server
/// counts a request when it arrives, the client when it leaves, and the margin absorbs that lag and the
/// jitter between requests in flight together. A 429
/// that still happens (another client on the same account) pauses every request of the category for
/// Retry-After.
/// </summary>
internal sealed class CategoryLimiter : IDisposable
{
    /// <summary>Refill at this share of the documented rate: arrival jitter then never meets an empty server bucket.</summary>
    private const double SafetyFactor = 0.95;

    private readonly TokenBucketRateLimiter[] _buckets;
    private long _pausedUntilTicks;
    private bool _disposed;

    public CategoryLimiter(CategoryLimits limits)
    {
        Limits = limits;
        _buckets = new[]
        {
            Bucket(WithMargin(limits.PerSecond), limits.PerSecond),
            Bucket(WithMargin(limits.PerTenSeconds), limits.PerTenSeconds / 10.0),
            Bucket(WithMargin(limits.PerMinute), limits.PerMinute / 60.0),
        };
    }

    public CategoryLimits Limits { get; }

    /// <summary>Waits for a token from every bucket; false when these buckets were retired meanwhile.</summary>
    public async Task<bool> TryAcquireAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _disposed))
        {
            return false;
        }

        var pause = new DateTimeOffset(Interlocked.Read(ref _pausedUntilTicks), TimeSpan.Zero) - DateTimeOffset.UtcNow;
        if (pause > TimeSpan.Zero)
        {
            await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            foreach (var bucket in _buckets)
            {
                using var lease = await bucket.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
                if (!lease.IsAcquired)
                {
                    // The queue is unbounded: only retired buckets refuse.
                    return false;
                }
            }
        }
        catch (ObjectDisposedException)
        {
            return false;
        }

        return true;
    }

    /// <summary>The server said "not before": hold back every request of this category until then.</summary>
    public void PauseFor(TimeSpan delay)
    {
        var until = (DateTimeOffset.UtcNow + delay).UtcTicks;
        long current;
        do
        {
            current = Interlocked.Read(ref _pausedUntilTicks);
            if (current >= until)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _pausedUntilTicks, until, current) != current);
    }

    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        foreach (var bucket in _buckets)
        {
            bucket.Dispose();
        }
    }

    private static int WithMargin(double serverCapacity) =>
        (int)Math.Floor(serverCapacity) - Math.Max(1, (int)Math.Ceiling(serverCapacity * 0.1));

    private static TokenBucketRateLimiter Bucket(int capacity, double perSecond) => new(new TokenBucketRateLimiterOptions
    {
        TokenLimit = Math.Max(1, capacity),
        TokensPerPeriod = 1,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1 / (perSecond * SafetyFactor)),
        QueueLimit = int.MaxValue,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        AutoReplenishment = true,
    });
}
