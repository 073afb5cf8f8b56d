namespace ToApis.Emulator.RateLimiting;

/// <summary>
/// A bucket of <c>capacity</c> tokens refilled continuously at <c>capacity / window</c>. Not thread-safe: the owning
/// <see cref="UserRateLimiter"/> serialises access per user and category.
/// </summary>
internal sealed class TokenBucket(double capacity, TimeSpan window, long createdTimestamp)
{
    private readonly double capacity = capacity;
    private readonly double refillPerSecond = capacity / window.TotalSeconds;
    private double tokens = capacity;
    private long refilledTimestamp = createdTimestamp;

    /// <summary>Requests a full bucket lets through at once.</summary>
    public int Limit => (int)Math.Floor(capacity);

    public int WholeTokens => (int)Math.Floor(tokens);

    public TimeSpan UntilNextToken => tokens >= 1 ? TimeSpan.Zero : TimeSpan.FromSeconds((1 - tokens) / refillPerSecond);

    public TimeSpan UntilFull => TimeSpan.FromSeconds((capacity - tokens) / refillPerSecond);

    public void Refill(long nowTimestamp, TimeProvider time)
    {
        var elapsed = time.GetElapsedTime(refilledTimestamp, nowTimestamp).TotalSeconds;
        tokens = Math.Min(capacity, tokens + (elapsed * refillPerSecond));
        refilledTimestamp = nowTimestamp;
    }

    public void Take() => tokens -= 1;
}
