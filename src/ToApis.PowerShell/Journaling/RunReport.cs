using System;
using System.Collections;
using System.IO;
using System.Linq;
using System.Management.Automation;
using ToApis.Client;
using ToApis.Client.Journal;
using ToApis.Errors;
using ToApis.Models;

namespace ToApis.Journaling;

/// <summary>A journal's <see cref="RunSummary"/> as users see it: Get-ToApisRun's object, the closing line, the rows not done.</summary>
internal static class RunReport
{
    /// <summary>Rows named one a line in the message of an incomplete run; the rest are counted.</summary>
    private const int RowsNamed = 20;

    /// <summary>The run in the journal at <paramref name="path"/>, shown under the name the user gave it.</summary>
    public static ToApisRun Read(string path, string shownAs) => ToRun(RunSummary.Read(path), shownAs);

    /// <summary>The journal at <paramref name="path"/> read, or null and the error that names it as the user gave it.</summary>
    public static RunSummary? TryRead(string path, string shownAs, out ErrorRecord? error)
    {
        error = null;
        try
        {
            return RunSummary.Read(path);
        }
        catch (Exception missing) when (missing is FileNotFoundException or DirectoryNotFoundException)
        {
            error = ErrorRecords.From(new ToApisFileException(FileProblem.NotFound, shownAs, $"The journal '{shownAs}' does not exist."), shownAs);
        }
        catch (Exception unreadable) when (unreadable is IOException or UnauthorizedAccessException)
        {
            error = ErrorRecords.JournalUnreadable(unreadable, shownAs);
        }

        return null;
    }

    /// <summary>
    /// The counts; <paramref name="rowObject"/> turns a row's columns (and its key, to recognise the object when it
    /// is fed again) into the object FailedRows holds: by default a PSCustomObject that binds like the original row.
    /// </summary>
    public static ToApisRun ToRun(RunSummary summary, string journal, Func<RowColumns, string?, object>? rowObject = null)
    {
        var rows = summary.Rows;
        var failed = rows.Where(row => row.IsFailed).ToList();
        var completed = rows.Where(row => row.IsCompleted).ToList();
        var images = completed.Sum(row => Math.Max(Math.Max(row.ImageCount, row.SavedFiles.Count), 1));
        var duration = summary.Finished - summary.Started;
        return new ToApisRun
        {
            Journal = journal,
            Rows = rows.Count,
            Submitted = summary.SubmittedTasks,
            Reused = summary.ReusedTasks,
            Completed = completed.Count,
            Failed = failed.Count,
            Saved = rows.Count(row => row.IsSaved),
            Pending = rows.Count(row => !row.IsFailed && !summary.IsDone(row)),
            LastStep = summary.LastStep,
            Images = images,
            Cost = summary.Cost(),
            Started = summary.Started,
            Finished = summary.Finished,
            Duration = duration,
            ImagesPerMinute = duration is { TotalSeconds: > 0 } span && images > 0 ? images / span.TotalMinutes : null,
            Errors = failed
                .GroupBy(row => row.Error?.ErrorId ?? RunSummary.UnknownError)
                .OrderByDescending(group => group.Count()).ThenBy(group => group.Key, StringComparer.Ordinal)
                .ToDictionary(group => group.Key, group => group.Count()),
            FailedRows = summary.NotDone()
                .Select(row => (Columns: row.Row ?? PromptOnly(row), row.Key))
                .Where(row => row.Columns is not null)
                .Select(row => (rowObject ?? JournalRows.ToFailedRow)(row.Columns!, row.Key))
                .ToArray(),
        };
    }

    /// <summary>Rows to retry whose input the journal does not hold (journaled by an older version).</summary>
    public static int RowsWithoutInput(RunSummary summary) => summary.NotDone().Count(row => row.Row is null);

    /// <summary>"ToApis run run.jsonl: 20 rows: 17 saved, 3 failed (…), 0 pending; … Rows to retry: …".</summary>
    public static string ClosingLine(ToApisRun run) =>
        $"ToApis run {run.Journal}: {run}" +
        (run.FailedRows.Length > 0 ? $" Rows to retry: (Get-ToApisRun -Journal '{run.Journal.Replace("'", "''")}').FailedRows" : "");

    /// <summary>
    /// Null when every row got through the run's last step; otherwise what a scheduler's log should say: the counts,
    /// then each row not done with its error ("Row 4 (Name=teapot): the prompt is empty. [ToApis.InvalidParameter]").
    /// </summary>
    public static string? Incomplete(RunSummary summary, ToApisRun run)
    {
        var notDone = summary.NotDone().ToList();
        if (notDone.Count == 0)
        {
            return null;
        }

        var lines = notDone.Take(RowsNamed).Select(row => "  " + Describe(row));
        var more = notDone.Count > RowsNamed ? $"\n  \u2026 and {notDone.Count - RowsNamed} more" : "";
        return $"The run {run.Journal} did not finish every row: {run.Failed} failed and {run.Pending} pending of {run.Rows}.\n" +
            string.Join("\n", lines) + more;
    }

    /// <summary>A row journaled without its input (by an older version): its prompt is all that can be fed again.</summary>
    private static RowColumns? PromptOnly(RunRow row) =>
        row.Prompt is { } prompt ? new RowColumns { ["Prompt"] = prompt } : null;

    private static string Describe(RunRow row)
    {
        var columns = new Hashtable(row.Row ?? new RowColumns());
        if (columns.Count == 0 && row.Name is { } name)
        {
            columns["Name"] = name;
        }

        var about = new InputRow(row.RowNumber ?? 0, columns);
        return row.IsFailed
            ? about.Describe($"{row.Error?.ErrorMessage ?? "failed"} [{row.Error?.ErrorId ?? RunSummary.UnknownError}]")
            : about.Describe("not finished: still running, or the run was stopped before this row got through.");
    }
}
