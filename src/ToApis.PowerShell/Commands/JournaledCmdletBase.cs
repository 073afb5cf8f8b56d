using System;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using ToApis.Client;
using ToApis.Client.Journal;
using ToApis.Errors;
using ToApis.Journaling;
using ToApis.Models;

namespace ToApis.Commands;

/// <summary>
/// Base of the bulk-run cmdlets (New, Wait, Save) and their shared -Journal: one run at a time (another process
/// waits), one line per failed item, and the run's closing line from the last of a pipeline's cmdlets to end.
/// </summary>
public abstract class JournaledCmdletBase : ToApisCmdletBase
{
    /// <summary>The tags of the closing line, for -InformationAction and Azure Automation's output.</summary>
    private static readonly string[] SummaryTags = { "ToApis", "Summary" };

    private readonly string _runId = Guid.NewGuid().ToString("N").Substring(0, 12);
    private readonly ConditionalWeakTable<object, JournalRecord> _rows = new();
    private int _rowsRead;
    private JournalParticipants? _participation;

    /// <summary>
    /// Appends what happened to each task to this JSON-lines file (submitting, submitted, reused, completed, failed,
    /// saved, …), and on a rerun uses it to find earlier tasks and files where the service cannot be asked.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Journal { get; set; }

    /// <summary>
    /// How long to wait for another run (another PowerShell process) that holds the same -Journal, or for
    /// New-ToApisImage the same -RunKey, before giving up with ToApis.RunInProgress. 0 does not wait.
    /// </summary>
    [Parameter]
    [ValidateRange(0, 86400)]
    public int LockTimeoutSec { get; set; } = 60;

    internal RunJournal? RunJournal { get; private set; }

