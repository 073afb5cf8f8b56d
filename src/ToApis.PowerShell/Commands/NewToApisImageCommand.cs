using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ToApis.Client;
using ToApis.Client.Journal;
using ToApis.Client.Submitting;
using ToApis.Client.Wire;
using ToApis.Errors;
using ToApis.Models;
using ToApis.Pipeline;

namespace ToApis.Commands;

/// <summary>
/// Submits one image-generation task per prompt or input row and emits the task at once (it runs on the
/// server; pipe to Wait-ToApisTask). Every value is checked before anything is sent or spent. The cmdlet
/// binds and writes; <see cref="SubmitEngine"/> submits.
/// </summary>
[Cmdlet(VerbsCommon.New, "ToApisImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ToApisTask))]
public sealed class NewToApisImageCommand : ImageRequestCmdletBase
{
    /// <summary>How long submits already on the wire may take to answer when the command ends early.</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Makes the run safe to repeat: each row's client_business_id is derived from this key and the row's
    /// request (prompt, model, size, parameters, reference images by content), and before submitting, the
    /// task with that id is looked up. Rerunning the same input with the same key (after a crash, a stop or
    /// a timeout) reuses the tasks that exist instead of paying for them again; only failed or missing ones
    /// are submitted. An explicit -ClientBusinessId (or column) is used as is and looked up the same way.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RunKey { get; set; }

    /// <summary>
    /// Submits in flight at once while input keeps arriving (each still paced by the account's rate limit):
    /// enough for the fastest tier when answers take a second, or a refused submit waits out its Retry-After.
    /// Tasks are emitted in input order.
    /// </summary>
    [Parameter]
    [ValidateRange(1, 256)]
    public int ThrottleLimit { get; set; } = 64;

    /// <summary>
    /// Pays again for rows whose submit an earlier run sent without learning the outcome (it was killed, or the
    /// service could not be asked), where the service cannot say whether that task exists. Without it such rows
    /// are reported as ToApis.SubmitOutcomeUnknown and not paid for again.
    /// </summary>
    [Parameter]
    public SwitchParameter RetryUnknown { get; set; }

    private SubmitEngine? _engine;
    private ProgressReporter? _progress;
    private RequestFingerprint? _fingerprint;
    private RunLock? _runKeyLock;
    private bool _endedEarly;
    private readonly SubmitTally _tally = new();

    /// <summary>Made before the first submit; with -RunKey, that is when the run key's lock is taken (-WhatIf takes none).</summary>
    private SubmitEngine Engine
    {
        get
        {
            if (_engine is null && RunKey is not null)
            {
                // Two runs of one run key at once would both find a row missing and both pay for it.
                _runKeyLock = TakeRunLock(RunLock.PathForRunKey(RunKey, ActiveSession.BaseUri), $"The run key '{RunKey}'");
            }

            return _engine ??= new SubmitEngine(Client, RequestLog, RunJournal, ThrottleLimit, CancelToken, RetryUnknown);
        }
    }

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        _progress = new ProgressReporter(this, activityId: 1, "Submitting image tasks");
        if (RecordBalance(BalanceReadings.Start) is { UnlimitedQuota: false, RemainCredits: { } left })
        {
            WarnIfCreditIsShort(left);
        }
    }

    /// <summary>
    /// Before anything is spent: a warning when the credit left cannot pay for the rows this journal knows are
    /// still to be paid for, at the cost per image its earlier runs measured.
    /// </summary>
    private void WarnIfCreditIsShort(decimal creditsLeft)
    {
        if (RunSummary.Read(RunJournal!.Path).ExpectedSpendOfRerun() is { } expected && expected.Credits > creditsLeft)
        {
            WriteWarning(
                $"The key has {ToApisRunCost.Number(creditsLeft)} credits left, but the {expected.Rows} row(s) of the journal {Journal} still to be paid for " +
                $"will likely cost about {ToApisRunCost.Number(expected.Credits)} at the last known cost per image. Submitting stops when the credit runs out; " +
                "top up first, or run now and again after topping up with the same -RunKey: rows already paid for are not paid again.");
        }
    }

    protected override void ProcessRecord()
    {
        _tally.RowRead();
        var input = InputObject?.BaseObject is string || InputObject is null ? (object)Prompt : InputObject;
        TrackJournalRow(input);
        var row = new InputRow(_tally.Read, input);
        SubmitItem item;
        try
        {
            item = Prepare(input, row);
        }
        catch (Exception invalid) when (invalid is ToApisValidationException or ToApisFileException)
        {
            _tally.RowRefused();
            WriteFailure(invalid, input, row);
            return;
        }

        if (ShouldProcess($"'{GenerationRequestFactory.Shorten(item.Request.Prompt)}' with {item.Request.Model}", "Submit image generation (uses credits)"))
        {
            Engine.Start(item);
        }

        EndingEarlyOnAnyFailure(() => EmitFinished(all: false), () => EndEarly(canWrite: false));
    }

    protected override void EndProcessing()
    {
        EndingEarlyOnAnyFailure(() => EmitFinished(all: true), () => EndEarly(canWrite: false));
        _progress?.Complete();
        base.EndProcessing();
    }

    /// <summary>A stop that no catch above ran into (the pipeline is being torn down): keep the record straight.</summary>
    protected override void OnDisposing()
    {
        try
        {
            EndEarly(canWrite: false);
        }
        finally
        {
            _runKeyLock?.Dispose();
            base.OnDisposing();
        }
    }

    protected override string RunState() => _tally.RunState();

    private SubmitItem Prepare(object input, InputRow row)
    {
        var (given, localImages) = ReadRequest();
        var warnings = new List<string>();
        var request = GenerationRequestFactory.Build(given, warnings);
        warnings.AddRange(EncodingWarning() is { } garbled ? new[] { garbled } : Array.Empty<string>());
        warnings.ForEach(warning => WriteRowWarning(warning, row));

        // A known id (given, or derived from -RunKey) may already name a task from an earlier run.
        var mayExist = request.ClientBusinessId is not null || RunKey is not null;
        if (request.ClientBusinessId is null && RunKey is not null)
        {
            _fingerprint ??= new RequestFingerprint(RunKey);
            request.ClientBusinessId = _fingerprint.BusinessIdFor(request, localImages.Select(i => i.Content));
        }

        return new SubmitItem(input, request, localImages, mayExist, row.Number, JournalRowOf(input));
    }

    /// <summary>Writes finished submits in input order; waits for the oldest only while the window is full (or at the end).</summary>
    private void EmitFinished(bool all)
    {
        Mailbox.RunPending();
        while (_engine is { InFlight: > 0 } engine)
        {
            if (!engine.OldestIsDone)
            {
                if (!all && !engine.IsFull)
                {
                    break;
                }

                WaitFor(engine.Oldest);
            }

            Emit(engine.TakeOldest());
        }

        _progress?.Report(_tally.Progress, _tally.Submitted + _tally.Failed, _tally.Read);
    }

    private void Emit(SubmitOutcome outcome)
    {
        ReportJournalFailure(outcome);
        if (outcome.Task is { } task)
        {
            _tally.TaskPassedOn();
            WriteTask(task);
            return;
        }

        var error = outcome.Error ?? new OperationCanceledException();
        var unavailable = SubmitTally.ServiceUnavailableBehind(error);
        _tally.RowEnded(error);
        if (error is ToApisSubmitOutcomeUnknownException unknown)
        {
            WriteItemError(ErrorRecords.From(unknown, outcome.Item.Input), new InputRow(outcome.Item.Row, outcome.Item.Input));
        }

        if (unavailable is not null)
        {
            // The service is down: nothing further can succeed. Account for what is under way, then stop as a whole.
            EndEarly(canWrite: true);
            ThrowTerminatingError(ErrorRecords.ServiceUnavailable(unavailable, outcome.Item.Input, RunState()));
        }

        if (error is ToApisSubmitOutcomeUnknownException)
        {
            return;
        }

        if (error is ToApisApiException { IsFatalForSession: true })
        {
            // Submits already under way may have been charged: pass them on before the command ends.
            EndEarly(canWrite: true);
        }

        WriteFailure(error, outcome.Item.Input, new InputRow(outcome.Item.Row, outcome.Item.Input));
    }

    private void ReportJournalFailure(SubmitOutcome outcome) =>
        WriteJournalFailure(outcome.JournalError, outcome.Item.Input, $"Row {outcome.Item.Row} (client_business_id {outcome.Item.Request.ClientBusinessId})");

    /// <summary>
    /// Sends nothing more, waits briefly for submits on the wire, and accounts for every task created but not
    /// passed on: emitted when the pipeline still takes output, else journaled and named in one warning.
    /// </summary>
    private void EndEarly(bool canWrite)
    {
        if (_engine is null || _endedEarly)
        {
            return;
        }

        _endedEarly = true;
        var left = _engine.Stop(StopGrace);
        var paid = left.Where(o => o.Task is not null).Select(o => o.Task!).ToList();
        var unknown = left.Select(o => o.Error).OfType<ToApisSubmitOutcomeUnknownException>().ToList();
        foreach (var outcome in left.Where(o => o.Task is null && !o.NotSent && o.Error is not null))
        {
            _tally.RowEnded(outcome.Error!);
        }

        foreach (var outcome in canWrite ? left : new List<SubmitOutcome>())
        {
            ReportJournalFailure(outcome);
            if (outcome.Task is { } task)
            {
                _tally.TaskPassedOn();
                WriteTask(task);
            }
        }

        if (SubmitTally.StoppedWith(canWrite ? new List<ToApisTask>() : paid, unknown) is { } warning)
        {
            WriteWarningEvenWhileStopping(warning);
        }
    }
}
