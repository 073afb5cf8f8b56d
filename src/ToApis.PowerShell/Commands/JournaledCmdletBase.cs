using System.Management.Automation;
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

    /// <summary>The journal named by -Journal, opened on first need (on the pipeline thread: it resolves the path).</summary>
    internal RunJournal? RunJournal => Journal is null ? null : _journal ??= RunJournal.Open(SessionState.Path.GetUnresolvedProviderPathFromPSPath(Journal));

    private RunJournal? _journal;
}
