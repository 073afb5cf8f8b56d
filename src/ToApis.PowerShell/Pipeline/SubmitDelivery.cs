using System;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using ToApis.Binding;
using ToApis.Client;
using ToApis.Client.Batches;
using ToApis.Client.Submitting;
using ToApis.Commands;
using ToApis.Errors;
using ToApis.Models;

namespace ToApis.Pipeline;

/// <summary>
/// New-ToApisImage's rows once handed over: the runner that submits them, what each submit's end means for the
/// output (the task, the row's error, submitting stopped, the command ended), and, however the command ends,
/// every task paid for passed on or named. Used on the pipeline thread.
/// </summary>
internal sealed class SubmitDelivery : IDisposable
{
    /// <summary>How long submits already on the wire may take to answer when the command ends early.</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    private readonly NewToApisImageCommand _command;
    private Submitter? _submitter;
    private SpendingStop? _spendingStopped;
    private bool _endedEarly;

    public SubmitDelivery(NewToApisImageCommand command, int throttleLimit, CancellationToken cancel)
    {
        _command = command;
        Runner = new BatchRunner<SubmitItem, SubmitOutcome>((item, batch) => _submitter!.SubmitAsync(item, batch), Submitter.Options(throttleLimit), cancel);
    }

    /// <summary>Why submitting stopped mid-run (the key refused, the balance empty), from which row, and how many rows it left unsubmitted.</summary>
    private sealed record SpendingStop(Exception Cause, InputRow FirstRow, object FirstInput)
    {
        public int RowsNotSubmitted { get; set; }
    }

    public BatchRunner<SubmitItem, SubmitOutcome> Runner { get; }

    public BatchTally Tally => Runner.Tally;

    /// <summary>What stopped submitting, if it stopped: later rows are accounted for (<see cref="NotSubmitted"/>), never sent.</summary>
    public Exception? SpendingStoppedBy => _spendingStopped?.Cause;

    /// <summary>The submitter is made (with -RunKey, the run key locked) for the first item.</summary>
    public void Add(SubmitItem item)
    {
        _submitter ??= _command.MakeSubmitter();
        Runner.Add(Submitter.Named(item));
    }

    public string RunState() => Tally.RunState("New-ToApisImage", "row", "never tried", $"Rows after row {Tally.Read} were not read.");

    public void Write(BatchOutcome<SubmitItem, SubmitOutcome> ended)
    {
        var outcome = _submitter!.Settle(ended);
        ReportJournalFailure(outcome);
        if (outcome.Task is { } task)
        {
            _command.WriteObject(TaskOutput.ToPSObject(task));
            return;
        }

        var error = outcome.Error ?? new OperationCanceledException();
        var row = new InputRow(outcome.Item.Row, outcome.Item.Input);
        var kind = Outcomes.Classify(error);
        if (kind == OutcomeClass.UnknownOutcome)
        {
            _command.WriteItemError(ErrorRecords.From(error, outcome.Item.Input), row);
        }

        if (Outcomes.OutageBehind(error) is { } unavailable)
        {
            // The service is down: nothing further can succeed. Account for what is under way, then stop as a whole.
            EndEarly(canWrite: true);
            _command.ThrowTerminatingError(ErrorRecords.ServiceUnavailable(unavailable, outcome.Item.Input, RunState()));
        }

        switch (kind)
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

        _command.WriteFailure(error, outcome.Item.Input, row);
    }

    /// <summary>A row not submitted because submitting stopped: journaled as failed (so Get-ToApisRun offers it again), reported once at the end.</summary>
    public void NotSubmitted(Exception cause, object input)
    {
        _spendingStopped!.RowsNotSubmitted++;
        Tally.ItemFailed(cause);
        _command.OnItemFailed(ErrorRecords.From(cause, input));
    }

    /// <summary>All rows are in and drained: the one error that names the rows a stop of spending left unsubmitted.</summary>
    public void End()
    {
        if (_spendingStopped is { } stopped)
        {
            _command.WriteError(ErrorRecords.ForRow(ErrorRecords.SubmittingStopped(stopped.Cause, stopped.FirstInput, stopped.RowsNotSubmitted, Tally.Done), stopped.FirstRow));
        }
    }

    /// <summary>
    /// Sends nothing more, waits briefly for submits on the wire, and accounts for every task created but not
    /// passed on: emitted when the pipeline still takes output, else journaled and named in one warning.
    /// </summary>
    public void EndEarly(bool canWrite)
    {
        if (_submitter is null || _endedEarly)
        {
            return;
        }

        _endedEarly = true;
        var left = Runner.Stop(StopGrace).Select(_submitter.Settle).ToList();
        foreach (var outcome in left.Where(o => o.Task is null && !o.NotSent && o.Error is not null))
        {
            Tally.ItemFailed(outcome.Error);
        }

        foreach (var outcome in canWrite ? left : [])
        {
            ReportJournalFailure(outcome);
            if (outcome.Task is { } task)
            {
                Tally.ItemDone();
                _command.WriteObject(TaskOutput.ToPSObject(task));
            }
        }

        var unseen = canWrite ? [] : left.Select(o => o.Task).OfType<ToApisTask>().ToList();
        if (Submitter.StoppedEarlyWarning(unseen, left.Select(o => o.Error).OfType<ToApisSubmitOutcomeUnknownException>().ToList()) is { } warning)
        {
            WriteWarningEvenWhileStopping(warning);
        }
    }

    public void Dispose() => Runner.Dispose();

    /// <summary>
    /// A warning about paid work left behind, which a user must not miss: while the pipeline is being stopped the
    /// stream refuses records, but the host still shows a line.
    /// </summary>
    private void WriteWarningEvenWhileStopping(string message)
    {
        try
        {
            _command.WriteWarning(message);
        }
        catch (PipelineStoppedException)
        {
            try
            {
                _command.Host?.UI?.WriteWarningLine(message);
            }
            catch (Exception)
            {
                // No host to tell: the journal, where given, still holds the record.
            }
        }
    }

    private void ReportJournalFailure(SubmitOutcome outcome) =>
        _command.WriteJournalFailure(outcome.JournalError, outcome.Item.Input, $"Row {outcome.Item.Row} (client_business_id {outcome.Item.Request.ClientBusinessId})");
}
