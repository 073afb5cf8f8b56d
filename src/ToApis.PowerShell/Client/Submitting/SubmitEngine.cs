using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ToApis.Client.Files;
using ToApis.Client.Journal;
using ToApis.Client.Wire;
using ToApis.Models;

namespace ToApis.Client.Submitting;

/// <summary>One row to submit: its checked request, the local images to upload first, the row itself and its number in the input.</summary>
internal sealed record SubmitItem(
    object Input, GenerationRequest Request, IReadOnlyList<LocalImage> LocalImages, bool MayExist, int Row = 0, JournalDetails? JournalRow = null);

/// <summary>
/// How one row ended: a task (created now, or <see cref="Reused"/> from an earlier run), or an error.
/// <see cref="NotSent"/> means the batch stopped before the request left this machine.
/// <see cref="JournalError"/> is a journal record that could not be written (the row itself went on).
/// </summary>
internal sealed record SubmitOutcome(SubmitItem Item, ToApisTask? Task, bool Reused, Exception? Error, bool NotSent = false)
{
    public Exception? JournalError { get; init; }
}

/// <summary>
/// Submits a batch of rows concurrently and hands their outcomes back in input order. It owns what one
/// New-ToApisImage run needs and nothing of PowerShell: the reuse lookup (a row whose client_business_id
/// already has a live task is not paid again), the upload-once cache for local references, the in-flight
/// window, and the end of the batch, which never sends what was not yet sent and never loses a task that
/// was created. With a journal, each submit is recorded as <c>submitting</c> before it is sent and its end
/// as soon as it is known (in the background: the journal is thread-safe), so a crash cannot hide a
/// submit; a row that an earlier run left with an unknown outcome is not paid again unless the service can
/// say no task exists, or <c>-RetryUnknown</c> says to.
/// </summary>
internal sealed class SubmitEngine : IDisposable
{
    private readonly ToApisClient _client;
    private readonly IRequestLog _log;
    private readonly RunJournal? _journal;
    private readonly bool _retryUnknown;
    private readonly int _throttleLimit;
    private readonly CancellationTokenSource _stopSending;
    private readonly CancellationTokenSource _abort = new();
    private readonly ConcurrentDictionary<string, Task<string>> _uploads = new(StringComparer.Ordinal);
    private readonly Queue<(SubmitItem Item, Task<SubmitOutcome> Work)> _window = new();
    private readonly object _probeGate = new();
    private Task<bool>? _serviceLooksUpBusinessIds;
    private int _created;
    private Exception? _fatal;

    /// <param name="journal">Records each submit; where the service cannot look a client_business_id up, remembers earlier runs' tasks.</param>
    /// <param name="retryUnknown">Pays again for rows an earlier run left with an unknown outcome (-RetryUnknown).</param>
    /// <param name="commandToken">Cancelled when the command is stopped: nothing further is sent.</param>
    public SubmitEngine(
        ToApisClient client, IRequestLog log, RunJournal? journal, int throttleLimit, CancellationToken commandToken, bool retryUnknown = false)
    {
        _client = client;
        _log = log;
        _journal = journal;
        _retryUnknown = retryUnknown;
        _throttleLimit = throttleLimit;
        _stopSending = CancellationTokenSource.CreateLinkedTokenSource(commandToken);
    }

    /// <summary>
    /// Submits allowed in flight now: one at first (a bad key or an empty balance then costs one request),
    /// then one more per task obtained, up to the throttle limit. The window so doubles every round trip, as
    /// TCP's slow start does, and a run cut short by <c>Select-Object -First</c> has spent little.
    /// </summary>
    public int Window => Math.Min(_throttleLimit, 1 + _created);

    public int InFlight => _window.Count;

    /// <summary>The oldest submit is done: its outcome can be taken without waiting.</summary>
    public bool OldestIsDone => _window.Count > 0 && _window.Peek().Work.IsCompleted;

    /// <summary>The oldest submit, to wait on when the window is full.</summary>
    public Task Oldest => _window.Peek().Work;

    public bool IsFull => _window.Count >= Window;

    public void Start(SubmitItem item)
    {
        // Known before anything is sent, so every way the batch can end can name the row's task.
        item.Request.ClientBusinessId ??= BusinessIds.NewRandom();
        _window.Enqueue((item, RunAsync(item)));
    }

    /// <summary>The oldest outcome; call when <see cref="OldestIsDone"/>.</summary>
    public SubmitOutcome TakeOldest()
    {
        var outcome = _window.Dequeue().Work.Result;
        if (outcome.Task is not null)
        {
            _created++;
        }

        return outcome;
    }

