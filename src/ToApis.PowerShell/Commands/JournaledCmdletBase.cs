using System;
using System.IO;
using System.Management.Automation;
using ToApis.Models;
using ToApis.Client.Journal;

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

    /// <summary>Records one step; a failed write is this item's error, not the end of the run.</summary>
    internal void RecordInJournal(string journalEvent, ToApisTask task, string? file = null, int? imageIndex = null)
    {
        try
        {
            RunJournal?.Record(journalEvent, task, file, imageIndex);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            WriteFailure(error, task);
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
