using System.Threading;
using System.Threading.Tasks;
using Polly;
using ToApis.Client.RateLimiting;

namespace ToApis.Client.Resilience;

/// <summary>
/// Waits for the account's client-side budget before each attempt. It sits outside the per-attempt timeout,
/// so time spent queueing for our own token never counts as a slow or ambiguous request, and it also
/// honours a submit's stop-sending token: a submit still queueing when its command ends is never sent.
/// </summary>
internal sealed class RateLimitAcquireStrategy(AccountRateLimiter limiter, RequestCategory category) : BeforeAttemptStrategy
{
    protected override async Task EnterAsync(ResilienceContext context)
    {
        var request = RequestState.Of(context);
        var stopSending = request.Submit?.StopSending ?? CancellationToken.None;
        // Queries carry no stop-sending token: nothing to link, on every poll.
        using var either = stopSending.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, stopSending) : null;
        await limiter.AcquireAsync(category, request.Log, request.Retrying, either?.Token ?? context.CancellationToken)
            .ConfigureAwait(context.ContinueOnCapturedContext);
    }
}
