using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using ToApis.Models;

namespace ToApis.Client.Journal;

/// <summary>
/// The one reader of a journal: folds its records into one <see cref="RunRow"/> per input row, and answers what a
/// rerun needs (the task of each client_business_id, saved files, submits left unanswered). Rows are the same row
/// across New, Wait and Save by task id and client_business_id; a row retried by a later run (fed again from
/// FailedRows, or the same -RunKey) is the same row, so a rerun updates its outcome instead of adding a row.
/// Lines of events it does not know are ignored. <see cref="Add"/> and the rerun questions are thread-safe.
/// </summary>
internal sealed class RunSummary
{
    /// <summary>What a failure's line without an ErrorId (written before the journal kept them) is counted as.</summary>
    public const string UnknownError = "ToApis.UnexpectedError";

    private readonly object _gate = new();
    private readonly RunRows _rows = new();
    private readonly Dictionary<string, string> _taskIdByBusinessId = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unresolvedByEarlierRuns = new(StringComparer.Ordinal);
    private readonly HashSet<string> _submittedTasks = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reusedTasks = new(StringComparer.Ordinal);
    private readonly RunBalances _balances = new();
    private (string ClientBusinessId, string TaskId)? _knownTask;

    public IReadOnlyList<RunRow> Rows => _rows.All;

    /// <summary>The furthest step the journal shows: a row is done when it got through it.</summary>
    public string LastStep { get; private set; } = RunSteps.Submit;

    public DateTimeOffset? Started { get; private set; }

    public DateTimeOffset? Finished { get; private set; }

    /// <summary>Lines that could not be read (a torn last line, for one).</summary>
    public int SkippedLines { get; private set; }

    public int SubmittedTasks => _submittedTasks.Count;

    public int ReusedTasks => _reusedTasks.Count;

