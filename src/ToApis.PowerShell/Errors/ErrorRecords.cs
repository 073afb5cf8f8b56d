using System;
using System.IO;
using System.Management.Automation;
using ToApis.Client;
using ToApis.Client.Files;
using ToApis.Client.Webhooks;
using static System.Management.Automation.ErrorCategory;

namespace ToApis.Errors;

/// <summary>One place that turns failures into error records with a stable ErrorId, category and advice.</summary>
internal static class ErrorRecords
{
    /// <param name="literalPathParameter">The cmdlet's parameter that takes paths literally (-LiteralPath), if it has one.</param>
    public static ErrorRecord From(Exception exception, object? target, string? literalPathParameter = null)
    {
        var (id, category, action) = exception switch
        {
            ToApisApiException api => ForApi(api),
            ToApisServiceUnavailableException => ("ToApis.ServiceUnavailable", ResourceUnavailable,
                "Run the same command again once the service answers: with the same -RunKey (and -Journal), rows already done are reused and not paid again, and saved images are kept."),
            ToApisRunInProgressException => ("ToApis.RunInProgress", ResourceBusy,
                "Wait for that run to finish (or stop it), then run this command again; -LockTimeoutSec waits longer. Overlapping runs of one journal or run key would pay twice for the same rows."),
            UnauthorizedAccessException or IOException => ("ToApis.FileWriteFailed", WriteError, WriteAdvice(LocalFileFailure.Other)),
            ToApisSubmitOutcomeUnknownException unknown => ("ToApis.SubmitOutcomeUnknown", ResourceUnavailable,
                $"The task may have been created: look it up with Get-ToApisTask -Id {unknown.ClientBusinessId}; rerun with the same -RunKey (or -ClientBusinessId {unknown.ClientBusinessId}) to be safe: a task that exists is reused, not paid again. Where the service cannot look ids up, New-ToApisImage -RetryUnknown pays for it again."),
            ToApisTransportException => ("ToApis.ConnectionFailed", ConnectionError,
                "Check the network, proxy and -BaseUri, then run the command again. Submits that may have reached the server are looked up by client_business_id before being resent."),
            ToApisFileException file => ForFile(file, literalPathParameter),
            ToApisTaskFailedException => ("ToApis.TaskFailed", InvalidResult,
                "The service made no image for this item: adjust the prompt or parameters as the message says and submit it again."),
            ToApisWebhookException webhook => ForWebhook(webhook.Problem),
            ToApisValidationException validation => ("ToApis.InvalidParameter", InvalidArgument,
                $"Correct the value of {validation.Field} and run the command again for this item."),
            _ => ("ToApis.UnexpectedError", NotSpecified, "Run the command again with -Verbose; if it repeats, report it with the message above."),
        };
        var explained = exception is ToApisApiException { Kind: ApiErrorKind.WebhookNotConfigured } ? $"{exception.Message} {WebhookNotConfiguredExplained}" : null;
        return Create(exception, id, category, target, action, explained);
    }

    /// <summary>No key anywhere. Sessions are per runspace: one connected elsewhere means a -Parallel block or thread job that needs it passed in.</summary>
    public static ErrorRecord NoSession(bool connectedElsewhere)
    {
        const string passIt = "$s = Connect-ToApis -ApiKey $key -PassThru, then -Session $using:s inside ForEach-Object -Parallel { … } or Start-ThreadJob { … }";
        return connectedElsewhere
            ? Create(
                new PSInvalidOperationException(
                    "No ToAPIs session in this runspace: Connect-ToApis ran in another one, and sessions are per runspace (each ForEach-Object -Parallel block, thread job and job has its own). $env:TOAPIS_API_KEY is not set either."),
                "ToApis.MissingApiKey", AuthenticationError, null,
                $"Pass the session in: {passIt}. Or run Connect-ToApis inside the script block, or set $env:TOAPIS_API_KEY, which every runspace reads.")
            : Create(
                new PSInvalidOperationException("No ToAPIs API key: nothing was connected in this runspace and $env:TOAPIS_API_KEY is not set."),
                "ToApis.MissingApiKey", AuthenticationError, null,
                $"Run Connect-ToApis -ApiKey (Read-Host -AsSecureString 'API key'), or set $env:TOAPIS_API_KEY to a key from https://toapis.com/console/token. Sessions are per runspace: in ForEach-Object -Parallel or a thread job, pass yours in with {passIt}.");
    }

