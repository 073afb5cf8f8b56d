using System;
using System.Collections.Generic;
using System.Linq;
using ToApis.Models;

namespace ToApis.Client.Journal;

/// <summary>Where one input row stands.</summary>
internal enum RowOutcome
{
    /// <summary>Has a task that has not finished, as far as the journal knows.</summary>
    Running,
    Completed,
    Failed,
}

/// <summary>One input row of a run and what became of it, across every rerun the journal saw.</summary>
internal sealed class RunRow
{
    private readonly SortedDictionary<int, string> _savedFiles = new();

    /// <summary>Order in which the journal first mentioned the row.</summary>
    public int Order { get; init; }

    /// <summary>1-based position in the input of the run that first read it.</summary>
    public int? RowNumber { get; set; }

    public RowColumns? Row { get; set; }

    public string? RowText { get; set; }

    /// <summary>Names the row for good: the invocation that first read it and its number there ("run#7").</summary>
    public string? Key { get; set; }

    /// <summary>The New-ToApisImage invocation that last read the row.</summary>
    public string? RunId { get; set; }

    public string? TaskId { get; set; }

    public string? ClientBusinessId { get; set; }

    public string? Prompt { get; set; }

    public string? Model { get; set; }

    public string? Size { get; set; }

    public RowOutcome? Outcome { get; set; }

    /// <summary>Images of the current task, once it completed (0: not known).</summary>
    public int ImageCount { get; set; }

    public double? Credits { get; set; }

    public string? ErrorId { get; set; }

    public string? ErrorMessage { get; set; }

    public string? RecommendedAction { get; set; }

    /// <summary>The cmdlet that reported the error.</summary>
    public string? ErrorCmdlet { get; set; }

    /// <summary>Files saved for the current task, by 1-based image number.</summary>
    public IReadOnlyDictionary<int, string> SavedFiles => _savedFiles;

    public bool IsFailed => Outcome == RowOutcome.Failed;

    public bool IsCompleted => Outcome == RowOutcome.Completed;

    /// <summary>Every image of the current task is saved.</summary>
    public bool IsSaved => !IsFailed && _savedFiles.Count > 0 && _savedFiles.Count >= ImageCount;

    /// <summary>The row's Name column, else the name of its first saved file, else its task id.</summary>
    public string? Name => Row?.Text("Name")
        ?? _savedFiles.Values.Select(System.IO.Path.GetFileNameWithoutExtension).FirstOrDefault()
        ?? TaskId;

    public string? PromptText => Prompt ?? Row?.Text("Prompt") ?? Row?.Text("Text");

    /// <summary>The task is new to this row: what was known of the previous one no longer applies.</summary>
    public void StartTask(string? taskId)
    {
        if (taskId is not null && taskId != TaskId)
        {
            _savedFiles.Clear();
            ImageCount = 0;
            Credits = null;
            TaskId = taskId;
        }
    }

    public void Fail(string errorId, string? message, string? action, string? cmdlet)
    {
        Outcome = RowOutcome.Failed;
        ErrorId = errorId;
        ErrorMessage = message;
        RecommendedAction = action;
        ErrorCmdlet = cmdlet;
    }

    public void ClearError()
    {
        ErrorId = null;
        ErrorMessage = null;
        RecommendedAction = null;
        ErrorCmdlet = null;
    }

    public void AddSavedFile(int imageNumber, string file) => _savedFiles[imageNumber] = file;
}

/// <summary>
/// Folds a journal into one entry per input row and counts where the rows ended. Rows are the same row
/// across New, Wait and Save by task id and client_business_id; a row retried by a later run (fed again from
/// FailedRows, or the same -RunKey) is the same row, so a rerun updates its outcome instead of adding a row.
/// Lines of events it does not know are ignored.
/// </summary>
internal sealed class RunSummary
{
    private readonly List<RunRow> _rows = new();
    private readonly Dictionary<string, RunRow> _byTaskId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RunRow> _byBusinessId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<RunRow>> _byRowText = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RunRow> _byKey = new(StringComparer.Ordinal);
    private readonly HashSet<string> _submittedTasks = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reusedTasks = new(StringComparer.Ordinal);
    private readonly List<BalanceSpan> _balanceSpans = new();
    private BalanceSpan? _openSpan;

    private RunSummary()
    {
    }

    public IReadOnlyList<RunRow> Rows => _rows;

    /// <summary>The furthest step the journal shows: a row is done when it got through it.</summary>
    public string LastStep { get; private set; } = RunSteps.Submit;

