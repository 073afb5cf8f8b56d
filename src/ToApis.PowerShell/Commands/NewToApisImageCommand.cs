using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ToApis.Client;
using ToApis.Client.Batches;
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
/// binds and writes; a <see cref="BatchRunner{TItem,TResult}"/> runs <see cref="Submitter"/> for each row.
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

    private BatchRunner<SubmitItem, SubmitOutcome>? _runner;
    private Submitter? _submitter;
    private ProgressReporter? _progress;
    private RequestFingerprint? _fingerprint;
    private RunLock? _runKeyLock;
    private readonly BusinessIdClaims _businessIds = new();
    private bool _endedEarly;
    private SpendingStop? _spendingStopped;

    /// <summary>Why submitting stopped mid-run (the key refused, the balance empty), from which row, and how many rows it left unsubmitted.</summary>
    private sealed record SpendingStop(Exception Cause, InputRow FirstRow, object FirstInput)
    {
        public int RowsNotSubmitted { get; set; }
    }

    /// <summary>Made before the first submit; with -RunKey, that is when the run key's lock is taken (-WhatIf takes none).</summary>
    private Submitter Submitter
    {
        get
        {
            if (_submitter is null && RunKey is not null)
            {
                // Two runs of one run key at once would both find a row missing and both pay for it.
                _runKeyLock = TakeRunLock(RunLock.PathForRunKey(RunKey, ActiveSession.BaseUri), $"The run key '{RunKey}'");
            }

            return _submitter ??= new Submitter(Client, RequestLog, RunJournal, RetryUnknown);
        }
    }

    private BatchTally Tally => _runner!.Tally;

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        _progress = new ProgressReporter(this, activityId: 1, "Submitting image tasks");
        _runner = new BatchRunner<SubmitItem, SubmitOutcome>((item, batch) => _submitter!.SubmitAsync(item, batch), Submitter.Options(ThrottleLimit), CancelToken);
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
        var input = InputObject?.BaseObject is string || InputObject is null ? (object)Prompt : InputObject;
        TrackJournalRow(input);
        var row = new InputRow(Tally.Read + 1, input);
        if (_spendingStopped is { } stopped)
        {
            // Nothing more is submitted; tasks already paid for still flow on to be delivered.
            Tally.ItemRead();
            NotSubmitted(stopped.Cause, input);
            return;
        }

        SubmitItem item;
        try
        {
            item = Prepare(input, row);
        }
        catch (Exception invalid) when (invalid is ToApisValidationException or ToApisFileException)
        {
            Tally.ItemRead();
            Tally.ItemFailed(invalid);
            WriteFailure(invalid, input, row);
            return;
        }

        if (item.Request.ClientBusinessId is { } given && !item.DerivedId)
        {
            var (claim, firstRow) = _businessIds.Claim(given, item.Request, item.LocalImages.Select(i => i.Content), row.Number);
            if (claim == BusinessIdClaim.Conflict)
            {
                Tally.ItemRead();
                Tally.ItemFailed(null);
                WriteItemError(ErrorRecords.DuplicateClientBusinessId(given, firstRow, input), row);
                return;
            }

            if (claim == BusinessIdClaim.SameRequest)
            {
                Tally.ItemRead();
                Tally.ItemDone();
                WriteRowWarning($"it asks for the same request as row {firstRow} under the same client_business_id '{given}': it reuses that row's task (not submitted, and not passed on a second time).", row);
                return;
            }
        }

        if (ShouldProcess($"'{GenerationRequestFactory.Shorten(item.Request.Prompt)}' with {item.Request.Model}", "Submit image generation (uses credits)"))
        {
            _ = Submitter;
            _runner!.Add(Submitter.Named(item));
        }
        else
        {
            Tally.ItemRead();
        }

        // Read no further while the window is full: a downstream Select-Object -First then stops before more is sent.
        EndingEarlyOnAnyFailure(() => Drain(DrainUntil.Room), () => EndEarly(canWrite: false));
    }

    protected override void EndProcessing()
    {
        _runner!.CompleteAdding();
        EndingEarlyOnAnyFailure(() => Drain(DrainUntil.Drained), () => EndEarly(canWrite: false));
        if (_spendingStopped is { } stopped)
        {
            WriteError(ErrorRecords.ForRow(ErrorRecords.SubmittingStopped(stopped.Cause, stopped.FirstInput, stopped.RowsNotSubmitted, Tally.Done), stopped.FirstRow));
        }

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
            _runner?.Dispose();
            _runKeyLock?.Dispose();
            base.OnDisposing();
        }
    }

    protected override string RunState() =>
        Tally.RunState("New-ToApisImage", "row", "never tried", $"Rows after row {Tally.Read} were not read.");

    private SubmitItem Prepare(object input, InputRow row)
    {
        var (given, localImages) = ReadRequest();
        var warnings = new List<string>();
        var request = GenerationRequestFactory.Build(given, warnings);
        warnings.AddRange(EncodingWarning() is { } garbled ? new[] { garbled } : Array.Empty<string>());
        warnings.ForEach(warning => WriteRowWarning(warning, row));

        // A known id (given, or derived from -RunKey) may already name a task from an earlier run.
        var mayExist = request.ClientBusinessId is not null || RunKey is not null;
        var derived = request.ClientBusinessId is null && RunKey is not null;
        if (derived)
        {
            _fingerprint ??= new RequestFingerprint(RunKey!);
            request.ClientBusinessId = _fingerprint.BusinessIdFor(request, localImages.Select(i => i.Content));
        }

        return new SubmitItem(input, request, localImages, mayExist, row.Number, JournalRowOf(input)) { DerivedId = derived };
    }

    private void Drain(DrainUntil until)
    {
        Drain(_runner!, outcome => Emit(_submitter!.Settle(outcome)), until);
        _progress?.Report(Tally.Progress("submitted"), Tally.Done + Tally.Failed, Tally.Read);
    }

    private void Emit(SubmitOutcome outcome)
    {
        ReportJournalFailure(outcome);
        if (outcome.Task is { } task)
        {
            WriteTask(task);
            return;
        }

        var error = outcome.Error ?? new OperationCanceledException();
        var row = new InputRow(outcome.Item.Row, outcome.Item.Input);
        if (Outcomes.Classify(error) == OutcomeClass.UnknownOutcome)
        {
            WriteItemError(ErrorRecords.From(error, outcome.Item.Input), row);
        }

        if (Outcomes.OutageBehind(error) is { } unavailable)
        {
            // The service is down: nothing further can succeed. Account for what is under way, then stop as a whole.
            EndEarly(canWrite: true);
            ThrowTerminatingError(ErrorRecords.ServiceUnavailable(unavailable, outcome.Item.Input, RunState()));
        }

        switch (Outcomes.Classify(error))
        {
            case OutcomeClass.UnknownOutcome:
                return;
            case OutcomeClass.EndsCommand when Tally.Done > 0 || _spendingStopped is not null:
                // Tasks were paid for: stop spending, not delivering. The rows left are reported once, at the end.
                _spendingStopped ??= new SpendingStop(error, row, outcome.Item.Input);
                NotSubmitted(error, outcome.Item.Input);
                return;
            case OutcomeClass.EndsCommand:
                // Nothing was paid for (the first submit was refused): the command ends here.
                EndEarly(canWrite: true);
                break;
        }

        WriteFailure(error, outcome.Item.Input, row);
    }

    /// <summary>A row not submitted because submitting stopped: journaled as failed (so Get-ToApisRun offers it again), reported once at the end.</summary>
    private void NotSubmitted(Exception cause, object input)
    {
        _spendingStopped!.RowsNotSubmitted++;
        Tally.ItemFailed(cause);
        OnItemFailed(ErrorRecords.From(cause, input));
    }

    private void ReportJournalFailure(SubmitOutcome outcome) =>
        WriteJournalFailure(outcome.JournalError, outcome.Item.Input, $"Row {outcome.Item.Row} (client_business_id {outcome.Item.Request.ClientBusinessId})");

    /// <summary>
    /// Sends nothing more, waits briefly for submits on the wire, and accounts for every task created but not
    /// passed on: emitted when the pipeline still takes output, else journaled and named in one warning.
    /// </summary>
    private void EndEarly(bool canWrite)
    {
        if (_submitter is null || _runner is null || _endedEarly)
        {
            return;
        }

        _endedEarly = true;
        var left = _runner.Stop(StopGrace).Select(_submitter.Settle).ToList();
        var paid = left.Where(o => o.Task is not null).Select(o => o.Task!).ToList();
        var unknown = left.Select(o => o.Error).OfType<ToApisSubmitOutcomeUnknownException>().ToList();
        foreach (var outcome in left.Where(o => o.Task is null && !o.NotSent && o.Error is not null))
        {
            Tally.ItemFailed(outcome.Error);
        }

        foreach (var outcome in canWrite ? left : new List<SubmitOutcome>())
        {
            ReportJournalFailure(outcome);
            if (outcome.Task is { } task)
            {
                Tally.ItemDone();
                WriteTask(task);
            }
        }

        if (Submitter.StoppedEarlyWarning(canWrite ? new List<ToApisTask>() : paid, unknown) is { } warning)
        {
            WriteWarningEvenWhileStopping(warning);
        }
    }
}
