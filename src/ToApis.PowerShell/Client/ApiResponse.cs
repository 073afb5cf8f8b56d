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

    /// <summary>How much of a body an error message quotes.</summary>
    private const int QuotedBodyChars = 120;

    private readonly KeyMask? _mask;

    /// <param name="body">The body as received: parsed as is, never masked (masking is for what is shown).</param>
    /// <param name="mask">Hides the key in every text this answer puts into a message.</param>
    public ApiResponse(
        int statusCode, string reasonPhrase, string body, TimeSpan? retryAfter, int? rateLimit = null, TimeSpan? rateLimitResetIn = null,
        int? rateLimitRemaining = null, string? contentType = null, KeyMask? mask = null)
    {
        ContentType = contentType;
        _mask = mask;
        RateLimit = rateLimit;
        RateLimitRemaining = rateLimitRemaining;
        RateLimitResetIn = rateLimitResetIn;
        StatusCode = statusCode;
        ReasonPhrase = mask?.Apply(reasonPhrase) ?? reasonPhrase; // shown only, never parsed
        Body = body;
        RetryAfter = retryAfter;
    }

    public int StatusCode { get; }

    public string ReasonPhrase { get; }

    /// <summary>The raw body, for parsing only; messages quote it through <see cref="Shown"/>.</summary>
    public string Body { get; }

    /// <summary>The media type the server declared ("application/json", "text/html"), if any.</summary>
    public string? ContentType { get; }

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

    /// <summary>The error the body holds, its message masked for showing.</summary>
    internal ErrorEnvelope Error
    {
        get
        {
            if (_error is null)
            {
                var parsed = ErrorEnvelope.Parse(Body);
                _error = parsed with { Message = Shown(parsed.Message) };
            }

            return _error;
        }
    }

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
                if (TaskParser.TryParse(Body, out _task) && _task!.ErrorMessage is { } reason)
                {
                    _task.ErrorMessage = Shown(reason); // free text for people; the id and URLs stay as sent
                }

                _taskRead = true;
            }

            return _task;
        }
    }

    /// <summary>Whether the body is a JSON object at all (a task, an error envelope, anything).</summary>
    internal bool IsJsonObject => _isJsonObject ??= Task is not null || IsObject(Body);

    /// <summary>
    /// A page rather than an API answer: no JSON object, and HTML or XML by its type or its first character (a
    /// captive portal, a proxy's login page, a web server at the wrong -BaseUri). Asking again gets the same.
    /// </summary>
    internal bool IsForeign =>
        !IsJsonObject
        && ((ContentType?.IndexOf("html", StringComparison.OrdinalIgnoreCase) ?? -1) >= 0
            || (ContentType?.IndexOf("xml", StringComparison.OrdinalIgnoreCase) ?? -1) >= 0
            || Body.TrimStart().StartsWith("<", StringComparison.Ordinal));

    /// <summary>Server text made fit to show or store: the key hidden in every form.</summary>
    internal string Shown(string text) => _mask?.Apply(text) ?? text;

    /// <summary>"HTTP 200 OK, text/html, 5120 bytes: &lt;html&gt;&lt;title&gt;Sign in…": what came back, for a message.</summary>
    internal string Describe()
    {
        var start = System.Text.RegularExpressions.Regex.Replace(Body.Length > 4 * QuotedBodyChars ? Body.Substring(0, 4 * QuotedBodyChars) : Body, @"\s+", " ").Trim();
        start = start.Length > QuotedBodyChars ? start.Substring(0, QuotedBodyChars) + "\u2026" : start;
        return $"HTTP {StatusCode} {Shown(ReasonPhrase)}".TrimEnd()
            + $", {ContentType ?? "no content type"}, {Body.Length} characters"
            + (start.Length == 0 ? ", empty" : $": {Shown(start)}");
    }

    /// <summary>The answer is not what <paramref name="requestDescription"/> is documented to return: ToApis.UnexpectedResponse, saying what came.</summary>
    internal ToApisApiException Unexpected(string requestDescription, string? why = null) =>
        new(ApiErrorKind.UnexpectedResponse, StatusCode, null,
            $"{requestDescription} did not return the documented answer{(why is null ? "" : $" ({why})")}; it returned {Describe()}",
            requestDescription: requestDescription, attempts: Attempts);

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
