using System;
using System.Threading;
using ToApis.Client.Journal;

namespace ToApis.Journaling;

/// <summary>
/// The journaled cmdlets of one pipeline that share a journal (New | Wait | Save, each with the same -Journal),
/// so that only the last of them to finish writes the run's closing line. A pipeline is told apart by its
/// runspace: a runspace runs one pipeline at a time.
/// </summary>
internal sealed class JournalParticipants
{
    private static readonly CountedShares<string> Active = new();

    private readonly string _key;
    private int _left;

    /// <summary>Counts a cmdlet in; every one counted in must leave, however it ends.</summary>
    public JournalParticipants(Guid? runspace, string journalPath)
    {
        _key = $"{runspace}|{journalPath}";
        Active.Join(_key, () => _key);
    }

    /// <summary>Counts the cmdlet out (once); true when it was the last one in.</summary>
    public bool Leave() => Interlocked.Exchange(ref _left, 1) == 0 && Active.Leave(_key);
}