    /// <summary>-Session got a serialized copy (Start-Job, Invoke-Command, remoting): it has no key and no connection, so the advice is what works in such a job.</summary>
    public static ErrorRecord SessionNotTransferable(object copy) => Create(
        new PSArgumentException(
            $"-Session got a copy of a ToApis session ({copy}) that came through Start-Job, Invoke-Command or remoting. A session cannot leave the process that connected it: its copy has no key and no connection."),
        "ToApis.SessionNotTransferable", InvalidArgument, copy,
        "Inside the job, leave -Session out and let the cmdlets read $env:TOAPIS_API_KEY and $env:TOAPIS_BASE_URL (a local job inherits this process's environment; on a remote computer set them there), or run Connect-ToApis -ApiKey $using:key inside the script block. ForEach-Object -Parallel and Start-ThreadJob run in this process: -Session $using:s works there.");

    /// <summary>Get-ToApisRun -FailIfIncomplete: under $ErrorActionPreference 'Stop' a scheduler sees a failed job (exit code 1) with the rows named.</summary>
    public static ErrorRecord RunIncomplete(string message, object run, string journal) => Create(
        new PSInvalidOperationException(message),
        "ToApis.RunIncomplete", InvalidResult, run,
        $"Fix what each row's error says (its values, the account's credit), then run the same pipeline again with the same -RunKey and -Journal: rows that already have a task are reused, not paid again, and saved images are kept. (Get-ToApisRun -Journal '{journal.Replace("'", "''")}').FailedRows holds the rows to feed again.");

    /// <summary>The command stops as a whole: the service kept failing. <paramref name="runState"/> says what was done, is pending and was never tried.</summary>
    public static ErrorRecord ServiceUnavailable(ToApisServiceUnavailableException unavailable, object? target, string? runState) =>
        Retold(From(unavailable, target), runState is null ? null : $"{unavailable.Message} {runState}");

    /// <summary>A base URI that cannot be used, from -BaseUri or $env:TOAPIS_BASE_URL: nothing can be sent.</summary>
    public static ErrorRecord InvalidBaseUri(Exception invalid, string? given) => Create(
        invalid, "ToApis.InvalidBaseUri", InvalidArgument, given,
        "Use the service root over https, e.g. https://toapis.com (or https://toapis.cn), in -BaseUri or $env:TOAPIS_BASE_URL.");

    /// <summary>No signing secret in -Secret or $env:TOAPIS_WEBHOOK_SECRET: no delivery can be verified.</summary>
    public static ErrorRecord MissingWebhookSecret() => Create(
        new PSArgumentException("No webhook signing secret: -Secret was not given and $env:TOAPIS_WEBHOOK_SECRET is not set."),
        "ToApis.MissingWebhookSecret", AuthenticationError, null,
        "Pass the token's signing secret (generated in the ToAPIs console under the token's Task Webhooks) with -Secret, or set $env:TOAPIS_WEBHOOK_SECRET, e.g. as an app setting.");

    /// <summary>A journal that exists but cannot be read (permissions, a lock that shares nothing, a disk error).</summary>
    public static ErrorRecord JournalUnreadable(Exception error, string path) => Create(
        error, "ToApis.FileReadFailed", ReadError, path, "Check that the journal file can be read by this account, then run the command again.");

    /// <summary>Submitting stopped mid-run (a refused key, an empty balance) while paid tasks went on: one error for the rows left, with the cause's ErrorId.</summary>
    public static ErrorRecord SubmittingStopped(Exception cause, object? firstRow, int rowsNotSubmitted, int tasksPassedOn)
    {
        var record = From(cause, firstRow);
        return Retold(
            record,
            $"{record.ErrorDetails.Message} Submitting stopped here: {rowsNotSubmitted} row(s) from this one on were not submitted; the {tasksPassedOn} task(s) already paid for were passed on to be delivered.",
            $"{record.ErrorDetails.RecommendedAction} Then rerun the same input with the same -RunKey: only the {rowsNotSubmitted} row(s) not submitted are paid for.");
    }