    /// <summary>Opens the journal; a journal held by another run is waited for, then the command ends.</summary>
    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        if (Journal is not null)
        {
            RunJournal = OpenJournal(Journal);
            _participation = new JournalParticipants(Runspace.DefaultRunspace?.InstanceId, RunJournal.Path);
            var cmdlet = MyInvocation.MyCommand.Name;
            RecordOrWarn(() => RunJournal.RecordStep(cmdlet), $"that {cmdlet} began", ", so a row it never gets may count as done");
        }
    }

    protected override void EndProcessing()
    {
        if (_participation?.Leave() == true)
        {
            WriteClosingLine();
        }
    }

    /// <summary>
    /// Takes a lock for this run, waiting (with a verbose message) for a run of another process that holds it;
    /// a run still holding it after -LockTimeoutSec ends the command, naming the holder.
    /// </summary>
    internal RunLock TakeRunLock(string lockFile, string resource) =>
        WhileWaitingForAnotherRun(() => RunLock.Acquire(lockFile, resource, MyInvocation.MyCommand.Name, LockTimeout, WriteVerbose, CancelToken));

    private TimeSpan LockTimeout => TimeSpan.FromSeconds(LockTimeoutSec);

    /// <summary>Records one step, on the pipeline thread; a failed write is this item's error, never its end.</summary>
    internal void RecordInJournal(string journalEvent, ToApisTask task, string? file = null, int? imageIndex = null) =>
        WriteJournalFailure(JournalError(() => RunJournal?.Record(journalEvent, task, file, imageIndex)), task, $"Task {task.Id} ({journalEvent})");

    /// <summary>A step of <paramref name="what"/> could not be recorded (<paramref name="error"/>, if any); the item itself went on.</summary>
    internal void WriteJournalFailure(Exception? error, object? target, string what)
    {
        if (error is not null)
        {
            WriteError(ErrorRecords.JournalWriteFailed(error, what, Journal, target));
        }
    }

    protected override void OnDisposing()
    {
        _participation?.Leave();
        RunJournal?.Release();
        RunJournal = null;
        base.OnDisposing();
    }

    /// <summary>Numbers an input row and keeps its columns for the journal's lines about it (pipeline thread, input order).</summary>
    internal void TrackJournalRow(object input)
    {
        if (Journal is not null)
        {
            _rows.Remove(input);
            _rows.Add(input, RowRecord(input) with { RowNumber = ++_rowsRead, RunId = _runId, RetryOf = JournalRows.RetryOf(input) });
        }
    }

    /// <summary>The row tracked for this input object, as the part of a journal line about it (any thread).</summary>
    internal JournalRecord? JournalRowOf(object? input) =>
        input is not null && _rows.TryGetValue(input, out var row) ? row : null;

    /// <summary>
    /// Journals the failure as one line, with the input row, so Get-ToApisRun can offer the row again: a failed or
    /// timed-out task's line says so by its event, any other failure is an error line.
    /// </summary>
    internal override void OnItemFailed(ErrorRecord record)
    {
        if (RunJournal is null)
        {
            return;
        }

        var task = record.TargetObject as ToApisTask;
        var input = task is null ? record.TargetObject : task.InputObject;
        // Called before the record is written, so it is still the bare ErrorId: only writing appends ",<command>".
        var errorId = record.FullyQualifiedErrorId;
        var details = (JournalRowOf(input) ?? RowRecord(input)) with
        {
            Cmdlet = MyInvocation.MyCommand.Name,
            ErrorId = errorId,
            ErrorMessage = record.ErrorDetails?.Message ?? record.Exception.Message,
            RecommendedAction = record.ErrorDetails?.RecommendedAction,
        };
        // Warned, not raised: this item's own error is about to be written, and must not be lost.
        RecordOrWarn(() => RunJournal.Record(JournalEvents.ForFailure(errorId), task ?? new ToApisTask(), details: details), "the error");
    }

    private static JournalRecord RowRecord(object? input) => new(JournalEvents.Error) { Row = input is null ? null : JournalRows.Columns(input) };

    /// <summary>No cmdlet of a pipeline that ends as a whole (bad key, no balance) reaches its end: this one says how the run stands.</summary>
    protected override void OnEndingAsAWhole()
    {
        if (_participation?.Leave() is not null)
        {
            WriteClosingLine();
        }
    }

    /// <summary>
    /// Journals the key's balance (one request) at the start or end of the run (<see cref="BalanceReadings"/>),
    /// so the run can say what it cost. Nothing else depends on it: a balance the service cannot give now is a
    /// warning, and the run goes on.
    /// </summary>
    internal ToApisBalance? RecordBalance(string at)
    {
        if (RunJournal is null)
        {
            return null;
        }

        ToApisBalance balance;
        try
        {
            balance = Await(Client.GetBalanceAsync(wholeAccount: false, CancelToken));
        }
        catch (Exception unavailable) when (unavailable is not PipelineStoppedException)
        {
            // Any failure of this optional reading, whatever its kind, costs only the figure it would have given.
            WriteWarning($"Could not read the key's balance at the {at} of the run, so what the run cost will not be shown: {unavailable.Message}");
            return null;
        }

        RecordOrWarn(() => RunJournal.RecordBalance(at, balance), $"the key's balance at the {at} of the run", ", so what the run cost will not be shown");
        return balance;
    }

    /// <summary>
    /// A line about the run rather than one item (a step, the balance, an error already being reported): one it
    /// cannot record is a warning, since each row's own lines report the journal's trouble as errors.
    /// </summary>
    private void RecordOrWarn(Action record, string what, string consequence = "")
    {
        if (JournalError(record) is { } error)
        {
            WriteWarning($"Could not record {what} in the journal {Journal}{consequence}: {error.Message}");
        }
    }

    /// <summary>Runs a read or write of the journal; the file's trouble is returned, to be reported as the caller sees fit.</summary>
    private static Exception? JournalError(Action access)
    {
        try
        {
            access();
            return null;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return error;
        }
    }

    /// <summary>One line that says how the whole run stands, from its journal; a journal never written says nothing.</summary>
    private void WriteClosingLine()
    {
        var path = RunJournal!.Path;
        if (!File.Exists(path))
        {
            return;
        }

        if (RunJournal.AwaitsClosingBalance)
        {
            RecordBalance(BalanceReadings.End);
        }

        var line = "";
        if (JournalError(() => line = RunReport.ClosingLine(RunReport.Read(path, Journal!))) is { } error)
        {
            WriteWarning($"Could not read the journal {Journal} to summarise the run: {error.Message}");
            return;
        }

        WriteInformation(line, SummaryTags);
    }

    private RunJournal OpenJournal(string path)
    {
        try
        {
            var fullPath = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
            return WhileWaitingForAnotherRun(() => RunJournal.Open(fullPath, MyInvocation.MyCommand.Name, LockTimeout, WriteVerbose, RequestLog.Warning, CancelToken));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            ThrowTerminatingError(ErrorRecords.JournalNotWritable(error, path));
            throw;
        }
    }

    private T WhileWaitingForAnotherRun<T>(Func<T> take)
    {
        try
        {
            return take();
        }
        catch (ToApisRunInProgressException busy)
        {
            ThrowTerminatingError(ErrorRecords.From(busy, busy.Resource));
            throw;
        }
        catch (ToApisFileException unsafePath)
        {
            ThrowTerminatingError(ErrorRecords.From(unsafePath, unsafePath.Path));
            throw;
        }
        catch (OperationCanceledException) when (CancelToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }
}
