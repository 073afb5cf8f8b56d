using System;
using ToApis.Models;

namespace ToApis.Client;

/// <summary>What went wrong, in the terms a caller acts on (not the server's open set of codes).</summary>
public enum ApiErrorKind
{
    Unknown,
    InvalidRequest,
    Unauthorized,
    Forbidden,
    InsufficientQuota,
    NotFound,
    ContentPolicy,
    RateLimited,
    LimiterUnavailable,
    ServerError,
    UnexpectedResponse,

    /// <summary>400 webhook_not_configured: callback_url sent, but the token's webhooks are not set up (or not for that origin).</summary>
    WebhookNotConfigured,
}

// Every exception takes an optional cause last: a row's copy of a failure keeps the type scripts catch and
// holds the bare failure as its InnerException (ErrorRecords.ForRow).

/// <summary>A request the service answered with an error (or with a body we cannot use).</summary>
/// <param name="statusCode">HTTP status; 0 when the body, not the status, was the problem.</param>
/// <param name="code">The server's <c>error.code</c> as a string, whatever its JSON type.</param>
/// <param name="param">The request field the server blamed, when it said.</param>
/// <param name="requestDescription">"POST /v1/images/generations": what was asked, for messages.</param>
public sealed class ToApisApiException(
    ApiErrorKind kind, int statusCode, string? code, string message, string? param = null,
    string? requestDescription = null, int attempts = 1, Exception? innerException = null) : Exception(message, innerException)
{
    public ApiErrorKind Kind { get; } = kind;

    public int StatusCode { get; } = statusCode;

    public string? Code { get; } = code;

    public string? Param { get; } = param;

    public string? RequestDescription { get; } = requestDescription;

    public int Attempts { get; } = attempts;

    /// <summary>Nothing else in this run can succeed with the same key: stop the whole pipeline.</summary>
    public bool IsFatalForSession =>
        Kind is ApiErrorKind.Unauthorized or ApiErrorKind.Forbidden or ApiErrorKind.InsufficientQuota;

    /// <summary>The answer is not what <paramref name="requestDescription"/> is documented to return (ToApis.UnexpectedResponse).</summary>
    internal static ToApisApiException Unexpected(string requestDescription, string message, int statusCode = 0, int attempts = 1) =>
        new(ApiErrorKind.UnexpectedResponse, statusCode, null, message, requestDescription: requestDescription, attempts: attempts);
}

/// <summary>The request never produced an HTTP answer (DNS, refused, reset, timeout), after any retries.</summary>
public sealed class ToApisTransportException(string message, Exception? innerException, int attempts) : Exception(message, innerException)
{
    public int Attempts { get; } = attempts;
}

/// <summary>
/// A submit ended ambiguously and the service could not say whether it created the task: paying again might
/// pay twice, so the row stops here, naming the client_business_id to look the task up by.
/// </summary>
public sealed class ToApisSubmitOutcomeUnknownException(string clientBusinessId, string message, Exception? innerException)
    : Exception(message, innerException)
{
    public string ClientBusinessId { get; } = clientBusinessId;
}

/// <summary>
/// The service (or its files host) kept failing across requests (5xx, network errors, timeouts) until the
/// session's circuit breaker opened: nothing further is sent to it for now, and the command stops as a whole.
/// </summary>
/// <param name="service">"The service at https://toapis.com/" or "The result host".</param>
public sealed class ToApisServiceUnavailableException(
    string service, int consecutiveFailures, TimeSpan failingFor, string lastFailure, string? message = null, Exception? innerException = null)
    : Exception(
        message ?? $"{service} is unavailable: {consecutiveFailures} requests in a row failed over {failingFor.TotalSeconds:0} s (last: {lastFailure}); nothing more is sent to it for now.",
        innerException)
{
    public string Service { get; } = service;

    public int ConsecutiveFailures { get; } = consecutiveFailures;

    public TimeSpan FailingFor { get; } = failingFor;

    public string LastFailure { get; } = lastFailure;
}

/// <summary>Another run holds the journal (or the run key) this command needs, and did not finish in time.</summary>
/// <param name="resource">"The journal '/data/run.jsonl'" or "The run key 'catalog'".</param>
/// <param name="holder">Who holds it: process id, machine and start time, as far as known.</param>
public sealed class ToApisRunInProgressException(string resource, string holder, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public string Resource { get; } = resource;

    public string Holder { get; } = holder;
}

/// <summary>A local check failed before anything was sent.</summary>
public sealed class ToApisValidationException(string field, string message, Exception? innerException = null) : Exception(message, innerException)
{
    public string Field { get; } = field;
}

/// <summary>The service finished the task without an image.</summary>
public sealed class ToApisTaskFailedException(ToApisTask task, string? message = null, Exception? innerException = null)
    : Exception(
        message ?? $"Task {task.Id} failed{(string.IsNullOrEmpty(task.ErrorCode) ? "" : $" [{task.ErrorCode}]")}: {task.ErrorMessage ?? "the service gave no reason"}",
        innerException)
{
    public ToApisTask Task { get; } = task;
}

/// <summary>What is wrong with a local file or a downloaded result, in terms the user can act on.</summary>
public enum FileProblem
{
    NotFound,
    IsFolder,
    UnsupportedType,
    TooLarge,
    ResultExpired,
    IncompleteDownload,
    OutsideTargetFolder,

    /// <summary>A local file could not be read (locked, no permission, I/O error).</summary>
    ReadFailed,

    /// <summary>A local file could not be written: disk full, read-only, no permission, name too long.</summary>
    WriteFailed,

    /// <summary>The result host kept refusing a result that has not expired (HTTP 403/404), or answered with another error.</summary>
    DownloadFailed,

    /// <summary>The result host redirected where results are never fetched from (another scheme, a private or link-local address).</summary>
    UnsafeRedirect,

    /// <summary>A link (symbolic link, junction, reparse point) stands where a file would be written: nothing is written through it.</summary>
    UnsafePath,

    /// <summary>A result URL of a scheme results are never fetched over (javascript:, file:, ftp:).</summary>
    UnsupportedUrl,

    /// <summary>The output folder disappeared while an image was being saved into it.</summary>
    FolderMissing,
}

/// <summary>A local file that cannot be uploaded, or a result that cannot be saved.</summary>
/// <param name="path">The local path or the result URL concerned.</param>
public sealed class ToApisFileException(FileProblem problem, string path, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public FileProblem Problem { get; } = problem;

    public string Path { get; } = path;

    /// <summary>For a local read or write failure, its cause.</summary>
    internal Files.LocalFileFailure LocalFailure { get; init; }
}