    /// <summary>A row gives the client_business_id an earlier row gave a different request: nothing is sent for it.</summary>
    public static ErrorRecord DuplicateClientBusinessId(string businessId, int firstRow, object? input) => Create(
        new ArgumentException($"client_business_id '{businessId}' was already given by row {firstRow} for a different request; one id names one task, so this row would get row {firstRow}'s image. It was not submitted."),
        "ToApis.DuplicateClientBusinessId", InvalidData, input,
        "Give each distinct row its own ClientBusinessId (or leave the column out and use -RunKey, which derives one per request), then run this row again.");

    /// <summary>A file a command needs to write (the gallery, the seen-ids file) cannot be: the command ends.</summary>
    public static ErrorRecord CannotWrite(Exception error, string path, string advice) => Create(error, "ToApis.FileWriteFailed", WriteError, path, advice);

    /// <summary>The journal cannot be opened or created (a read-only folder, no permission, a bad path): nothing is sent without it.</summary>
    public static ErrorRecord JournalNotWritable(Exception error, string path) => Create(
        error, "ToApis.JournalNotWritable", WriteError, path,
        "Give -Journal a path in a folder this account can write to (the journal and its .lock file are created there); nothing was submitted or saved.",
        $"The journal '{path}' cannot be opened for writing: {error.Message}");

    /// <summary>A step of an item could not be journaled; the item itself went on.</summary>
    public static ErrorRecord JournalWriteFailed(Exception error, string what, string? journal, object? target) => Create(
        new IOException($"{what} could not be recorded in the journal '{journal}': {error.Message}", error),
        "ToApis.JournalWriteFailed", WriteError, target,
        "Free space or fix the permissions of the journal's folder; the task itself was passed on. A rerun with the same -RunKey still finds it by client_business_id.");

    public static ErrorRecord SessionClosed(object session, Uri baseUri) => Create(
        new PSInvalidOperationException($"The session to {baseUri} was closed by Disconnect-ToApis."),
        "ToApis.SessionClosed", InvalidOperation, session, "Connect again with Connect-ToApis (-PassThru gives a new session for -Session).");

    /// <summary>Connect-ToApis without a key in -ApiKey or the environment.</summary>
    public static ErrorRecord NoApiKeyGiven() => Create(
        new PSArgumentException("No API key: -ApiKey was not given and $env:TOAPIS_API_KEY is not set."),
        "ToApis.MissingApiKey", AuthenticationError, null,
        "Pass -ApiKey (Read-Host -AsSecureString 'API key') or set $env:TOAPIS_API_KEY to a key from https://toapis.com/console/token.");

    /// <summary>Connect-ToApis's key check was refused: nothing is stored.</summary>
    public static ErrorRecord KeyRefused(Exception refused, string keyHint) => Create(
        refused, "ToApis.Unauthorized", AuthenticationError, keyHint,
        $"The service refused the key {keyHint}: copy it again from https://toapis.com/console/token (or check -BaseUri). Nothing was stored; -SkipValidation connects without asking.");

    public static ErrorRecord ModelNotFound(string message, string name, string advice) =>
        Create(new ItemNotFoundException(message), "ToApis.ModelNotFound", ObjectNotFound, name, advice);

    /// <summary>-Path cannot name one folder to save into.</summary>
    public static ErrorRecord InvalidPath(string problem, string path, string advice) =>
        Create(new ArgumentException(problem), "ToApis.InvalidPath", InvalidArgument, path, advice);

    /// <summary>A task handed to Save-ToApisImage that has not completed.</summary>
    public static ErrorRecord TaskNotCompleted(Models.ToApisTask task) => Create(
        new InvalidOperationException($"Task {task.Id} is '{task.Status}', not completed: only completed tasks can be saved."),
        "ToApis.TaskNotCompleted", InvalidOperation, task, "Pipe tasks through Wait-ToApisTask before Save-ToApisImage.");

