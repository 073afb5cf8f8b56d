using System;
using System.Management.Automation;
using ToApis.Client;
using ToApis.Client.Webhooks;

namespace ToApis.Errors;

/// <summary>One place that turns failures into error records with a stable ErrorId, category and advice.</summary>
internal static class ErrorRecords
{
    public static ErrorRecord From(Exception exception, object? target) => exception switch
    {
        ToApisApiException api => FromApi(api, target),
        UnauthorizedAccessException or System.IO.IOException => Create(
            exception, "ToApis.FileWriteFailed", ErrorCategory.WriteError, target,
            "Check that the folder exists, is writable and has free space, then run the command again."),
        ToApisSubmitOutcomeUnknownException unknown => Create(
            unknown, "ToApis.SubmitOutcomeUnknown", ErrorCategory.ResourceUnavailable, target,
            $"Look the task up with Get-ToApisTask -Id {unknown.ClientBusinessId} once the service answers. To be safe, rerun with the same -RunKey (or -ClientBusinessId {unknown.ClientBusinessId}): a task that exists is reused, not paid again."),
        ToApisTransportException transport => Create(
            transport, "ToApis.ConnectionFailed", ErrorCategory.ConnectionError, target,
            "Check the network, proxy and -BaseUri, then run the command again. Submits that may have reached the server are looked up by client_business_id before being resent."),
        ToApisFileException file => FromFile(file, target),
        ToApisTaskFailedException failed => Create(
            failed, "ToApis.TaskFailed", ErrorCategory.InvalidResult, target,
            "The service made no image for this item: adjust the prompt or parameters as the message says and submit it again."),
        ToApisWebhookException webhook => FromWebhook(webhook, target),
        ToApisValidationException validation => Create(
            validation, "ToApis.InvalidParameter", ErrorCategory.InvalidArgument, target,
            $"Correct the value of {validation.Field} and run the command again for this item."),
        _ => Create(exception, "ToApis.UnexpectedError", ErrorCategory.NotSpecified, target,
            "Run the command again with -Verbose; if it repeats, report it with the message above."),
    };

    /// <summary>A base URI that cannot be used, from -BaseUri or $env:TOAPIS_BASE_URL: nothing can be sent.</summary>
    public static ErrorRecord InvalidBaseUri(Exception invalid, string? given) => Create(
        invalid, "ToApis.InvalidBaseUri", ErrorCategory.InvalidArgument, given,
        "Use the service root over https, e.g. https://toapis.com (or https://toapis.cn), in -BaseUri or $env:TOAPIS_BASE_URL.");

    /// <summary>No signing secret in -Secret or $env:TOAPIS_WEBHOOK_SECRET: no delivery can be verified.</summary>
    public static ErrorRecord MissingWebhookSecret() => Create(
        new PSArgumentException("No webhook signing secret: -Secret was not given and $env:TOAPIS_WEBHOOK_SECRET is not set."),
        "ToApis.MissingWebhookSecret", ErrorCategory.AuthenticationError, null,
        "Pass the token's signing secret (generated in the ToAPIs console under the token's Task Webhooks) with -Secret, or set $env:TOAPIS_WEBHOOK_SECRET, e.g. as an app setting.");
    /// <summary>A journal that exists but cannot be read (permissions, a lock that shares nothing, a disk error).</summary>
    public static ErrorRecord JournalUnreadable(Exception error, string path) => Create(
        error, "ToApis.FileReadFailed", ErrorCategory.ReadError, path,
        "Check that the journal file can be read by this account, then run the command again.");

    public static ErrorRecord Create(
        Exception exception, string errorId, ErrorCategory category, object? target, string recommendedAction)
    {
        var record = new ErrorRecord(exception, errorId, category, target);
        record.ErrorDetails = new ErrorDetails(exception.Message) { RecommendedAction = recommendedAction };
        return record;
    }

    private static ErrorRecord FromFile(ToApisFileException error, object? target)
    {
        var (id, category, action) = error.Problem switch
        {
            FileProblem.NotFound => ("ToApis.FileNotFound", ErrorCategory.ObjectNotFound,
                "Check the path; use -LiteralPath for names that contain wildcard characters such as [ ]."),
            FileProblem.UnsupportedType => ("ToApis.UnsupportedImageType", ErrorCategory.InvalidData,
                $"Convert the file to one of {ImageFormats.Supported}; the type is judged by the file's content, not its extension."),
            FileProblem.TooLarge => ("ToApis.FileTooLarge", ErrorCategory.LimitsExceeded,
                "Shrink or recompress the image to at most 10 MB, then send it again."),
            FileProblem.ResultExpired or FileProblem.ResultGone => ("ToApis.ResultExpired", ErrorCategory.ResourceUnavailable,
                "Result URLs last 24 h after completion: submit the prompt again with New-ToApisImage (the same -RunKey regenerates expired results) and save the new task promptly."),
            FileProblem.OutsideTargetFolder => ("ToApis.UnsafeFileName", ErrorCategory.SecurityError,
                "Use a -FileName template that names a file, not a path."),
            _ => ("ToApis.FileError", ErrorCategory.WriteError, "Check the message above and try again."),
        };
        return Create(error, id, category, target, action);
    }