    public DateTimeOffset? Started { get; private set; }

    public DateTimeOffset? Finished { get; private set; }

    /// <summary>Lines that could not be read (a torn last line, for one).</summary>
    public int SkippedLines { get; private set; }

    public static RunSummary Read(string path)
    {
        var read = JournalReader.Read(path);
        var summary = From(read.Entries);
        summary.SkippedLines = read.SkippedLines;
        return summary;
    }

    public static RunSummary From(IEnumerable<JournalEntry> entries)
    {
        var summary = new RunSummary();
        foreach (var entry in entries)
        {
            summary.Add(entry);
        }

        return summary;
    }

    /// <summary>A row is done when it got through the run's last step.</summary>
    public bool IsDone(RunRow row) => !row.IsFailed && LastStep switch
    {
        RunSteps.Save => row.IsSaved,
        RunSteps.Wait => row.IsCompleted,
        _ => row.Outcome is not null,
    };

    /// <summary>Rows that failed or never got through the last step, in input order.</summary>
    public IEnumerable<RunRow> NotDone() =>
        _rows.Where(row => !IsDone(row)).OrderBy(row => row.RowNumber ?? int.MaxValue).ThenBy(row => row.Order);

    /// <summary>Rows to retry whose input the journal does not hold (journaled by an older version).</summary>
    public int RowsWithoutInput => NotDone().Count(row => row.Row is null);

    /// <summary>
    /// The counts; <paramref name="rowObject"/> turns a row's columns (and its key, to recognise the object when it
    /// is fed again) into the object FailedRows holds.
    /// </summary>
    public ToApisRun ToRun(string journal, Func<RowColumns, string?, object> rowObject)
    {
        var failed = _rows.Where(row => row.IsFailed).ToList();
        var pending = _rows.Count(row => !row.IsFailed && !IsDone(row));
        var completed = _rows.Where(row => row.IsCompleted).ToList();
        var images = completed.Sum(row => Math.Max(Math.Max(row.ImageCount, row.SavedFiles.Count), 1));
        var credits = completed.Where(row => row.Credits is not null).Select(row => row.Credits!.Value).ToList();
        var duration = Finished - Started;
        return new ToApisRun
        {
            Journal = journal,
            Rows = _rows.Count,
            Submitted = _submittedTasks.Count,
            Reused = _reusedTasks.Count,
            Completed = completed.Count,
            Failed = failed.Count,
            Saved = _rows.Count(row => row.IsSaved),
            Pending = pending,
            LastStep = LastStep,
            Images = images,
            Credits = credits.Count > 0 ? credits.Sum() : null,
            Cost = Cost(),
            Started = Started,
            Finished = Finished,
            Duration = duration,
            ImagesPerMinute = duration is { TotalSeconds: > 0 } span && images > 0 ? images / span.TotalMinutes : null,
            Errors = failed
                .GroupBy(row => row.ErrorId ?? UnknownError)
                .OrderByDescending(group => group.Count()).ThenBy(group => group.Key, StringComparer.Ordinal)
                .ToDictionary(group => group.Key, group => group.Count()),
            FailedRows = NotDone()
                .Where(row => (row.Row ?? PromptOnly(row)) is not null)
                .Select(row => rowObject((row.Row ?? PromptOnly(row))!, row.Key))
                .ToArray(),
        };
    }

    /// <summary>What an error line without an ErrorId (written before the journal kept them) is counted as.</summary>
    public const string UnknownError = "ToApis.UnexpectedError";

    /// <summary>A row journaled without its input (by an older version): its prompt is all that can be fed again.</summary>
    private static RowColumns? PromptOnly(RunRow row) =>
        row.Prompt is { } prompt ? new RowColumns { new("Prompt", prompt) } : null;

    /// <summary>
    /// What the key spent while the run's invocations lasted, from the balance each read when it began and ended;
    /// null when no invocation read both.
    /// </summary>
    public ToApisRunCost? Cost()
    {
        var measured = _balanceSpans.Where(span => span.End is not null && span.CreditsUsed() is not null).ToList();
        if (measured.Count == 0)
        {
            return null;
        }

        var credits = measured.Sum(span => span.CreditsUsed()!.Value);
        var money = measured.Select(span => span.MoneyUsed()).ToList();
        var images = measured.SelectMany(span => span.SubmittedTasks)
            .Sum(taskId => _byTaskId.TryGetValue(taskId, out var row) ? Math.Max(row.ImageCount, 1) : 1);
        var last = _balanceSpans[_balanceSpans.Count - 1];
        var lastReading = last.End ?? last.Start;
        return new ToApisRunCost
        {
            CreditsUsed = credits,
            MoneyUsed = money.All(spent => spent is not null) ? money.Sum() : null,
            CreditsLeft = lastReading.UnlimitedQuota ? null : lastReading.RemainCredits,
            CreditsPerImage = images > 0 ? credits / images : null,
            Complete = measured.Count == _balanceSpans.Count,
        };
    }