    /// <summary>A task the service says completed, without a single image to save.</summary>
    public static ErrorRecord TaskWithoutImages(Models.ToApisTask task) => Create(
        new InvalidOperationException($"Task {task.Id} completed without any image: the service returned no image URL, so there is nothing to save."),
        "ToApis.TaskWithoutImages", InvalidResult, task,
        $"Look at the task with Get-ToApisTask -Id {task.Id}; if it still has no image, submit the prompt again (without the same -RunKey, which would reuse this task) and report the task to the service.");

    public static ErrorRecord TaskTimeout(Models.ToApisTask task, int timeoutSec) => Create(
        new TimeoutException($"Task {task.Id} did not finish within {timeoutSec} s (last status '{task.Status}', {task.Progress}%)."),
        "ToApis.TaskTimeout", OperationTimeout, task,
        $"The task keeps running on the server: wait again with Wait-ToApisTask -Id {task.Id}, or raise -TimeoutSec.");

    /// <summary>
    /// The record told about the row it concerns: "Row 3 (Name=fox): the prompt is empty." in what is shown and in
    /// the exception's own message, which runbooks log as $_.Exception.Message. Its ErrorId, category, row and advice stay.
    /// </summary>
    public static ErrorRecord ForRow(ErrorRecord record, InputRow? row)
    {
        if (row is not { } about)
        {
            return record;
        }

        var message = about.Describe(record.ErrorDetails?.Message is { Length: > 0 } shown ? shown : record.Exception.Message);
        return Retold(record, message, exception: NamingTheRow(record.Exception, message));
    }

    /// <summary>
    /// A copy of <paramref name="original"/> with <paramref name="message"/>, the original as its InnerException.
    /// The copy keeps the original's type, so scripts that catch [ToApis.Client.ToApisApiException] (or any
    /// other exception type by name) still catch it; the original is left as it was, for the journal.
    /// </summary>
    private static Exception NamingTheRow(Exception original, string message) => original switch
    {
        ToApisApiException e => new ToApisApiException(e.Kind, e.StatusCode, e.Code, message, e.Param, e.RequestDescription, e.Attempts, e),
        ToApisTransportException e => new ToApisTransportException(message, e, e.Attempts),
        ToApisSubmitOutcomeUnknownException e => new ToApisSubmitOutcomeUnknownException(e.ClientBusinessId, message, e),
        ToApisServiceUnavailableException e => new ToApisServiceUnavailableException(e.Service, e.ConsecutiveFailures, e.FailingFor, e.LastFailure, message, e),
        ToApisRunInProgressException e => new ToApisRunInProgressException(e.Resource, e.Holder, message, e),
        ToApisValidationException e => new ToApisValidationException(e.Field, message, e),
        ToApisTaskFailedException e => new ToApisTaskFailedException(e.Task, message, e),
        ToApisFileException e => new ToApisFileException(e.Problem, e.Path, message, e) { LocalFailure = e.LocalFailure },
        ToApisWebhookException e => new ToApisWebhookException(e, message),
        // Other exceptions (IOException, TimeoutException, ...) by their own (message, inner) constructor, which
        // nearly all have; one without it is carried by a RuntimeException, which still holds it as the cause.
        _ => original.GetType().GetConstructor(new[] { typeof(string), typeof(Exception) }) is { } sameType
            ? (Exception)sameType.Invoke(new object[] { message, original })
            : new RuntimeException(message, original),
    };

    /// <param name="message">What the user reads, when it says more than the exception's message.</param>
    public static ErrorRecord Create(
        Exception exception, string errorId, ErrorCategory category, object? target, string? recommendedAction, string? message = null)
    {
        var record = new ErrorRecord(exception, errorId, category, target);
        record.ErrorDetails = new ErrorDetails(message ?? exception.Message) { RecommendedAction = recommendedAction };
        return record;
    }

    /// <summary>The same record (ErrorId, category, target) with more said, in its message or its advice, or about another exception.</summary>
    private static ErrorRecord Retold(ErrorRecord record, string? message, string? action = null, Exception? exception = null) =>
        message is null && action is null
            ? record
            : Create(exception ?? record.Exception, record.FullyQualifiedErrorId, record.CategoryInfo.Category, record.TargetObject,
                action ?? record.ErrorDetails?.RecommendedAction, message ?? record.ErrorDetails?.Message);

