using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ToApis.Client.Files;
using ToApis.Client.Wire;
using ToApis.Models;

namespace ToApis.Client.Submitting;

/// <summary>One row to submit: its checked request, the local images to upload first, and the row itself.</summary>
internal sealed record SubmitItem(object Input, GenerationRequest Request, IReadOnlyList<LocalImage> LocalImages, bool MayExist);

/// <summary>
/// How one row ended: a task (created now, or <see cref="Reused"/> from an earlier run), or an error.
/// <see cref="NotSent"/> means the batch stopped before the request left this machine.
/// </summary>
internal sealed record SubmitOutcome(SubmitItem Item, ToApisTask? Task, bool Reused, Exception? Error, bool NotSent = false);

/// <summary>
/// Submits a batch of rows concurrently and hands their outcomes back in input order. It owns what one
/// New-ToApisImage run needs and nothing of PowerShell: the reuse lookup (a row whose client_business_id
/// already has a live task is not paid again), the upload-once cache for local references, the in-flight
/// window, and the end of the batch, which never sends what was not yet sent and never loses a task that
/// was created.
/// </summary>
internal sealed class SubmitEngine : IDisposable
{
    private readonly ToApisClient _client;
    private readonly IRequestLog _log;
    private readonly Func<string, string?>? _journalTaskIdFor;
    private readonly int _throttleLimit;
    private readonly CancellationTokenSource _stopSending;
    private readonly CancellationTokenSource _abort = new();
    private readonly ConcurrentDictionary<string, Task<string>> _uploads = new(StringComparer.Ordinal);
    private readonly Queue<(SubmitItem Item, Task<SubmitOutcome> Work)> _window = new();
    private int _created;
    private Exception? _fatal;

    /// <param name="journalTaskIdFor">Where the service cannot look a client_business_id up, the task id an earlier run's journal recorded for it.</param>
    /// <param name="commandToken">Cancelled when the command is stopped: nothing further is sent.</param>
    public SubmitEngine(
        ToApisClient client, IRequestLog log, Func<string, string?>? journalTaskIdFor, int throttleLimit, CancellationToken commandToken)
    {
        _client = client;
        _log = log;
        _journalTaskIdFor = journalTaskIdFor;
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

    private static SubmitOutcome Unanswered(SubmitItem item) => new(
        item, null, false,
        new ToApisSubmitOutcomeUnknownException(
            item.Request.ClientBusinessId!,
            $"The submit for client_business_id '{item.Request.ClientBusinessId}' had no answer when the command stopped: the task may have been created.",
            null));

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
        try
        {
            // Off the pipeline thread at once: the caller goes on reading input.
            await Task.Yield();
            if (item.MayExist && await FindEarlierTaskAsync(item.Request.ClientBusinessId!, stopSending).ConfigureAwait(false) is { } existing
                && !existing.IsFailed && !IsExpired(existing))
            {
                _log.Verbose($"Reusing task {existing.Id} ({existing.Status}) for client_business_id '{item.Request.ClientBusinessId}': not submitted again.");
                return new SubmitOutcome(item, WithLocalContext(existing, item), Reused: true, Error: null);
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

            var task = await _client.SubmitAsync(item.Request, stopSending, _abort.Token).ConfigureAwait(false);
            return new SubmitOutcome(item, WithLocalContext(task, item), Reused: false, Error: null);
        }
        catch (OperationCanceledException) when (stopSending.IsCancellationRequested)
        {
            return new SubmitOutcome(item, null, false, null, NotSent: true);
        }
        catch (Exception error)
        {
            if (error is ToApisApiException { IsFatalForSession: true })
            {
                Interlocked.CompareExchange(ref _fatal, error, null);
            }

            return new SubmitOutcome(item, null, false, error);
        }
    }

    /// <summary>
    /// The task an earlier run made for this id: asked of the service first; where the service cannot answer
    /// a lookup by client_business_id, the journal's record of the task id is used.
    /// </summary>
    private async Task<ToApisTask?> FindEarlierTaskAsync(string clientBusinessId, CancellationToken cancellationToken)
    {
        try
        {
            if (await _client.FindTaskAsync(clientBusinessId, cancellationToken).ConfigureAwait(false) is { } found)
            {
                return found;
            }
        }
        catch (ToApisApiException refused) when (refused.Kind == ApiErrorKind.InvalidRequest)
        {
            _log.Verbose($"The service cannot look tasks up by client_business_id ({refused.Message}).");
        }

        return _journalTaskIdFor?.Invoke(clientBusinessId) is { } taskId
            ? await _client.FindTaskAsync(taskId, cancellationToken).ConfigureAwait(false)
            : null;
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