    /// <summary>
    /// Rows a rerun of this journal will pay for again (they never got a task, or their task failed), and what
    /// they will likely cost at the last known credits per image; null when either is unknown.
    /// </summary>
    public (int Rows, decimal Credits)? ExpectedSpendOfRerun()
    {
        var rows = _rows.Count(row => row.TaskId is null || row.ErrorId == "ToApis.TaskFailed");
        return rows > 0 && Cost()?.CreditsPerImage is { } perImage ? (rows, rows * perImage) : null;
    }

    private void Add(JournalEntry entry)
    {
        if (entry.Time is { } time)
        {
            Started = Started is { } start && start <= time ? start : time;
            Finished = Finished is { } end && end >= time ? end : time;
        }

        if (entry is { Event: JournalEvents.Balance, Balance: { } balance })
        {
            // Runs of one journal never overlap (it is locked): an end closes the latest start.
            if (entry.BalanceAt == BalanceReadings.Start)
            {
                _openSpan = new BalanceSpan(balance);
                _balanceSpans.Add(_openSpan);
            }
            else if (entry.BalanceAt == BalanceReadings.End && _openSpan is not null)
            {
                _openSpan.End = balance;
                _openSpan = null;
            }

            return;
        }

        if (entry.Event == JournalEvents.Step)
        {
            NoteStep(entry);
            return;
        }

        if (entry is { Event: JournalEvents.Submitted, TaskId: { } submitted })
        {
            _openSpan?.SubmittedTasks.Add(submitted);
        }

        if (!IsKnown(entry.Event))
        {
            return;
        }

        var row = Find(entry) ?? NewRow();
        Remember(row, entry);
        Apply(row, entry);
    }

    private static bool IsKnown(string journalEvent) => journalEvent is
        JournalEvents.Submitted or JournalEvents.Reused or JournalEvents.Completed or JournalEvents.Failed
        or JournalEvents.TimedOut or JournalEvents.Error or JournalEvents.Saved;

    private RunRow? Find(JournalEntry entry)
    {
        if (entry.TaskId is { } taskId && _byTaskId.TryGetValue(taskId, out var byTask))
        {
            return byTask;
        }

        if (entry.ClientBusinessId is { } businessId && _byBusinessId.TryGetValue(businessId, out var byId))
        {
            return byId;
        }

        // A FailedRows object fed again, whether or not it was corrected first.
        if (entry.RetryOf is { } retried && _byKey.TryGetValue(retried, out var byKey))
        {
            return byKey;
        }

        // The same input read again by a later invocation (FailedRows fed back, a fixed rerun without -RunKey):
        // it retries a row that failed or never got a task. Alike rows within one invocation stay apart.
        return entry.RowText is { } text && _byRowText.TryGetValue(text, out var alike)
            ? alike.FirstOrDefault(row => row.RunId != entry.RunId && (row.IsFailed || row.TaskId is null))
            : null;
    }

    private RunRow NewRow()
    {
        var row = new RunRow { Order = _rows.Count };
        _rows.Add(row);
        return row;
    }

    private void Remember(RunRow row, JournalEntry entry)
    {
        if (entry.TaskId is { } taskId)
        {
            _byTaskId[taskId] = row;
        }

        if (entry.ClientBusinessId is { } businessId)
        {
            _byBusinessId[businessId] = row;
            row.ClientBusinessId = businessId;
        }

        if (entry.RowText is { } text)
        {
            if (row.RowText != text)
            {
                if (!_byRowText.TryGetValue(text, out var alike))
                {
                    _byRowText[text] = alike = new List<RunRow>();
                }

                alike.Add(row);
            }

            row.Row = entry.Row;
            row.RowText = text;
        }

        if (row.Key is null && entry.RunId is { } runId && entry.RowNumber is { } number)
        {
            row.Key = $"{runId}#{number}";
            _byKey[row.Key] = row;
        }

        row.RunId = entry.RunId ?? row.RunId;
        row.RowNumber ??= entry.RowNumber;
        row.Prompt = entry.Prompt ?? row.Prompt;
        row.Model = entry.Model ?? row.Model;
        row.Size = entry.Size ?? row.Size;
    }