    private static (string Id, ErrorCategory Category, string Action) ForApi(ToApisApiException error) => error.Kind switch
    {
        ApiErrorKind.InvalidRequest => ("ToApis.InvalidRequest", InvalidArgument,
            error.Param is { } param ? $"Correct the '{param}' field and submit this item again." : "Correct the request as the message says and submit this item again."),
        ApiErrorKind.Unauthorized => ("ToApis.Unauthorized", AuthenticationError,
            "Check the API key (https://toapis.com/console/token) and pass it with Connect-ToApis -ApiKey or $env:TOAPIS_API_KEY."),
        ApiErrorKind.Forbidden => ("ToApis.Forbidden", PermissionDenied,
            "This key may not use this model or endpoint, or the account is disabled: check the token's permissions in the console."),
        ApiErrorKind.InsufficientQuota => ("ToApis.InsufficientQuota", QuotaExceeded,
            "Top up the account balance, then run the command again with the same -RunKey: rows that already have a task are reused, not paid again."),
        ApiErrorKind.NotFound => ("ToApis.TaskNotFound", ObjectNotFound, "Check the task id; tasks are visible only to the account that created them."),
        ApiErrorKind.ContentPolicy => ("ToApis.ContentPolicyViolation", SecurityError,
            "Rephrase the prompt or change the reference images; this item was not generated."),
        ApiErrorKind.RateLimited or ApiErrorKind.LimiterUnavailable => ("ToApis.RateLimited", LimitsExceeded,
            "The account's rate limit was still exceeded after every retry: run fewer commands at once or raise -MaximumRetryCount."),
        ApiErrorKind.WebhookNotConfigured => ("ToApis.WebhookNotConfigured", NotEnabled,
            "In the ToAPIs console (https://toapis.com/console/token), edit this key's token: set a default HTTPS callback URL, generate a signing secret, enable Task Webhooks and save. "
            + "-CallbackUrl may then differ from that default only in its path and query. Or leave out -CallbackUrl: the token's default URL is used, or Wait-ToApisTask polls."),
        ApiErrorKind.ServerError => ("ToApis.ServerError", ResourceUnavailable, "The service failed; run the command again later for this item."),
        ApiErrorKind.UnexpectedResponse => ("ToApis.UnexpectedResponse", ProtocolError,
            "Check that -BaseUri points at the ToAPIs service (not a proxy or web page), then try again."),
        _ => ("ToApis.ApiError", NotSpecified, "See the message from the service above."),
    };

    private const string WebhookNotConfiguredExplained =
        "The service accepts a callback URL only from a token whose Task Webhooks are set up and enabled, and only when the URL matches the token's default webhook URL in scheme, host and port.";