    /// <summary>
    /// Ends the batch early. Nothing that has not left this machine is sent; a submit on the wire gets
    /// <paramref name="grace"/> to answer, so a task it created is known. Returns every outcome not taken yet,
    /// in input order: tasks created or reused, errors, submits never sent, and, as
    /// <see cref="ToApisSubmitOutcomeUnknownException"/>, those that had no answer within the grace.
    /// </summary>
    public IReadOnlyList<SubmitOutcome> Stop(TimeSpan grace)
    {
        _stopSending.Cancel();
        var left = _window.ToArray();
        _window.Clear();
        Task.WaitAny(Task.WhenAll(left.Select(pending => pending.Work)), Task.Delay(grace));
        _abort.Cancel();
        return left.Select(pending => pending.Work.IsCompleted ? pending.Work.Result : Unanswered(pending.Item)).ToList();
    }

    private SubmitOutcome Unanswered(SubmitItem item)
    {
        var unknown = new ToApisSubmitOutcomeUnknownException(
            item.Request.ClientBusinessId!,
            $"The submit for client_business_id '{item.Request.ClientBusinessId}' had no answer when the command stopped: the task may have been created. " +
            $"Look it up with Get-ToApisTask -Id {item.Request.ClientBusinessId}; rerun with the same -RunKey (or -ClientBusinessId) to be safe.",
            null);
        return new SubmitOutcome(item, null, false, unknown) { JournalError = Journal(JournalEvents.Unknown, item, unknown.Message) };
    }

    public void Dispose()
    {
        _stopSending.Cancel();
        _abort.Cancel();
        _stopSending.Dispose();
        _abort.Dispose();
    }

    private async Task<SubmitOutcome> RunAsync(SubmitItem item)
    {
        var stopSending = _stopSending.Token;
        var businessId = item.Request.ClientBusinessId!;
        var sending = false;
        try
        {
            // Off the pipeline thread at once: the caller goes on reading input.
            await Task.Yield();
            if (item.MayExist)
            {
                var (existing, serviceSaysNone) = await FindEarlierTaskAsync(businessId, stopSending).ConfigureAwait(false);
                if (existing is not null && !existing.IsFailed && !IsExpired(existing))
                {
                    _log.Verbose($"Reusing task {existing.Id} ({existing.Status}) for client_business_id '{businessId}': not submitted again.");
                    var reused = WithLocalContext(existing, item);
                    return new SubmitOutcome(item, reused, Reused: true, Error: null) { JournalError = Journal(reused, JournalEvents.Reused, item) };
                }

                if (existing is null && _journal?.WasLeftUnresolved(businessId) == true
                    && await LeftUnknownAsync(businessId, serviceSaysNone, stopSending).ConfigureAwait(false) is { } unknown)
                {
                    return new SubmitOutcome(item, null, false, unknown);
                }
            }

            // A row's references upload together (and each file once per run, shared with the rows in flight beside it).
            var uploads = item.LocalImages.Select(image => _uploads.GetOrAdd(image.Path, _ => UploadAsync(image, stopSending))).ToList();
            foreach (var upload in uploads)
            {
                item.Request.ImageUrls.Add(await upload.ConfigureAwait(false));
            }

            if (Volatile.Read(ref _fatal) is { } fatal)
            {
                return new SubmitOutcome(item, null, false, fatal); // nothing further can succeed with this key
            }

            stopSending.ThrowIfCancellationRequested();
            if (Journal(JournalEvents.Submitting, item) is { } notRecorded)
            {
                // Without its write-ahead line a crash could hide this submit: it is not sent.
                return new SubmitOutcome(item, null, false, new ToApisFileException(
                    FileProblem.WriteFailed, _journal!.Path,
                    $"Row {item.Row} was not submitted: the journal '{_journal.Path}' could not record it first ({notRecorded.Message}).", notRecorded));
            }

            sending = true;
            var task = WithLocalContext(await _client.SubmitAsync(item.Request, stopSending, _abort.Token).ConfigureAwait(false), item);
            return new SubmitOutcome(item, task, Reused: false, Error: null) { JournalError = Journal(task, JournalEvents.Submitted, item) };
        }
        catch (OperationCanceledException) when (stopSending.IsCancellationRequested)
        {
            return new SubmitOutcome(item, null, false, null, NotSent: true)
            {
                JournalError = sending ? Journal(JournalEvents.NotSubmitted, item, "the command stopped before the submit was sent") : null,
            };
        }
        catch (Exception error)
        {
            if (error is ToApisApiException { IsFatalForSession: true })
            {
                Interlocked.CompareExchange(ref _fatal, error, null);
            }

            // A submit that was sent and ended in an error either made no task (a refusal) or an unknown one.
            var journalError = !sending ? null
                : error is ToApisSubmitOutcomeUnknownException ? Journal(JournalEvents.Unknown, item, error.Message)
                : Journal(JournalEvents.NotSubmitted, item, error.Message);
            return new SubmitOutcome(item, null, false, error) { JournalError = journalError };
        }
    }

