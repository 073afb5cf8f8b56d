using System;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text.RegularExpressions;
using ToApis.Client.RateLimiting;
using ToApis.Client.Wire;
using ToApis.Models;

namespace ToApis.Client;

/// <summary>One HTTP answer, read whole (bodies are small and size-capped) so retry rules can look at it.</summary>
/// <param name="body">The body as received: parsed as is, never masked (masking is for what is shown).</param>
/// <param name="limits">What the rate-limit headers said; without them, only whether the answer is a 429.</param>
/// <param name="mask">Hides the key in every text this answer puts into a message.</param>
internal sealed class ApiResponse(
    int statusCode, string reasonPhrase, string body, TimeSpan? retryAfter, string? contentType = null, KeyMask? mask = null, LimitSignal? limits = null)
{
    private const int QuotedBodyChars = 120;

    private ErrorEnvelope? _error;
    private (ToApisTask? Task, bool Read) _task;
    private bool? _isJsonObject;

    public int StatusCode { get; } = statusCode;

    /// <summary>Shown only, never parsed: masked.</summary>
    public string ReasonPhrase => Shown(reasonPhrase);

    /// <summary>The raw body, for parsing only; messages quote it through <see cref="Shown"/>.</summary>
    public string Body { get; } = body;

    public string? ContentType { get; } = contentType;

    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>What the answer tells the account's pacer.</summary>
    public LimitSignal Limits { get; } = limits ?? new LimitSignal(statusCode == 429, null, null, null, retryAfter);

    /// <summary>How many attempts the resilience pipeline made before settling on this answer.</summary>
    public int Attempts { get; internal set; } = 1;

    public bool IsSuccess => StatusCode is >= 200 and < 300;

    /// <summary>The answer's status, headers and <paramref name="body"/>; times in headers are read against <paramref name="now"/>.</summary>
    public static ApiResponse From(HttpResponseMessage response, string body, DateTimeOffset now, KeyMask mask)
    {
        double? Number(string name) =>
            response.Headers.TryGetValues(name, out var values)
            && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            && number >= 0 && number < int.MaxValue * 1000.0
                ? number
                : null;

        // X-RateLimit-Reset is Unix seconds (or milliseconds), or seconds to go: its format is not documented (contract U8).
        TimeSpan? resetIn = Number("X-RateLimit-Reset") switch
        {
            null => null,
            > 1e12 and var ms => DateTimeOffset.FromUnixTimeMilliseconds((long)ms) - now,
            > 1e9 and var seconds => DateTimeOffset.FromUnixTimeSeconds((long)seconds) - now,
            var seconds => TimeSpan.FromSeconds(seconds.Value),
        };
        var retryAfter = response.Headers.RetryAfter is { } header ? header.Delta ?? header.Date - now : null;
        var status = (int)response.StatusCode;
        var limits = new LimitSignal(status == 429, (int?)Number("X-RateLimit-Limit"), (int?)Number("X-RateLimit-Remaining"), resetIn, retryAfter);
        return new ApiResponse(status, response.ReasonPhrase ?? "", body, retryAfter, response.Content?.Headers.ContentType?.MediaType, mask, limits);
    }

    /// <summary>The error the body holds, its message masked for showing.</summary>
    internal ErrorEnvelope Error => _error ??= ShownMessage(ErrorEnvelope.Parse(Body));

    /// <summary>The task the body holds, or null: parsed once for every rule that asks (the breaker, the retry predicate, the caller).</summary>
    internal ToApisTask? Task => _task.Read ? _task.Task : (_task = (ReadTask(), true)).Task;

    /// <summary>Whether the body is a JSON object at all (a task, an error envelope, anything).</summary>
    internal bool IsJsonObject => _isJsonObject ??= Task is not null || IsObject(Body);

    /// <summary>A page (a captive portal, a wrong -BaseUri), not an API answer: no JSON object, HTML or XML. Asking again gets the same.</summary>
    internal bool IsForeign =>
        !IsJsonObject
        && ((ContentType?.IndexOf("html", StringComparison.OrdinalIgnoreCase) ?? -1) >= 0
            || (ContentType?.IndexOf("xml", StringComparison.OrdinalIgnoreCase) ?? -1) >= 0
            || Body.TrimStart().StartsWith("<", StringComparison.Ordinal));

    /// <summary>Server text made fit to show or store: the key hidden in every form.</summary>
    internal string Shown(string text) => mask?.Apply(text) ?? text;

    private ErrorEnvelope ShownMessage(ErrorEnvelope error) => error with { Message = Shown(error.Message) };

    /// <summary>"HTTP 200 OK, text/html, 5120 bytes: &lt;html&gt;&lt;title&gt;Sign in…": what came back, for a message.</summary>
    internal string Describe()
    {
        var start = Regex.Replace(Body.Length > 4 * QuotedBodyChars ? Body.Substring(0, 4 * QuotedBodyChars) : Body, @"\s+", " ").Trim();
        start = start.Length > QuotedBodyChars ? start.Substring(0, QuotedBodyChars) + "\u2026" : start;
        return $"HTTP {StatusCode} {ReasonPhrase}".TrimEnd()
            + $", {ContentType ?? "no content type"}, {Body.Length} characters"
            + (start.Length == 0 ? ", empty" : $": {Shown(start)}");
    }

    /// <summary>The answer is not what <paramref name="requestDescription"/> is documented to return: ToApis.UnexpectedResponse, saying what came.</summary>
    internal ToApisApiException Unexpected(string requestDescription, string? why = null) => ToApisApiException.Unexpected(
        requestDescription,
        $"{requestDescription} did not return the documented answer{(why is null ? "" : $" ({why})")}; it returned {Describe()}",
        StatusCode, Attempts);

    /// <summary>503 from the submit limiter: an explicit "not accepted", unlike other 5xx.</summary>
    public bool IsLimiterUnavailable => StatusCode == 503 && Error.Code == "rate_limit_unavailable";

    public bool IsRateLimited => StatusCode == 429 || IsLimiterUnavailable;

    /// <summary>The server may or may not have acted: a gateway or server failure.</summary>
    public bool IsAmbiguousFailure => (StatusCode >= 500 && !IsLimiterUnavailable) || StatusCode == 408;

    internal ToApisApiException ToException(string requestDescription)
    {
        var error = Error;
        var tried = Attempts > 1 ? $" (after {Attempts} attempts)" : "";
        var code = error.Code is { Length: > 0 } ? $" [{error.Code}]" : "";
        return new ToApisApiException(
            Classify(error), StatusCode, error.Code, $"{requestDescription} failed with HTTP {StatusCode}{code}: {error.Message}{tried}",
            error.Param, requestDescription, Attempts);
    }

    private ApiErrorKind Classify(ErrorEnvelope error) => error.Code switch
    {
        // Codes the docs name take precedence over a status a proxy may have rewritten.
        "insufficient_quota" => ApiErrorKind.InsufficientQuota,
        "content_policy_violation" => ApiErrorKind.ContentPolicy,
        "webhook_not_configured" => ApiErrorKind.WebhookNotConfigured,
        _ => StatusCode switch
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
        },
    };

    private ToApisTask? ReadTask()
    {
        if (TaskParser.TryParse(Body, out var task) && task!.ErrorMessage is { } reason)
        {
            task.ErrorMessage = Shown(reason); // free text for people; the id and URLs stay as sent
        }

        return task;
    }

    private static bool IsObject(string body)
    {
        using var document = Json.TryParse(body);
        return document?.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object;
    }
}
