using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using ToApis.Client.Batches;
using ToApis.Client.Files;
using ToApis.Client.Journal;
using ToApis.Client.Wire;
using ToApis.Models;

namespace ToApis.Client.Submitting;

/// <summary>One row to submit: its checked request, the local images to upload first, the row itself and its number in the input.</summary>
/// <param name="DerivedId">The client_business_id was derived from -RunKey (unique per request), not given by the user.</param>
internal sealed record SubmitItem(
    object Input, GenerationRequest Request, IReadOnlyList<LocalImage> LocalImages, bool MayExist, int Row = 0, JournalRecord? JournalRow = null, bool DerivedId = false);

/// <summary>How one row ended: a task (created now, or <see cref="Reused"/> from an earlier run), or an error.</summary>
/// <param name="NotSent">The batch stopped before the request left this machine.</param>
/// <param name="JournalError">A journal record that could not be written (the row itself went on).</param>
internal sealed record SubmitOutcome(SubmitItem Item, ToApisTask? Task, bool Reused, Exception? Error, bool NotSent = false, Exception? JournalError = null);

/// <summary>
/// Submits one row: the item function a <see cref="BatchRunner{TItem,TResult}"/> runs for New-ToApisImage. It
/// reuses a live task an earlier run made for the row's client_business_id (<see cref="EarlierTasks"/>), uploads
/// local references once per command, and, with a journal, records <c>submitting</c> once the request has its
/// rate-limit slot and is about to be sent, and the end as soon as it is known, so a crash cannot hide a submit.
/// </summary>
/// <param name="journal">Records each submit; where the service cannot look a client_business_id up, remembers earlier runs' tasks.</param>
/// <param name="retryUnknown">Pays again for rows an earlier run left with an unknown outcome (-RetryUnknown).</param>
internal sealed class Submitter(ToApisClient client, IRequestLog log, RunJournal? journal, bool retryUnknown = false)
{
    private readonly EarlierTasks _earlier = new(client, log, journal, retryUnknown);
    private readonly ConcurrentDictionary<string, Task<string>> _uploads = new(StringComparer.Ordinal);

    /// <summary>How a runner runs submits: in input order, the window opening by one per task obtained.</summary>
    public static BatchOptions<SubmitOutcome> Options(int throttleLimit) => new()
    {
        ThrottleLimit = throttleLimit, InOrder = true, SlowStart = true, Succeeded = outcome => outcome.Task is not null, ErrorIn = outcome => outcome.Error,
    };

    /// <summary>Gives the row its client_business_id before it is queued, so every way the batch can end can name the row's task.</summary>
    public static SubmitItem Named(SubmitItem item)
    {
        item.Request.ClientBusinessId ??= BusinessIds.NewRandom();
        return item;
    }

    /// <summary>The row's outcome, however the runner ended it.</summary>
    public SubmitOutcome Settle(BatchOutcome<SubmitItem, SubmitOutcome> outcome) => outcome.End switch
    {
        ItemEnd.Returned => outcome.Result!,
        ItemEnd.NotStarted => new SubmitOutcome(outcome.Item, null, false, null, NotSent: true),
        ItemEnd.Unanswered => Unanswered(outcome.Item),
        _ => new SubmitOutcome(outcome.Item, null, false, outcome.Error),
    };