    private static (string Id, ErrorCategory Category, string Action) ForFile(ToApisFileException error, string? literalPathParameter) => error.Problem switch
    {
        FileProblem.NotFound => ("ToApis.FileNotFound", ObjectNotFound,
            literalPathParameter is not null && WildcardPattern.ContainsWildcardCharacters(error.Path)
                ? $"Check the path. [ ] * and ? are wildcard characters there: for a name that contains them, pass it with -{literalPathParameter}."
                : "Check the path and that the file exists."),
        FileProblem.IsFolder => ("ToApis.PathIsFolder", InvalidArgument, "Pass the image files, not the folder: Get-ChildItem <folder> -File | Send-ToApisFile."),
        FileProblem.UnsupportedType => ("ToApis.UnsupportedImageType", InvalidData,
            $"Convert the file to one of {ImageFormats.Supported}; the type is judged by the file's content, not its extension."),
        FileProblem.TooLarge => ("ToApis.FileTooLarge", LimitsExceeded, "Shrink or recompress the image to at most 10 MB, then send it again."),
        FileProblem.ResultExpired => ("ToApis.ResultExpired", ResourceUnavailable,
            "Result URLs last 24 h after completion: submit the prompt again with New-ToApisImage (the same -RunKey regenerates expired results) and save the new task promptly."),
        FileProblem.IncompleteDownload => ("ToApis.DownloadIncomplete", InvalidResult,
            "The result host (or a proxy between) kept ending the image early: run Save-ToApisImage again later (or check the proxy); nothing incomplete was saved."),
        FileProblem.DownloadFailed => ("ToApis.DownloadFailed", ResourceUnavailable,
            "The result has not expired: run Save-ToApisImage again later for this task (Get-ToApisTask -Id <id> | Save-ToApisImage); do not generate it again."),
        FileProblem.UnsafeRedirect => ("ToApis.DownloadFailed", SecurityError,
            "The result host redirected where images are never fetched from (another scheme, a private or link-local address): check the proxy or network, or report it to the service."),
        FileProblem.ReadFailed => ("ToApis.FileReadFailed", ReadError,
            "Close the program that holds the file, or fix its permissions, then run the command again for this row."),
        FileProblem.WriteFailed => ("ToApis.FileWriteFailed", WriteError, WriteAdvice(error.LocalFailure)),
        FileProblem.OutsideTargetFolder => ("ToApis.UnsafeFileName", SecurityError, "Use a -FileName template that names a file, not a path."),
        FileProblem.UnsupportedUrl => ("ToApis.UnsupportedResultUrl", SecurityError,
            "The service (or something between) returned a result link that is not a web address: check -BaseUri and any proxy, then look at the task with Get-ToApisTask -Id <id>; report it to the service if it repeats."),
        FileProblem.FolderMissing => ("ToApis.OutputFolderMissing", ObjectNotFound,
            "Something removed the output folder during the save: create it again (or choose another -Path), then run Save-ToApisImage again for these tasks; result URLs last 24 h."),
        FileProblem.UnsafePath => ("ToApis.UnsafePath", SecurityError,
            "Someone may have planted that link to make this account overwrite another file: remove it (and check who can write to the folder), or write somewhere else, then run the command again."),
        _ => ("ToApis.FileError", WriteError, "Check the message above and try again."),
    };

    private static string WriteAdvice(LocalFileFailure failure) => failure switch
    {
        LocalFileFailure.DiskFull => "Free space on that disk (or save elsewhere with -Path), then run the command again: images already saved are kept, and the result URLs last 24 h.",
        LocalFileFailure.ReadOnly => "Save to a writable folder with -Path, then run the command again.",
        LocalFileFailure.PermissionDenied => "Fix the folder's permissions or save elsewhere with -Path, then run the command again.",
        LocalFileFailure.NameTooLong => "Use a shorter -Path or -FileName template, then run the command again.",
        _ => "Check that the folder exists, is writable and has free space, then run the command again.",
    };

    private static (string Id, ErrorCategory Category, string Action) ForWebhook(WebhookProblem problem) => problem switch
    {
        WebhookProblem.SignatureMissing => ("ToApis.WebhookSignatureMissing", AuthenticationError,
            "Answer 401 and do nothing. If real ToAPIs deliveries arrive like this, pass all the request headers to -Header ($Request.Headers in Azure Functions, $context.Request.Headers with HttpListener) and check that no proxy strips the X-ToAPIs-Webhook-* headers."),
        WebhookProblem.SignatureMismatch => ("ToApis.WebhookSignatureMismatch", SecurityError,
            "Answer 401 and do nothing. If real ToAPIs deliveries fail: pass the body exactly as received ($Request.RawBody in Azure Functions, not $Request.Body) and the token's current signing secret; after a rotation, either secret works for 24 hours."),
        WebhookProblem.TimestampStale => ("ToApis.WebhookTimestampStale", SecurityError,
            "Answer 401 and do nothing: ToAPIs signs each retry afresh and will deliver again. If real deliveries fail this way, set this machine's clock right (NTP), or widen -ToleranceSec."),
        WebhookProblem.Replayed => ("ToApis.WebhookReplayed", ResourceExists,
            "Answer 2xx and do nothing more: the event was accepted before. The TargetObject is the event again; if handling it failed the first time, act on it now, or read the task with Get-ToApisTask."),
        WebhookProblem.TooLarge => ("ToApis.WebhookTooLarge", LimitsExceeded,
            "Answer 413 and do nothing: ToAPIs events are a few KB, so this is not one of its deliveries. Limit request bodies to 1 MB in front of the receiver too."),
        _ => ("ToApis.WebhookMalformed", InvalidData,
            "Answer 400. Pass -Body the raw body text as received and -Header the request's headers; the message says what could not be read."),
    };
}
