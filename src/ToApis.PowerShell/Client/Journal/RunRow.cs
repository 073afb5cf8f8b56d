using System.Collections.Generic;
using System.IO;
using System.Linq;

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

    /// <summary>The invocation that last read the row.</summary>
    public string? RunId { get; set; }

    public string? TaskId { get; private set; }

    public string? Prompt { get; set; }

    public string? Model { get; set; }

    public string? Size { get; set; }

    public RowOutcome? Outcome { get; set; }

    /// <summary>Images of the current task, once it completed (0: not known).</summary>
    public int ImageCount { get; set; }

    /// <summary>The line of the row's failure: its ErrorId, message, advice and cmdlet.</summary>
    public JournalRecord? Error { get; private set; }

    /// <summary>Files saved for the current task, by 1-based image number.</summary>
    public IReadOnlyDictionary<int, string> SavedFiles => _savedFiles;

    public bool IsFailed => Outcome == RowOutcome.Failed;

    public bool IsCompleted => Outcome == RowOutcome.Completed;

    /// <summary>Every image of the current task is saved.</summary>
    public bool IsSaved => !IsFailed && _savedFiles.Count > 0 && _savedFiles.Count >= ImageCount;

    /// <summary>The row's Name column, else the name of its first saved file, else its task id.</summary>
    public string? Name => Row?.Text("Name") ?? _savedFiles.Values.Select(Path.GetFileNameWithoutExtension).FirstOrDefault() ?? TaskId;

    public string? PromptText => Prompt ?? Row?.Text("Prompt") ?? Row?.Text("Text");

    /// <summary>The task is new to this row: what was known of the previous one no longer applies.</summary>
    public void StartTask(string? taskId)
    {
        if (taskId is not null && taskId != TaskId)
        {
            _savedFiles.Clear();
            ImageCount = 0;
            TaskId = taskId;
        }
    }

    /// <param name="error">The failure's line, with an ErrorId (older journals' lines without one are given theirs by the reader).</param>
    public void Fail(JournalRecord error)
    {
        Outcome = RowOutcome.Failed;
        Error = error;
    }

    /// <summary>The row got further (<paramref name="outcome"/>): an earlier error is over.</summary>
    public void Reach(RowOutcome outcome)
    {
        Outcome = outcome;
        Error = null;
    }

    public void AddSavedFile(int imageNumber, string file) => _savedFiles[imageNumber] = file;
}
