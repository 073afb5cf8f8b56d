using System;
using System.IO;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace ToApis.Client.Resilience;

/// <summary>
/// The retry rules, as two Polly pipelines. Reads may be retried on anything transient. A submit spends money,
/// so it is retried only when the server provably created nothing: 429, 503 rate_limit_unavailable, or a
/// connection that never opened. Other submit failures are reconciled by the client, not retried here.
/// </summary>
internal sealed class ResiliencePipelines
{
    /// <summary>Lets the retry callback report to the cmdlet that started the request.</summary>
    public static readonly ResiliencePropertyKey<IRequestLog> LogKey = new("ToApis.RequestLog");

    public static readonly ResiliencePropertyKey<string> RequestKey = new("ToApis.Request");

    private readonly ToApisConnectionSettings _settings;

    public ResiliencePipelines(ToApisConnectionSettings settings)
    {
        _settings = settings;
        Query = Build(settings, outcome => outcome.Result is { } response
            ? response.IsRateLimited || response.IsAmbiguousFailure
            : IsTransient(outcome.Exception));
        Submit = Build(settings, outcome => outcome.Result is { } response
            ? response.IsRateLimited
            : IsProvablyNotSent(outcome.Exception));
        Download = Build<long>(settings, outcome => IsTransient(outcome.Exception));
    }

    /// <summary>For GETs and other requests that change nothing.</summary>
    public ResiliencePipeline<ApiResponse> Query { get; }

    /// <summary>For POSTs that create a billable task.</summary>
    public ResiliencePipeline<ApiResponse> Submit { get; }

    /// <summary>For result downloads: a whole attempt (to a temporary file) is retried on transient failures.</summary>
    public ResiliencePipeline<long> Download { get; }

    /// <summary>
    /// Runs one request through <paramref name="pipeline"/> with the caller's log attached to its retries, and
    /// returns the result with the number of attempts made. A transient failure that outlived every retry
    /// becomes a <see cref="ToApisTransportException"/> that says what was tried.
    /// </summary>
    public async Task<(T Result, int Attempts)> RunAsync<T>(
        ResiliencePipeline<T> pipeline, string description, IRequestLog log,
        Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(LogKey, log);
        context.Properties.Set(RequestKey, description);
        var attempts = 0;
        try
        {
            var result = await pipeline.ExecuteAsync(
                async ctx =>
                {
                    attempts++;
                    return await attempt(ctx.CancellationToken).ConfigureAwait(false);
                },
                context).ConfigureAwait(false);
            return (result, attempts);
        }
        catch (Exception exception) when (IsTransient(exception) && !cancellationToken.IsCancellationRequested)
        {
            var what = exception is TimeoutRejectedException
                ? $"timed out (limit {_settings.RequestTimeout.TotalSeconds:0.#} s per attempt, {_settings.OverallTimeout.TotalSeconds:0.#} s in all)"
                : exception.GetBaseException().Message;
            throw new ToApisTransportException($"{description} failed after {attempts} attempt(s): {what}", exception, attempts)
            {
                WasProvablyNotSent = IsProvablyNotSent(exception),
            };
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

    public static bool IsTransient(Exception? exception) =>
        exception is HttpRequestException or IOException or TimeoutRejectedException;

    private static ResiliencePipeline<ApiResponse> Build(
        ToApisConnectionSettings settings, Func<Outcome<ApiResponse>, bool> shouldRetry) =>
        Build<ApiResponse>(settings, shouldRetry);

    private static ResiliencePipeline<T> Build<T>(ToApisConnectionSettings settings, Func<Outcome<T>, bool> shouldRetry)
    {
        var retry = new RetryStrategyOptions<T>
        {
            ShouldHandle = args => new ValueTask<bool>(shouldRetry(args.Outcome)),
            MaxRetryAttempts = Math.Max(1, settings.MaximumRetryCount),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = settings.RetryInterval,
            MaxDelay = settings.MaximumRetryDelay,
            // The server knows best how long its bucket needs; never wait longer than the cap.
            DelayGenerator = args => new ValueTask<TimeSpan?>(
                (args.Outcome.Result as ApiResponse)?.RetryAfter is { } serverDelay
                    ? serverDelay < settings.MaximumRetryDelay ? serverDelay : settings.MaximumRetryDelay
                    : null),
            OnRetry = args =>
            {
                if (args.Context.Properties.TryGetValue(LogKey, out var log))
                {
                    args.Context.Properties.TryGetValue(RequestKey, out var request);
                    var reason = args.Outcome.Result is ApiResponse response
                        ? $"HTTP {response.StatusCode} {response.Error.Message}"
                        : args.Outcome.Exception?.Message;
                    log.Verbose($"{request}: retry {args.AttemptNumber + 1} of {settings.MaximumRetryCount} in {args.RetryDelay.TotalSeconds:0.##} s after {reason}");
                }

                return default;
            },
        };

        var builder = new ResiliencePipelineBuilder<T>().AddTimeout(settings.OverallTimeout);
        if (settings.MaximumRetryCount > 0)
        {
            // Polly insists on at least one retry; -MaximumRetryCount 0 means no retry strategy at all.
            builder.AddRetry(retry);
        }

        return builder.AddTimeout(settings.RequestTimeout).Build();
    }
}