    private void Apply(RunRow row, JournalEntry entry)
    {
        switch (entry.Event)
        {
            case JournalEvents.Submitted:
                row.StartTask(entry.TaskId);
                Track(_submittedTasks, entry.TaskId);
                row.Outcome = RowOutcome.Running;
                row.ClearError();
                break;
            case JournalEvents.Reused:
                row.StartTask(entry.TaskId);
                Track(_reusedTasks, entry.TaskId);
                if (entry.Status == TaskStatusNames.Completed)
                {
                    Complete(row, entry);
                }
                else
                {
                    row.Outcome = RowOutcome.Running;
                    row.ClearError();
                }

                break;
            case JournalEvents.Completed:
                row.StartTask(entry.TaskId);
                Complete(row, entry);
                break;
            case JournalEvents.Failed:
                row.Fail("ToApis.TaskFailed", Message(entry), null, entry.Cmdlet);
                break;
            case JournalEvents.TimedOut:
                row.Fail("ToApis.TaskTimeout", entry.ErrorMessage ?? "The task did not finish in time.", null, entry.Cmdlet);
                break;
            case JournalEvents.Error:
                row.Fail(entry.ErrorId ?? row.ErrorId ?? UnknownError, entry.ErrorMessage ?? row.ErrorMessage, entry.RecommendedAction, entry.Cmdlet);
                break;
            case JournalEvents.Saved:
                row.StartTask(entry.TaskId);
                if (entry.File is { } file)
                {
                    row.AddSavedFile(entry.ImageIndex ?? row.SavedFiles.Count + 1, file);
                }

                // An image can only be saved from a completed task; once all are saved, earlier save errors are over.
                if (row.SavedFiles.Count >= row.ImageCount)
                {
                    row.Outcome = RowOutcome.Completed;
                    row.ClearError();
                }

                LastStep = RunSteps.Save;
                break;
        }

        NoteStep(entry);
    }

    /// <summary>The run's last step is the furthest any line shows: a cmdlet that began, or a row's event.</summary>
    private void NoteStep(JournalEntry entry)
    {
        if (entry.Cmdlet == "Save-ToApisImage")
        {
            LastStep = RunSteps.Save;
        }
        else if (LastStep == RunSteps.Submit && (entry.Event is JournalEvents.Completed or JournalEvents.Failed or JournalEvents.TimedOut || entry.Cmdlet == "Wait-ToApisTask"))
        {
            LastStep = RunSteps.Wait;
        }
    }

    private static void Complete(RunRow row, JournalEntry entry)
    {
        row.Outcome = RowOutcome.Completed;
        row.ImageCount = entry.ImageCount ?? Math.Max(row.ImageCount, 1);
        row.Credits = entry.Credits ?? row.Credits;
        row.ClearError();
    }

    private static void Track(HashSet<string> tasks, string? taskId)
    {
        if (taskId is not null)
        {
            tasks.Add(taskId);
        }
    }

    /// <summary>One invocation of the run between its balance readings, and the tasks it paid for.</summary>
    private sealed class BalanceSpan(ToApisBalance start)
    {
        public ToApisBalance Start { get; } = start;

        public ToApisBalance? End { get; set; }

        public HashSet<string> SubmittedTasks { get; } = new(StringComparer.Ordinal);

        /// <summary>From the used credits where both readings have them, else from what remained.</summary>
        public decimal? CreditsUsed() =>
            End is not { } end ? null
            : Start.UsedCredits is { } usedBefore && end.UsedCredits is { } usedAfter ? usedAfter - usedBefore
            : !Start.UnlimitedQuota && Start.RemainCredits is { } before && end.RemainCredits is { } after ? before - after
            : null;

        public decimal? MoneyUsed() =>
            End is not { } end ? null
            : Start.UsedBalance is { } usedBefore && end.UsedBalance is { } usedAfter ? usedAfter - usedBefore
            : !Start.UnlimitedQuota && Start.RemainBalance is { } before && end.RemainBalance is { } after ? before - after
            : CreditsUsed() is { } credits && end.CreditsPerUsd is > 0 and { } perUsd ? credits / perUsd
            : null;
    }

    private static string? Message(JournalEntry entry) =>
        entry.ErrorCode is { } code && entry.ErrorMessage is { } message ? $"{code}: {message}"
        : entry.ErrorMessage ?? entry.ErrorCode;
}
