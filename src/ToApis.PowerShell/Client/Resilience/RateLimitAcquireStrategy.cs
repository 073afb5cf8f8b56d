using System;
using System.Threading;
using System.Threading.Tasks;
using Polly;
using ToApis.Client.RateLimiting;

namespace ToApis.Client.Resilience;

internal sealed class RateLimitAcquireOptions : ResilienceStrategyOptions
{
    public RateLimitAcquireOptions(AccountRateLimiter limiter, RequestCategory category)
    {
        Limiter = limiter;
        Category = category;
        Name = $"ToApis.RateLimit.{category}";
    }

    public AccountRateLimiter Limiter { get; }

    public RequestCategory Category { get; }
}

/// <summary>
/// Waits for the account's client-side budget before each attempt. It sits outside the per-attempt timeout,
/// so time spent queueing for our own token never counts as a slow or ambiguous request, and it also
/// honours the request's stop-sending token: a request still queueing when its command ends is never sent.
/// </summary>
internal sealed class RateLimitAcquireStrategy : BeforeAttemptStrategy
{
    private readonly RateLimitAcquireOptions _options;

    public RateLimitAcquireStrategy(RateLimitAcquireOptions options) => _options = options;

    protected override async Task EnterAsync(ResilienceContext context)
    {
        var stopSending = context.Properties.GetValue(ResiliencePipelines.StopSendingKey, CancellationToken.None);
        var log = context.Properties.GetValue(ResiliencePipelines.LogKey, NullRequestLog.Instance);
        var retry = context.Properties.GetValue(ResiliencePipelines.RetryingKey, false);
        if (!stopSending.CanBeCanceled)
        {
            // Queries carry no stop-sending token: nothing to link, on every poll.
            await _options.Limiter.AcquireAsync(_options.Category, log, retry, context.CancellationToken).ConfigureAwait(context.ContinueOnCapturedContext);
            return;
        }

        using var either = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, stopSending);
        await _options.Limiter.AcquireAsync(_options.Category, log, retry, either.Token).ConfigureAwait(context.ContinueOnCapturedContext);
    }
}
