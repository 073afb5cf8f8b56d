using System;
using System.IO;
using System.Management.Automation;
using ToApis.Client;
using ToApis.Client.Journal;
using ToApis.Errors;
using ToApis.Models;

namespace ToApis.Commands;

/// <summary>
/// Base of the cmdlets of a bulk run (New, Wait, Save), which can keep a shared journal. A journal belongs to
/// one run at a time: the commands of one pipeline share it, a run in another process waits for it.
/// </summary>
public abstract class JournaledCmdletBase : ToApisApiCmdletBase
{
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

    /// <summary>The journal named by -Journal, opened (and locked) when the command begins.</summary>
    internal RunJournal? RunJournal { get; private set; }

    /// <summary>Opens the journal; a journal held by another run is waited for, then the command ends.</summary>
    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        if (Journal is not null)
        {
            RunJournal = OpenJournal(Journal);
        }
    }

    /// <summary>
    /// Takes a lock for this run, waiting (with a verbose message) for a run of another process that holds it;
    /// a run still holding it after -LockTimeoutSec ends the command, naming the holder.
    /// </summary>
    internal RunLock TakeRunLock(string lockFile, string resource) =>
        WhileWaitingForAnotherRun(() => RunLock.Acquire(lockFile, resource, MyInvocation.MyCommand.Name, LockTimeout, WriteVerbose, CancelToken));

    private TimeSpan LockTimeout => TimeSpan.FromSeconds(LockTimeoutSec);

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
                WriteJournalFailure(error, task, $"Task {task.Id} ({journalEvent})");
            }
        }
    }

    /// <summary>A step of <paramref name="what"/> could not be recorded; the item itself went on.</summary>
    internal void WriteJournalFailure(Exception error, object? target, string what) =>
        WriteError(ErrorRecords.Create(
            new IOException($"{what} could not be recorded in the journal '{Journal}': {error.Message}", error),
            "ToApis.JournalWriteFailed", ErrorCategory.WriteError, target,
            "Free space or fix the permissions of the journal's folder; the task itself was passed on. A rerun with the same -RunKey still finds it by client_business_id."));

    protected override void OnDisposing()
    {
        RunJournal?.Release();
        RunJournal = null;
        base.OnDisposing();
    }

    private RunJournal OpenJournal(string path)
    {
        try
        {
            var fullPath = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
            return WhileWaitingForAnotherRun(() => RunJournal.Open(fullPath, MyInvocation.MyCommand.Name, LockTimeout, WriteVerbose, CancelToken));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            ThrowTerminatingError(ErrorRecords.Create(
                error, "ToApis.FileWriteFailed", ErrorCategory.WriteError, path,
                "Give -Journal a path in a folder you can write to."));
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
        catch (OperationCanceledException) when (CancelToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }
}
