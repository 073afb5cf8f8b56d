using ToApis.Client.Journal;
using ToApis.Models;

namespace ToApis.Journaling;

/// <summary>A journal read as a run summary, the one way Get-ToApisRun and the closing line of a run both read it.</summary>
internal static class RunReport
{
    /// <summary>The run in the journal at <paramref name="path"/>, shown under the name the user gave it.</summary>
    public static ToApisRun Read(string path, string shownAs) => RunSummary.Read(path).ToRun(shownAs, JournalRows.ToFailedRow);

    /// <summary>"ToApis run run.jsonl: 20 rows: 17 saved, 3 failed (…), 0 pending; … Rows to retry: …".</summary>
    public static string ClosingLine(ToApisRun run) =>
        $"ToApis run {run.Journal}: {run}" +
        (run.FailedRows.Length > 0 ? $" Rows to retry: (Get-ToApisRun -Journal '{run.Journal.Replace("'", "''")}').FailedRows" : "");
}
