using System;
using System.IO;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using ToApis.Client.Files;
using ToApis.Client.RateLimiting;
using ToApis.Models;

namespace ToApis.Client.Resilience;

/// <summary>
/// The retry rules, one Polly pipeline per request kind, each shaped overall timeout → retry → outage breaker →
/// rate-limit acquire → per-attempt timeout; nothing retries outside them. A rate limiter's refusal (429, 503
/// rate_limit_unavailable) is an explicit "not now", always safe to repeat: submits and queries retry it until the
/// overall timeout, so it never fails a row; other failures get -MaximumRetryCount retries. A submit spends money,
/// so <see cref="SubmitReconciliation"/> decides its retries. Each connection has an <see cref="OutageBreaker"/> for
/// the API and one for result hosts: failures in a row across rows stop commands as a whole.
/// </summary>
internal sealed class ResiliencePipelines
{
    private readonly ToApisConnectionSettings _settings;

    public ResiliencePipelines(ToApisConnectionSettings settings, AccountRateLimiter limiter, OutageBreaker apiBreaker, OutageBreaker filesBreaker)
    {
        _settings = settings;
        Submit = Build(
            settings, RefusalsUntilDeadline(settings, args => RequestState.Of(args.Context).Submit!.ShouldRetryAsync(args)), apiBreaker, JudgeApiAttempt,
            context => AcquireAsync(limiter, RequestCategory.Submit, context));
        Query = Build(
            settings, RefusalsUntilDeadline(settings, RetryTransient(IsUnreadableSuccess)), apiBreaker, JudgeApiAttempt,
            context => AcquireAsync(limiter, RequestCategory.Query, context));
        Read = Build(settings, RetryTransient(IsMalformedSuccess), apiBreaker, JudgeApiAttempt, null);
        Download = Build<long>(
            settings, args => new ValueTask<bool>(IsTransient(args.Outcome.Exception)), filesBreaker, JudgeDownloadAttempt, null);
    }

    /// <summary>For POSTs that create a billable task.</summary>
    public ResiliencePipeline<ApiResponse> Submit { get; }

    /// <summary>For task status queries and lookups (the account's query budget); a 2xx without a readable task is retried too.</summary>
    public ResiliencePipeline<ApiResponse> Query { get; }

    /// <summary>For uploads, models and balance: outside the task buckets; a 2xx that is no JSON object is retried too.</summary>
    public ResiliencePipeline<ApiResponse> Read { get; }

    /// <summary>For result downloads: a whole attempt (to a temporary file) is retried on transient failures, never a local file error.</summary>
    public ResiliencePipeline<long> Download { get; }

