using System;
using ToApis.Client.Wire;
using ToApis.Models;

namespace ToApis.Client;

/// <summary>One HTTP answer, read whole (bodies are small and size-capped) so retry rules can look at it.</summary>
internal sealed class ApiResponse
{
    private ErrorEnvelope? _error;
    private ToApisTask? _task;
    private bool _taskRead;
    private bool? _isJsonObject;

    public ApiResponse(
        int statusCode, string reasonPhrase, string body, TimeSpan? retryAfter, int? rateLimit = null, TimeSpan? rateLimitResetIn = null, int? rateLimitRemaining = null)
    {
        RateLimit = rateLimit;
        RateLimitRemaining = rateLimitRemaining;
        RateLimitResetIn = rateLimitResetIn;
        StatusCode = statusCode;
        ReasonPhrase = reasonPhrase;
        Body = body;
        RetryAfter = retryAfter;
    }

    public int StatusCode { get; }

    public string ReasonPhrase { get; }

    public string Body { get; }

    public TimeSpan? RetryAfter { get; }

    /// <summary>The server's X-RateLimit-Limit, when it sent one.</summary>
    public int? RateLimit { get; }

    /// <summary>The server's X-RateLimit-Remaining, when it sent one.</summary>
    public int? RateLimitRemaining { get; }

    /// <summary>The server's X-RateLimit-Reset as time from now, when it sent one.</summary>
    public TimeSpan? RateLimitResetIn { get; }

    /// <summary>How many attempts the resilience pipeline made before settling on this answer.</summary>
    public int Attempts { get; internal set; } = 1;

    public bool IsSuccess => StatusCode is >= 200 and < 300;

    internal ErrorEnvelope Error => _error ??= ErrorEnvelope.Parse(Body);

    /// <summary>
    /// The task the body holds, or null: parsed once for every rule that asks (the breaker, the retry predicate,
    /// the caller), not once each.
    /// </summary>
    internal ToApisTask? Task
    {
        get
        {
            if (!_taskRead)
            {
                TaskParser.TryParse(Body, out _task);
                _taskRead = true;
            }

            return _task;
        }
    }

    /// <summary>Whether the body is a JSON object at all (a task, an error envelope, anything).</summary>
    internal bool IsJsonObject => _isJsonObject ??= Task is not null || IsObject(Body);

    /// <summary>503 from the submit limiter: an explicit "not accepted", unlike other 5xx.</summary>
    public bool IsLimiterUnavailable => StatusCode == 503 && Error.Code == "rate_limit_unavailable";

    public bool IsRateLimited => StatusCode == 429 || IsLimiterUnavailable;

    /// <summary>The server may or may not have acted: a gateway or server failure.</summary>
    public bool IsAmbiguousFailure => (StatusCode >= 500 && !IsLimiterUnavailable) || StatusCode == 408;

    internal ToApisApiException ToException(string requestDescription)
    {
        var error = Error;
        var kind = Classify(error);
        var tried = Attempts > 1 ? $" (after {Attempts} attempts)" : "";
        var code = error.Code is { Length: > 0 } ? $" [{error.Code}]" : "";
        return new ToApisApiException(
            kind, StatusCode, error.Code,
            $"{requestDescription} failed with HTTP {StatusCode}{code}: {error.Message}{tried}",
            error.Param, requestDescription, Attempts);
    }

    private ApiErrorKind Classify(ErrorEnvelope error)
    {
        // Codes the docs name take precedence over a status a proxy may have rewritten.
        switch (error.Code)
        {
            case "insufficient_quota":
                return ApiErrorKind.InsufficientQuota;
            case "content_policy_violation":
                return ApiErrorKind.ContentPolicy;
            case "webhook_not_configured":
                return ApiErrorKind.WebhookNotConfigured;
        }

        return StatusCode switch
        {
            404 => ApiErrorKind.NotFound,
            400 when error.MeansTaskNotFound => ApiErrorKind.NotFound,
            400 or 413 or 415 => ApiErrorKind.InvalidRequest,
            401 => ApiErrorKind.Unauthorized,
            402 => ApiErrorKind.InsufficientQuota,
            403 => ApiErrorKind.Forbidden,
            422 => ApiErrorKind.ContentPolicy,
            429 => ApiErrorKind.RateLimited,
            503 when IsLimiterUnavailable => ApiErrorKind.LimiterUnavailable,
            >= 500 => ApiErrorKind.ServerError,
            _ => ApiErrorKind.Unknown,
        };
    }

    private static bool IsObject(string body)
    {
        using var document = Json.TryParse(body);
        return document?.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object;
    }
}