    /// <summary>
    /// Reads a journal, also while a run is still appending to it: the file is opened without blocking its writers,
    /// and a line that is not a record is skipped.
    /// </summary>
    public static RunSummary Read(string path)
    {
        var summary = new RunSummary();
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), detectEncodingFromByteOrderMarks: true);
        summary.SkippedLines = JournalRecord.ReadAll(reader, (_, record) => summary.Add(record, fromEarlierRun: true));
        return summary;
    }

    /// <summary>The task an earlier run created for this client_business_id (any line naming both proves it).</summary>
    public string? TaskIdFor(string clientBusinessId) => Locked(() => _taskIdByBusinessId.TryGetValue(clientBusinessId, out var id) ? id : null);

    /// <summary>The file an earlier run saved for this task image (1-based), if it is still there.</summary>
    public string? SavedFileFor(string taskId, int imageIndex) =>
        Locked(() => _rows.WithTask(taskId) is { } row && row.SavedFiles.TryGetValue(imageIndex, out var file) ? file : null) is { } saved
        && File.Exists(saved) ? saved : null;

    /// <summary>
    /// An earlier run sent a submit with this client_business_id and never learned whether it created a task
    /// (it was stopped or killed with the submit unanswered, or the lookups failed).
    /// </summary>
    public bool WasLeftUnresolved(string clientBusinessId) => Locked(() => _unresolvedByEarlierRuns.Contains(clientBusinessId));

    /// <summary>A task an earlier run created, with its client_business_id: lets a rerun ask the service whether it can look ids up.</summary>
    public (string ClientBusinessId, string TaskId)? KnownTask => Locked(() => _knownTask);

    /// <summary>A row is done when it got through the run's last step.</summary>
    public bool IsDone(RunRow row) => !row.IsFailed && LastStep switch
    {
        RunSteps.Save => row.IsSaved,
        RunSteps.Wait => row.IsCompleted,
        _ => row.Outcome is not null,
    };

    /// <summary>Rows that failed or never got through the last step, in input order.</summary>
    public IEnumerable<RunRow> NotDone() =>
        _rows.All.Where(row => !IsDone(row)).OrderBy(row => row.RowNumber ?? int.MaxValue).ThenBy(row => row.Order);

    /// <summary>
    /// Rows a rerun of this journal will pay for again (they never got a task, or their task failed), and what
    /// they will likely cost at the last known credits per image; null when either is unknown.
    /// </summary>
    public (int Rows, decimal Credits)? ExpectedSpendOfRerun()
    {
        var rows = _rows.All.Count(row => row.TaskId is null || row.Error?.ErrorId == JournalEvents.TaskFailedId);
        return rows > 0 && Cost()?.CreditsPerImage is { } perImage ? (rows, rows * perImage) : null;
    }

    /// <summary>What the key spent while the run's invocations lasted (see <see cref="RunBalances"/>).</summary>
    public ToApisRunCost? Cost() => _balances.Cost(taskId => Math.Max(_rows.WithTask(taskId)?.ImageCount ?? 1, 1));

    /// <param name="fromEarlierRun">Read from the file rather than written by this run: its unanswered submits are a rerun's question.</param>
    public void Add(JournalRecord record, bool fromEarlierRun)
    {
        lock (_gate)
        {
            if (record.Time is { } time)
            {
                Started = Started is { } start && start <= time ? start : time;
                Finished = Finished is { } end && end >= time ? end : time;
            }

            RememberTask(record, fromEarlierRun);
            _balances.Add(record);
            if (record.Event == JournalEvents.Step)
            {
                NoteStep(record);
            }
            else if (IsAboutARow(record.Event))
            {
                Apply(_rows.For(record), record);
                NoteStep(record);
            }
        }
    }

    private T Locked<T>(Func<T> read)
    {
        lock (_gate)
        {
            return read();
        }
    }

    private static bool IsAboutARow(string journalEvent) => journalEvent is
        JournalEvents.Submitted or JournalEvents.Reused or JournalEvents.Completed or JournalEvents.Failed
        or JournalEvents.TimedOut or JournalEvents.Error or JournalEvents.Saved;

    private void RememberTask(JournalRecord record, bool fromEarlierRun)
    {
        if (record.ClientBusinessId is not { } businessId)
        {
            return;
        }

        // Any line that names both proves the task exists (submitted, reused, completed, saved, …): a journal cut
        // short by a log rotation still finds every task whose later lines survived, and nothing is paid twice.
        if (record.TaskId is { Length: > 0 } taskId)
        {
            _taskIdByBusinessId[businessId] = taskId;
            _knownTask ??= (businessId, taskId);
        }

        if (record.Event is not (JournalEvents.Submitting or JournalEvents.Unknown))
        {
            _unresolvedByEarlierRuns.Remove(businessId); // a task was seen, or the submit provably made none
        }
        else if (fromEarlierRun)
        {
            _unresolvedByEarlierRuns.Add(businessId); // this run's own unanswered submits are its engine's to report
        }
    }

    private void Apply(RunRow row, JournalRecord record)
    {
        switch (record.Event)
        {
            case JournalEvents.Submitted:
                row.StartTask(record.TaskId);
                Track(_submittedTasks, record.TaskId);
                row.Reach(RowOutcome.Running);
                break;
            case JournalEvents.Reused:
                row.StartTask(record.TaskId);
                Track(_reusedTasks, record.TaskId);
                Complete(row, record, record.Status == TaskStatusNames.Completed ? RowOutcome.Completed : RowOutcome.Running);
                break;
            case JournalEvents.Completed:
                row.StartTask(record.TaskId);
                Complete(row, record, RowOutcome.Completed);
                break;
            case JournalEvents.Saved:
                row.StartTask(record.TaskId);
                if (record.File is { } file)
                {
                    row.AddSavedFile(record.ImageIndex ?? row.SavedFiles.Count + 1, file);
                }

                // An image can only be saved from a completed task; once all are saved, earlier save errors are over.
                if (row.SavedFiles.Count >= row.ImageCount)
                {
                    row.Reach(RowOutcome.Completed);
                }

                LastStep = RunSteps.Save;
                break;
            default:
                row.Fail(FailureOf(record, row.Error));
                break;
        }
    }

    /// <summary>
    /// A failure's line with its ErrorId and message. Older versions wrote a bare failed or timedout line and then
    /// an error line (which may lack the ErrorId the bare line implied): both still read as one failure.
    /// </summary>
    private static JournalRecord FailureOf(JournalRecord line, JournalRecord? earlier) =>
        line.ErrorId is not null || line.Event == JournalEvents.Error
            ? line with { ErrorId = line.ErrorId ?? earlier?.ErrorId ?? UnknownError, ErrorMessage = line.ErrorMessage ?? earlier?.ErrorMessage }
            : line.Event == JournalEvents.Failed
                ? line with
                {
                    ErrorId = JournalEvents.TaskFailedId,
                    ErrorMessage = line.ErrorCode is { } code && line.ErrorMessage is { } message ? $"{code}: {message}" : line.ErrorMessage ?? line.ErrorCode,
                }
                : line with { ErrorId = JournalEvents.TaskTimeoutId, ErrorMessage = line.ErrorMessage ?? "The task did not finish in time." };

    /// <summary>The run's last step is the furthest any line shows: a cmdlet that began, or a row's event.</summary>
    private void NoteStep(JournalRecord record)
    {
        if (record.Cmdlet == "Save-ToApisImage")
        {
            LastStep = RunSteps.Save;
        }
        else if (LastStep == RunSteps.Submit && (record.Event is JournalEvents.Completed or JournalEvents.Failed or JournalEvents.TimedOut || record.Cmdlet == "Wait-ToApisTask"))
        {
            LastStep = RunSteps.Wait;
        }
    }

    private static void Complete(RunRow row, JournalRecord record, RowOutcome outcome)
    {
        if (outcome == RowOutcome.Completed)
        {
            row.ImageCount = record.ImageCount ?? Math.Max(row.ImageCount, 1);
        }

        row.Reach(outcome);
    }

    private static void Track(HashSet<string> tasks, string? taskId)
    {
        if (taskId is not null)
        {
            tasks.Add(taskId);
        }
    }
}