    /// <summary>
    /// The task an earlier run made for this id: asked of the service first; where the service cannot answer
    /// a lookup by client_business_id, the journal's record of the task id is used. Also says whether the
    /// service itself answered "no such task" (rather than refusing the lookup).
    /// </summary>
    private async Task<(ToApisTask? Task, bool ServiceSaysNone)> FindEarlierTaskAsync(string clientBusinessId, CancellationToken cancellationToken)
    {
        var serviceSaysNone = false;
        try
        {
            if (await _client.FindTaskAsync(clientBusinessId, cancellationToken).ConfigureAwait(false) is { } found)
            {
                return (found, false);
            }

            serviceSaysNone = true;
        }
        catch (ToApisApiException refused) when (refused.Kind == ApiErrorKind.InvalidRequest)
        {
            _log.Verbose($"The service cannot look tasks up by client_business_id ({refused.Message}).");
        }

        var task = _journal?.TaskIdFor(clientBusinessId) is { } taskId
            ? await _client.FindTaskAsync(taskId, cancellationToken).ConfigureAwait(false)
            : null;
        return (task, serviceSaysNone);
    }

    /// <summary>
    /// An earlier run sent a submit for this row and never learned its outcome. The row is submitted again
    /// only if the service, able to look ids up, says no such task exists, or with -RetryUnknown; else it
    /// stays unknown, with the id to look it up by.
    /// </summary>
    private async Task<ToApisSubmitOutcomeUnknownException?> LeftUnknownAsync(string businessId, bool serviceSaysNone, CancellationToken cancellationToken)
    {
        if (serviceSaysNone && await ServiceLooksUpBusinessIdsAsync(cancellationToken).ConfigureAwait(false))
        {
            return null; // an authoritative "no such task": the earlier submit made none
        }

        if (_retryUnknown)
        {
            _log.Warning($"An earlier run's submit for client_business_id '{businessId}' has an unknown outcome; submitting it again as -RetryUnknown asks (if the earlier task exists, it is paid twice).");
            return null;
        }

        return new ToApisSubmitOutcomeUnknownException(
            businessId,
            $"An earlier run sent the submit for client_business_id '{businessId}' and never learned its outcome, and the service cannot say whether it created the task: " +
            $"it is not paid for again. The task may have been created: look it up with Get-ToApisTask -Id {businessId}; rerun with the same -RunKey (or -ClientBusinessId) to be safe, " +
            "or with -RetryUnknown to pay for it again.",
            null);
    }

    /// <summary>
    /// Whether a "not found" for a client_business_id means anything here: asked once per batch by looking up a
    /// task the journal knows exists. A service that cannot look ids up answers "not found" to everything.
    /// </summary>
    private Task<bool> ServiceLooksUpBusinessIdsAsync(CancellationToken cancellationToken)
    {
        lock (_probeGate)
        {
            return _serviceLooksUpBusinessIds ??= ProbeAsync();
        }

        async Task<bool> ProbeAsync()
        {
            if (_journal?.KnownTask is not { } known)
            {
                return false;
            }

            try
            {
                var found = await _client.FindTaskAsync(known.ClientBusinessId, cancellationToken).ConfigureAwait(false);
                _log.Verbose(found is null
                    ? $"The service does not find task {known.TaskId} by its client_business_id '{known.ClientBusinessId}': it cannot look ids up."
                    : $"The service finds tasks by client_business_id: its \"not found\" answers are trusted.");
                return found is not null;
            }
            catch (Exception error) when (error is ToApisApiException or ToApisTransportException)
            {
                return false;
            }
        }
    }

    /// <summary>Records a step of a row's submit; returns the failure instead of throwing (the row goes on).</summary>
    private Exception? Journal(string journalEvent, SubmitItem item, string? error = null) =>
        Journal(() => _journal?.RecordSubmit(journalEvent, item.Request.ClientBusinessId!, item.Request.Prompt, item.Request.Model, item.Row, error));

    private Exception? Journal(ToApisTask task, string journalEvent, SubmitItem item) =>
        Journal(() => _journal?.Record(journalEvent, task, details: item.JournalRow));

    private static Exception? Journal(Action record)
    {
        try
        {
            record();
            return null;
        }
        catch (Exception failed) when (LocalFileErrors.IsLocalFileError(failed) || failed is ObjectDisposedException)
        {
            return failed; // (disposed: the command ended while this submit was still finishing)
        }
    }

    private async Task<string> UploadAsync(LocalImage image, CancellationToken cancellationToken) =>
        (await _client.UploadAsync(image, null, cancellationToken).ConfigureAwait(false)).Url;

    private static ToApisTask WithLocalContext(ToApisTask task, SubmitItem item)
    {
        task.Prompt = item.Request.Prompt;
        task.Size = item.Request.Size;
        task.Model ??= item.Request.Model;
        task.ClientBusinessId ??= item.Request.ClientBusinessId;
        task.InputObject = item.Input;
        return task;
    }

    /// <summary>A completed task whose images can no longer be downloaded is worth nothing to a rerun.</summary>
    private static bool IsExpired(ToApisTask task) => task.IsCompleted && task.ExpiresAt <= DateTimeOffset.UtcNow;
}
