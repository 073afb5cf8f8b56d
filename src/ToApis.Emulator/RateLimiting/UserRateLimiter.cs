using System.Collections.Concurrent;

namespace ToApis.Emulator.RateLimiting;

/// <param name="Limit">Capacity of the reported (tightest) window.</param>
/// <param name="Remaining">Whole requests left in that window.</param>
/// <param name="ResetAt">Real wall time when that window is full again.</param>
/// <param name="RetryAfter">Real time until a request would pass every window; zero when allowed.</param>
internal readonly record struct RateLimitDecision(
    bool Allowed, int Limit, int Remaining, DateTimeOffset ResetAt, TimeSpan RetryAfter);

/// <summary>
/// The async-task limits of contract §5: one set of buckets per user (all of a user's keys share it) and category
/// (submit and query are independent). Each documented number is a token bucket that refills continuously over its
/// window: RPS tokens per 1 s, the 10 s burst per 10 s and RPM per 60 s. A request must find a whole token in all
/// three and takes one from each. With the documented numbers all three refill at the same sustained rate, so the
/// 1 s bucket binds first (default submit: 5 at once, then one every 200 ms); the others keep the model faithful if
/// the numbers ever diverge. Rejected requests take no token (429s do not count); business failures do, because
/// the check runs before the body is validated.
/// Rate limits run on REAL time, never on the scaled virtual clock: they are what a client actually faces.
/// </summary>
internal sealed class UserRateLimiter(TimeProvider time)
{
    private readonly ConcurrentDictionary<(string UserId, RateLimitCategory Category, RateTier Tier, double Scale), BucketSet> bucketSets = new();

    public RateLimitDecision TryAcquire(EmulatorUser user, RateLimitCategory category) =>
        bucketSets
            .GetOrAdd((user.UserId, category, user.Tier, user.RateScale), _ => new BucketSet(RateLimits.For(user, category), time))
            .TryAcquire(time);

    private sealed class BucketSet
    {
        private readonly Lock gate = new();
        private readonly TokenBucket[] buckets;

        public BucketSet(RateLimits limits, TimeProvider time)
        {
            var now = time.GetTimestamp();
            // Ordered from the shortest window, which wins ties when choosing the window to report.
            buckets = [.. limits.Buckets.Select(limit => new TokenBucket(limit.Capacity, limit.Window, now))];
        }

        public RateLimitDecision TryAcquire(TimeProvider time)
        {
            lock (gate)
            {
                var now = time.GetTimestamp();
                foreach (var bucket in buckets)
                {
                    bucket.Refill(now, time);
                }

                var blocking = buckets.MaxBy(bucket => bucket.UntilNextToken)!;
                var allowed = blocking.UntilNextToken == TimeSpan.Zero;
                if (allowed)
                {
                    foreach (var bucket in buckets)
                    {
                        bucket.Take();
                    }
                }

                var reported = allowed ? buckets.MinBy(bucket => bucket.WholeTokens)! : blocking;
                return new RateLimitDecision(
                    allowed,
                    reported.Limit,
                    reported.WholeTokens,
                    time.GetUtcNow() + reported.UntilFull,
                    allowed ? TimeSpan.Zero : blocking.UntilNextToken);
            }
        }
    }
}
