using System;
using System.IO;
using System.Management.Automation;
using ToApis.Client.Journal;
using ToApis.Errors;
using ToApis.Models;

namespace ToApis.Commands;

/// <summary>Base of the cmdlets of a bulk run (New, Wait, Save), which can keep a shared journal.</summary>
public abstract class JournaledCmdletBase : ToApisApiCmdletBase
{
    /// <summary>
    /// Appends what happened to each task to this JSON-lines file (submitted, reused, completed, failed, saved),
    /// and on a rerun uses it to find earlier tasks and files where the service cannot be asked.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Journal { get; set; }

    /// <summary>
    /// The journal named by -Journal, opened on first need (on the pipeline thread: it resolves the path).
    /// A journal that cannot be opened ends the command: the run would not be resumable.
    /// </summary>
    internal RunJournal? RunJournal => Journal is null ? null : _journal ??= OpenJournal(Journal);

    private RunJournal? _journal;

    /// <summary>
    /// Records one step, on the pipeline thread. A failed write is reported as this item's error (when the
    /// pipeline still takes records) and is never the end of the item: the caller still passes the task on.
    /// </summary>
    internal void RecordInJournal(string journalEvent, ToApisTask task, string? file = null, int? imageIndex = null, bool canWrite = true)
    {
        try
        {
            RunJournal?.Record(journalEvent, task, file, imageIndex);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            if (canWrite)
            {
                WriteError(ErrorRecords.Create(
                    new IOException($"Task {task.Id} ({journalEvent}) could not be recorded in the journal '{Journal}': {error.Message}", error),
                    "ToApis.JournalWriteFailed", ErrorCategory.WriteError, task,
                    "Free space or fix the permissions of the journal's folder; the task itself was passed on. A rerun with the same -RunKey still finds it by client_business_id."));
            }
        }
    }

    private RunJournal OpenJournal(string path)
    {
        try
        {
            return RunJournal.Open(SessionState.Path.GetUnresolvedProviderPathFromPSPath(path));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            ThrowTerminatingError(ErrorRecords.Create(
                error, "ToApis.FileWriteFailed", ErrorCategory.WriteError, path,
                "Give -Journal a path in a folder you can write to."));
            throw;
        }
    }
}