    public async Task<SubmitOutcome> SubmitAsync(SubmitItem item, BatchSignals batch)
    {
        var stopSending = batch.Stopping;
        var businessId = item.Request.ClientBusinessId!;
        var sending = false;
        try
        {
            if (item.MayExist)
            {
                var (existing, serviceSaysNone) = await _earlier.FindAsync(businessId, stopSending).ConfigureAwait(false);
                if (existing is not null && !existing.IsFailed && !(existing.IsCompleted && existing.ExpiresAt <= batch.Time.GetUtcNow()))
                {
                    log.Verbose($"Reusing task {existing.Id} ({existing.Status}) for client_business_id '{businessId}': not submitted again.");
                    var reused = WithLocalContext(existing, item);
                    return new SubmitOutcome(item, reused, Reused: true, Error: null) { JournalError = Journal(reused, JournalEvents.Reused, item) };
                }

                if (existing is null && await _earlier.LeftUnknownAsync(businessId, serviceSaysNone, stopSending).ConfigureAwait(false) is { } unknown)
                {
                    return new SubmitOutcome(item, null, false, unknown);
                }
            }

            // A row's references upload together (and each file once per run, shared with the rows in flight beside it).
            var uploads = item.LocalImages.Select(image => _uploads.GetOrAdd(image.Path, _ => UploadAsync(image, batch))).ToList();
            foreach (var upload in uploads)
            {
                item.Request.ImageUrls.Add(await upload.ConfigureAwait(false));
            }

            if (batch.Latched is { } ended)
            {
                return new SubmitOutcome(item, null, false, ended); // nothing further can succeed with this key
            }

            stopSending.ThrowIfCancellationRequested();
            var task = WithLocalContext(await client.SubmitAsync(item.Request, stopSending, batch.Aborted, OnSending).ConfigureAwait(false), item);
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
            // A submit that was sent and ended in an error either made no task (a refusal) or an unknown one.
            var journalError = !sending ? null
                : error is ToApisSubmitOutcomeUnknownException ? Journal(JournalEvents.Unknown, item, error.Message)
                : Journal(JournalEvents.NotSubmitted, item, error.Message);
            return new SubmitOutcome(item, null, false, error) { JournalError = journalError };
        }

        // The write-ahead line goes in once the request has its rate-limit slot and is about to go on the wire, so
        // a row killed while it waits behind the local pace leaves no line and is simply submitted on the rerun.
        // One line covers every attempt: no later line says the row was not sent, so a retry is already journaled.
        void OnSending()
        {
            if (sending)
            {
                return;
            }

            if (Journal(JournalEvents.Submitting, item) is { } notRecorded)
            {
                // Without its write-ahead line a crash could hide this submit: it is not sent.
                throw new ToApisFileException(
                    FileProblem.WriteFailed, journal!.Path,
                    $"Not submitted: the journal '{journal.Path}' could not record it first ({notRecorded.Message}).", notRecorded);
            }

            sending = true;
        }
    }

    /// <summary>The warning when a batch ends early with tasks not passed on, or submits unanswered; null when there are none.</summary>
    public static string? StoppedEarlyWarning(IReadOnlyList<ToApisTask> unseen, IReadOnlyList<ToApisSubmitOutcomeUnknownException> unknown)
    {
        if (unseen.Count + unknown.Count == 0)
        {
            return null;
        }

        var message = "New-ToApisImage stopped early.";
        if (unseen.Count > 0)
        {
            message += $" {unseen.Count} task(s) it created were not passed on (they are paid for and still run): " +
                string.Join("; ", unseen.Select(t => $"{t.Id} (client_business_id {t.ClientBusinessId})")) +
                $". Get them with Get-ToApisTask -Id {string.Join(",", unseen.Select(t => t.Id))}, or rerun with the same -RunKey to reuse them.";
        }

        if (unknown.Count > 0)
        {
            message += $" {unknown.Count} submit(s) had no answer yet, so their tasks may exist: client_business_id " +
                string.Join(", ", unknown.Select(u => u.ClientBusinessId)) + "; look them up with Get-ToApisTask -Id <client_business_id>.";
        }

        return message;
    }

    /// <summary>A submit still on the wire when the stop grace ended: its task may exist.</summary>
    private SubmitOutcome Unanswered(SubmitItem item)
    {
        var unknown = new ToApisSubmitOutcomeUnknownException(
            item.Request.ClientBusinessId!,
            $"The submit for client_business_id '{item.Request.ClientBusinessId}' had no answer when the command stopped: the task may have been created. " +
            $"Look it up with Get-ToApisTask -Id {item.Request.ClientBusinessId}; rerun with the same -RunKey (or -ClientBusinessId) to be safe.",
            null);
        return new SubmitOutcome(item, null, false, unknown) { JournalError = Journal(JournalEvents.Unknown, item, unknown.Message) };
    }

    /// <summary>Records a step of a row's submit; returns the failure instead of throwing (the row goes on).</summary>
    private Exception? Journal(string journalEvent, SubmitItem item, string? error = null) =>
        Journal(() => journal?.RecordSubmit(journalEvent, item.Request.ClientBusinessId!, item.Request.Prompt, item.Request.Model, item.Row, error));

    private Exception? Journal(ToApisTask task, string journalEvent, SubmitItem item) =>
        Journal(() => journal?.Record(journalEvent, task, details: item.JournalRow));

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

    private async Task<string> UploadAsync(LocalImage image, BatchSignals batch) =>
        (await client.UploadAsync(image, null, batch.Stopping).ConfigureAwait(false)).Url;

    private static ToApisTask WithLocalContext(ToApisTask task, SubmitItem item)
    {
        task.Prompt = item.Request.Prompt;
        task.Size = item.Request.Size;
        task.Model ??= item.Request.Model;
        task.ClientBusinessId ??= item.Request.ClientBusinessId;
        task.RowNumber = item.Row > 0 ? item.Row : task.RowNumber;
        task.InputObject = item.Input;
        return task;
    }
}
