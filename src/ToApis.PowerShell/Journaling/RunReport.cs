using System.Collections;
using System.Linq;
using ToApis.Client.Journal;
using ToApis.Errors;
using ToApis.Models;

namespace ToApis.Journaling;

/// <summary>A journal read as a run summary, the one way Get-ToApisRun and the closing line of a run both read it.</summary>
internal static class RunReport
{
    /// <summary>Rows named one a line in the message of an incomplete run; the rest are counted.</summary>
    private const int RowsNamed = 20;

    /// <summary>The run in the journal at <paramref name="path"/>, shown under the name the user gave it.</summary>
    public static ToApisRun Read(string path, string shownAs) => RunSummary.Read(path).ToRun(shownAs, JournalRows.ToFailedRow);

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

    private static string Describe(RunRow row)
    {
        var columns = new Hashtable();
        foreach (var column in row.Row ?? new RowColumns())
        {
            columns[column.Key] = column.Value;
        }

        if (columns.Count == 0 && row.Name is { } name)
        {
            columns["Name"] = name;
        }

        var about = new InputRow(row.RowNumber ?? 0, columns);
        return row.IsFailed
            ? about.Describe($"{row.ErrorMessage ?? "failed"} [{row.ErrorId ?? RunSummary.UnknownError}]")
            : about.Describe("not finished: still running, or the run was stopped before this row got through.");
    }
}