    private static ErrorRecord FromWebhook(ToApisWebhookException error, object? target)
    {
        var (id, category, action) = error.Problem switch
        {
            WebhookProblem.SignatureMissing => ("ToApis.WebhookSignatureMissing", ErrorCategory.AuthenticationError,
                "Answer 401 and do nothing. If real ToAPIs deliveries arrive like this, pass all the request headers to -Header ($Request.Headers in Azure Functions, $context.Request.Headers with HttpListener) and check that no proxy strips the X-ToAPIs-Webhook-* headers."),
            WebhookProblem.SignatureMismatch => ("ToApis.WebhookSignatureMismatch", ErrorCategory.SecurityError,
                "Answer 401 and do nothing. If real ToAPIs deliveries fail: pass the body exactly as received ($Request.RawBody in Azure Functions, not $Request.Body) and the token's current signing secret; after a rotation, either secret works for 24 hours."),
            WebhookProblem.TimestampStale => ("ToApis.WebhookTimestampStale", ErrorCategory.SecurityError,
                "Answer 401 and do nothing: ToAPIs signs each retry afresh and will deliver again. If real deliveries fail this way, set this machine's clock right (NTP), or widen -ToleranceSec."),
            WebhookProblem.Replayed => ("ToApis.WebhookReplayed", ErrorCategory.ResourceExists,
                "Answer 2xx and do nothing more: the event was accepted before. The TargetObject is the event again; if handling it failed the first time, act on it now, or read the task with Get-ToApisTask."),
            _ => ("ToApis.WebhookMalformed", ErrorCategory.InvalidData,
                "Answer 400. Pass -Body the raw body text as received and -Header the request's headers; the message says what could not be read."),
        };
        return Create(error, id, category, target, action);
    }

    private static ErrorRecord FromApi(ToApisApiException error, object? target)
    {
        var (id, category, action) = error.Kind switch
        {
            ApiErrorKind.InvalidRequest => ("ToApis.InvalidRequest", ErrorCategory.InvalidArgument,
                error.Param is { } param ? $"Correct the '{param}' field and submit this item again." : "Correct the request as the message says and submit this item again."),
            ApiErrorKind.Unauthorized => ("ToApis.Unauthorized", ErrorCategory.AuthenticationError,
                "Check the API key (https://toapis.com/console/token) and pass it with Connect-ToApis -ApiKey or $env:TOAPIS_API_KEY."),
            ApiErrorKind.Forbidden => ("ToApis.Forbidden", ErrorCategory.PermissionDenied,
                "This key may not use this model or endpoint, or the account is disabled: check the token's permissions in the console."),
            ApiErrorKind.InsufficientQuota => ("ToApis.InsufficientQuota", ErrorCategory.QuotaExceeded,
                "Top up the account balance, then run the command again with the same -RunKey: rows that already have a task are reused, not paid again."),
            ApiErrorKind.NotFound => ("ToApis.TaskNotFound", ErrorCategory.ObjectNotFound,
                "Check the task id; tasks are visible only to the account that created them."),
            ApiErrorKind.ContentPolicy => ("ToApis.ContentPolicyViolation", ErrorCategory.SecurityError,
                "Rephrase the prompt or change the reference images; this item was not generated."),
            ApiErrorKind.RateLimited or ApiErrorKind.LimiterUnavailable => ("ToApis.RateLimited", ErrorCategory.LimitsExceeded,
                "The account's rate limit was still exceeded after every retry: run fewer commands at once or raise -MaximumRetryCount."),
            ApiErrorKind.WebhookNotConfigured => ("ToApis.WebhookNotConfigured", ErrorCategory.NotEnabled, WebhookSetup),
            ApiErrorKind.ServerError => ("ToApis.ServerError", ErrorCategory.ResourceUnavailable,
                "The service failed; run the command again later for this item."),
            ApiErrorKind.UnexpectedResponse => ("ToApis.UnexpectedResponse", ErrorCategory.ProtocolError,
                "Check that -BaseUri points at the ToAPIs service (not a proxy or web page), then try again."),
            _ => ("ToApis.ApiError", ErrorCategory.NotSpecified, "See the message from the service above."),
        };
        var record = Create(error, id, category, target, action);
        if (error.Kind == ApiErrorKind.WebhookNotConfigured)
        {
            record.ErrorDetails = new ErrorDetails(error.Message + " " + WebhookNotConfiguredExplained) { RecommendedAction = action };
        }

        return record;
    }

    private const string WebhookNotConfiguredExplained =
        "The service accepts a callback URL only from a token whose Task Webhooks are set up and enabled, and only when the URL matches the token's default webhook URL in scheme, host and port.";

    private const string WebhookSetup =
        "In the ToAPIs console (https://toapis.com/console/token), edit this key's token: set a default HTTPS callback URL, generate a signing secret, enable Task Webhooks and save. "
        + "-CallbackUrl may then differ from that default only in its path and query. Or leave out -CallbackUrl: the token's default URL is used, or Wait-ToApisTask polls.";
}