    /// <summary>
    /// Runs one request through <paramref name="pipeline"/> with the caller's log attached to its retries, and
    /// returns the result with the number of attempts made. A transient failure that outlived every retry
    /// becomes a <see cref="ToApisTransportException"/> that says what was tried.
    /// </summary>
    public async Task<(T Result, int Attempts)> RunAsync<T>(
        ResiliencePipeline<T> pipeline, string description, IRequestLog log,
        Func<ResilienceContext, Task<T>> attempt, CancellationToken cancellationToken, SubmitReconciliation? submit = null)
    {
        var request = new RequestState(description, log, submit);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        request.AttachTo(context);
        try
        {
            var result = await pipeline.ExecuteAsync(
                async ctx =>
                {
                    request.Attempts++;
                    request.LastRefusal = null;
                    return await attempt(ctx).ConfigureAwait(false);
                },
                context).ConfigureAwait(false);
            return (result, request.Attempts);
        }
        catch (TimeoutRejectedException) when (!cancellationToken.IsCancellationRequested && request.LastRefusal is T lastAnswer)
        {
            // Refused until the overall timeout: the refusal itself is the answer (ToApis.RateLimited), not a timeout.
            request.LastRefusal.Attempts = request.Attempts;
            return (lastAnswer, request.Attempts);
        }
        catch (Exception exception) when (IsTransient(exception) && !cancellationToken.IsCancellationRequested)
        {
            var what = exception is TimeoutRejectedException
                ? $"timed out (limit {_settings.RequestTimeout.TotalSeconds:0.#} s per attempt, {_settings.OverallTimeout.TotalSeconds:0.#} s in all)"
                : exception.GetBaseException().Message;
            throw new ToApisTransportException($"{description} failed after {request.Attempts} attempt(s): {what}", exception, request.Attempts);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>The connection was refused or the host unknown: no byte of the request reached a server.</summary>
    public static bool IsProvablyNotSent(Exception? exception) =>
        exception is HttpRequestException { InnerException: SocketException socket }
        && socket.SocketErrorCode is SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.NetworkUnreachable;

    /// <summary>
    /// Worth another attempt: the network's failures and timeouts. A local file error (disk full, read-only,
    /// permission, name too long) is an <see cref="IOException"/> too, but retrying cannot fix it.
    /// </summary>
    public static bool IsTransient(Exception? exception) =>
        exception is HttpRequestException or TimeoutRejectedException
        || (exception is IOException io && LocalFileErrors.Classify(io) == LocalFileFailure.Other);

    /// <summary>A 2xx submit or status answer that holds no readable task: the task was probably created.</summary>
    public static bool IsUnreadableSuccess(ApiResponse response) => response.IsSuccess && response.Task is null && !response.IsForeign;

    /// <summary>A 2xx whose body is no JSON object (an HTML page, a body cut short, <c>null</c>): worth asking again.</summary>
    public static bool IsMalformedSuccess(ApiResponse response) => response.IsSuccess && !response.IsJsonObject && !response.IsForeign;

    /// <summary>
    /// Waits for the account's client-side budget before an attempt. It runs outside the per-attempt timeout, so time
    /// spent queueing for our own token never counts as a slow or ambiguous request, and a submit still queueing when
    /// its command stops sending is never sent.
    /// </summary>
    private static async Task AcquireAsync(AccountRateLimiter limiter, RequestCategory category, ResilienceContext context)
    {
        var request = RequestState.Of(context);
        var stopSending = request.Submit?.StopSending ?? CancellationToken.None;
        // Queries carry no stop-sending token: nothing to link, on every poll.
        using var either = stopSending.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, stopSending) : null;
        await limiter.AcquireAsync(category, request.Log, request.Retrying, either?.Token ?? context.CancellationToken)
            .ConfigureAwait(context.ContinueOnCapturedContext);
    }

    /// <summary>The API answered (the breaker's streak ends) or failed (it grows); 429 and business 4xx are answers.</summary>
    private static AttemptHealth JudgeApiAttempt(object? result, Exception? exception)
    {
        if (result is ApiResponse response)
        {
            // A page instead of an answer (a captive portal) counts against the service too: a run against one stops.
            return response.IsAmbiguousFailure || (response.IsSuccess && !response.IsJsonObject) ? AttemptHealth.Failed : AttemptHealth.Answered;
        }

        return IsTransient(exception) ? AttemptHealth.Failed : AttemptHealth.Unknown;
    }

    private static string DescribeFailure(object? result, Exception? exception) => result is ApiResponse response
        ? response.IsForeign ? response.Describe() : $"HTTP {response.StatusCode} {response.ReasonPhrase}".TrimEnd()
        : exception is TimeoutRejectedException ? "a timeout" : exception?.GetBaseException().Message ?? "a failure";

    /// <summary>A result host that refuses one file (403/404) still answers; a cut body or a 5xx is a failure.</summary>
    private static AttemptHealth JudgeDownloadAttempt(object? result, Exception? exception) => exception switch
    {
        null => AttemptHealth.Answered,
        RetryableDownloadException { Problem: FileProblem.DownloadFailed } => AttemptHealth.Answered,
        ToApisFileException { Problem: not FileProblem.WriteFailed and not FileProblem.ReadFailed } => AttemptHealth.Answered,
        _ when IsTransient(exception) => AttemptHealth.Failed,
        _ => AttemptHealth.Unknown,
    };

    /// <summary>
    /// Retries a rate limiter's refusal without counting it; <paramref name="others"/> decides the rest, at most
    /// -MaximumRetryCount times.
    /// </summary>
    private static Func<RetryPredicateArguments<ApiResponse>, ValueTask<bool>> RefusalsUntilDeadline(
        ToApisConnectionSettings settings, Func<RetryPredicateArguments<ApiResponse>, ValueTask<bool>> others) =>
        async args =>
        {
            var request = RequestState.Of(args.Context);
            if (args.Outcome.Result is { IsRateLimited: true } refusal)
            {
                request.LastRefusal = refusal;
                return true;
            }

            // The rule runs even when no retry is left: a submit's rule looks the task up, which settles its outcome.
            if (!await others(args).ConfigureAwait(false) || request.CountedRetries >= settings.MaximumRetryCount)
            {
                return false;
            }

            request.CountedRetries++;
            return true;
        };

    /// <summary>Query and Read retry a refusal, what is transient, and a 2xx that is <paramref name="unusable"/>.</summary>
    private static Func<RetryPredicateArguments<ApiResponse>, ValueTask<bool>> RetryTransient(Func<ApiResponse, bool> unusable) =>
        args => new(args.Outcome.Result is { } response
            ? response.IsRateLimited || response.IsAmbiguousFailure || unusable(response)
            : IsTransient(args.Outcome.Exception));

    /// <param name="pace">
    /// Waits for the account's budget before each attempt. A paced request's <paramref name="shouldRetry"/> counts its
    /// own retries (<see cref="RefusalsUntilDeadline"/>), so the overall timeout is its only end; any other counts every retry.
    /// </param>
    private static ResiliencePipeline<T> Build<T>(
        ToApisConnectionSettings settings, Func<RetryPredicateArguments<T>, ValueTask<bool>> shouldRetry,
        OutageBreaker breaker, Func<object?, Exception?, AttemptHealth> judge, Func<ResilienceContext, Task>? pace)
    {
        var counted = pace is null;
        var retry = new RetryStrategyOptions<T>
        {
            ShouldHandle = shouldRetry,
            MaxRetryAttempts = counted ? Math.Max(1, settings.MaximumRetryCount) : int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = settings.RetryInterval,
            MaxDelay = settings.MaximumRetryDelay,
            // An open breaker refuses the next attempt at once: no point waiting for it. Otherwise the server
            // knows best how long its bucket needs; never wait longer than the cap.
            DelayGenerator = args => new ValueTask<TimeSpan?>(
                breaker.IsOpen ? TimeSpan.Zero
                : (args.Outcome.Result as ApiResponse)?.RetryAfter is { } serverDelay
                    ? serverDelay < settings.MaximumRetryDelay ? serverDelay : settings.MaximumRetryDelay
                    : null),
            OnRetry = args =>
            {
                var request = RequestState.Of(args.Context);
                request.Retrying = true;
                var reason = args.Outcome.Result is ApiResponse response ? $"HTTP {response.StatusCode} {response.Error.Message}" : args.Outcome.Exception?.Message;
                request.Log.Verbose(args.Outcome.Result is ApiResponse { IsRateLimited: true } && !counted
                    ? $"{request.Description}: refused by the rate limiter ({reason}); retry in {args.RetryDelay.TotalSeconds:0.##} s (such refusals are retried until the {settings.OverallTimeout.TotalSeconds:0} s overall timeout)"
                    : $"{request.Description}: retry {(counted ? args.AttemptNumber + 1 : request.CountedRetries)} of {settings.MaximumRetryCount} in {args.RetryDelay.TotalSeconds:0.##} s after {reason}");
                return default;
            },
        };

        // Timeouts and retry delays run on the connection's clock, a manual one in tests.
        var builder = new ResiliencePipelineBuilder<T> { TimeProvider = settings.Time }.AddTimeout(settings.OverallTimeout);
        if (settings.MaximumRetryCount > 0 || !counted)
        {
            // Polly insists on at least one retry; -MaximumRetryCount 0 means no counted retry at all.
            builder.AddRetry(retry);
        }

        // Every attempt goes through its host's breaker: refused at once while it is open (the retry outside then
        // stops: the exception is not transient), judged after. It sits outside the rate limiter, so an open breaker
        // spends no tokens.
        builder.AddStrategy(
            _ => new BeforeAttemptStrategy(
                context => breaker.EnterAsync(context.CancellationToken),
                (result, exception) =>
                {
                    var health = judge(result, exception);
                    breaker.Record(health, health == AttemptHealth.Failed ? DescribeFailure(result, exception) : null);
                }),
            new BeforeAttemptStrategy.Options { Name = "ToApis.OutageBreaker" });
        if (pace is not null)
        {
            builder.AddStrategy(_ => new BeforeAttemptStrategy(pace), new BeforeAttemptStrategy.Options { Name = "ToApis.RateLimit" });
        }

        return builder.AddTimeout(settings.RequestTimeout).Build();
    }
}
