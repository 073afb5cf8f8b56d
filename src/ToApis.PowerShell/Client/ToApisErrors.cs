using System;

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

/// <summary>A request the service answered with an error (or with a body we cannot use).</summary>
public sealed class ToApisApiException : Exception
{
    public ToApisApiException(
        ApiErrorKind kind, int statusCode, string? code, string message, string? param = null,
        string? requestDescription = null, int attempts = 1)
        : base(message)
    {
        Kind = kind;
        StatusCode = statusCode;
        Code = code;
        Param = param;
        RequestDescription = requestDescription;
        Attempts = attempts;
    }

    /// <summary>The same failure told with another message (one naming its row), <paramref name="original"/> as its cause.</summary>
    internal ToApisApiException(ToApisApiException original, string message)
        : base(message, original)
    {
        Kind = original.Kind;
        StatusCode = original.StatusCode;
        Code = original.Code;
        Param = original.Param;
        RequestDescription = original.RequestDescription;
        Attempts = original.Attempts;
    }

    public ApiErrorKind Kind { get; }

    /// <summary>HTTP status; 0 when the body, not the status, was the problem.</summary>
    public int StatusCode { get; }

    /// <summary>The server's <c>error.code</c> as a string, whatever its JSON type.</summary>
    public string? Code { get; }

    /// <summary>The request field the server blamed, when it said.</summary>
    public string? Param { get; }

    /// <summary>"POST /v1/images/generations": what was asked, for messages.</summary>
    public string? RequestDescription { get; }

    public int Attempts { get; }

    /// <summary>Nothing else in this run can succeed with the same key: stop the whole pipeline.</summary>
    public bool IsFatalForSession =>
        Kind is ApiErrorKind.Unauthorized or ApiErrorKind.Forbidden or ApiErrorKind.InsufficientQuota;
}

/// <summary>The request never produced an HTTP answer (DNS, refused, reset, timeout), after any retries.</summary>
public sealed class ToApisTransportException : Exception
{
    public ToApisTransportException(string message, Exception? innerException, int attempts)
        : base(message, innerException) => Attempts = attempts;

    /// <summary>The same failure told with another message (one naming its row), <paramref name="original"/> as its cause.</summary>
    internal ToApisTransportException(ToApisTransportException original, string message)
        : base(message, original)
    {
        Attempts = original.Attempts;
        WasProvablyNotSent = original.WasProvablyNotSent;
    }

    public int Attempts { get; }

    /// <summary>The connection never opened, so the server cannot have acted on the request.</summary>
    public bool WasProvablyNotSent { get; init; }
}

/// <summary>
/// A submit ended ambiguously and the service could not say whether it created the task: paying again might
/// pay twice, so the row stops here, naming the client_business_id to look the task up by.
/// </summary>
public sealed class ToApisSubmitOutcomeUnknownException : Exception
{
    public ToApisSubmitOutcomeUnknownException(string clientBusinessId, string message, Exception? innerException)
        : base(message, innerException) => ClientBusinessId = clientBusinessId;

    /// <summary>The same failure told with another message (one naming its row), <paramref name="original"/> as its cause.</summary>
    internal ToApisSubmitOutcomeUnknownException(ToApisSubmitOutcomeUnknownException original, string message)
        : base(message, original) => ClientBusinessId = original.ClientBusinessId;

    public string ClientBusinessId { get; }
}

/// <summary>
/// The service (or its files host) kept failing across requests (5xx, network errors, timeouts) until the
/// session's circuit breaker opened: nothing further is sent to it for now, and the command stops as a whole.
/// </summary>
public sealed class ToApisServiceUnavailableException : Exception
{
    public ToApisServiceUnavailableException(string service, int consecutiveFailures, TimeSpan failingFor, string lastFailure)
        : base($"{service} is unavailable: {consecutiveFailures} requests in a row failed over {failingFor.TotalSeconds:0} s (last: {lastFailure}); nothing more is sent to it for now.")
    {
        Service = service;
        ConsecutiveFailures = consecutiveFailures;
        FailingFor = failingFor;
        LastFailure = lastFailure;
    }

    /// <summary>The same failure told with another message (one naming its row), <paramref name="original"/> as its cause.</summary>
    internal ToApisServiceUnavailableException(ToApisServiceUnavailableException original, string message)
        : base(message, original)
    {
        Service = original.Service;
        ConsecutiveFailures = original.ConsecutiveFailures;
        FailingFor = original.FailingFor;
        LastFailure = original.LastFailure;
    }

    /// <summary>"The service at https://toapis.com/" or "The result host files.toapis.com".</summary>
    public string Service { get; }

    public int ConsecutiveFailures { get; }

    public TimeSpan FailingFor { get; }

    public string LastFailure { get; }
}

/// <summary>Another run holds the journal (or the run key) this command needs, and did not finish in time.</summary>
public sealed class ToApisRunInProgressException : Exception
{
    public ToApisRunInProgressException(string resource, string holder, TimeSpan waited)
        : base($"{resource} is in use by another run ({holder}); waited {waited.TotalSeconds:0} s for it to finish.")
    {
        Resource = resource;
        Holder = holder;
    }

    /// <summary>The same failure told with another message (one naming its row), <paramref name="original"/> as its cause.</summary>
    internal ToApisRunInProgressException(ToApisRunInProgressException original, string message)
        : base(message, original)
    {
        Resource = original.Resource;
        Holder = original.Holder;
    }

    /// <summary>"The journal '/data/run.jsonl'" or "The run key 'catalog'".</summary>
    public string Resource { get; }

    /// <summary>Who holds it: process id, machine and start time, as far as known.</summary>
    public string Holder { get; }
}

/// <summary>A local check failed before anything was sent.</summary>
public sealed class ToApisValidationException : Exception
{
    public ToApisValidationException(string field, string message)
        : base(message) => Field = field;

    /// <summary>The same failure told with another message (one naming its row), <paramref name="original"/> as its cause.</summary>
    internal ToApisValidationException(ToApisValidationException original, string message)
        : base(message, original) => Field = original.Field;

    public string Field { get; }
}

/// <summary>The service finished the task without an image.</summary>
public sealed class ToApisTaskFailedException : Exception
{
    public ToApisTaskFailedException(Models.ToApisTask task)
        : base($"Task {task.Id} failed" +
               (string.IsNullOrEmpty(task.ErrorCode) ? "" : $" [{task.ErrorCode}]") +
               $": {task.ErrorMessage ?? "the service gave no reason"}")
        => Task = task;

    /// <summary>The same failure told with another message (one naming its row), <paramref name="original"/> as its cause.</summary>
    internal ToApisTaskFailedException(ToApisTaskFailedException original, string message)
        : base(message, original) => Task = original.Task;

    public Models.ToApisTask Task { get; }
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
public sealed class ToApisFileException : Exception
{
    public ToApisFileException(FileProblem problem, string path, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Problem = problem;
        Path = path;
    }

    /// <summary>The same failure told with another message (one naming its row), <paramref name="original"/> as its cause.</summary>
    internal ToApisFileException(ToApisFileException original, string message)
        : base(message, original)
    {
        Problem = original.Problem;
        Path = original.Path;
        LocalFailure = original.LocalFailure;
    }

    public FileProblem Problem { get; }

    /// <summary>The local path or the result URL concerned.</summary>
    public string Path { get; }

    /// <summary>For a local read or write failure, its cause.</summary>
    internal Files.LocalFileFailure LocalFailure { get; init; }
}
