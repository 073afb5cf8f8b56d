using System;
using System.Collections.Generic;

namespace ToApis.Journaling;

/// <summary>
/// The journaled cmdlets of one pipeline that share a journal (New | Wait | Save, each with the same -Journal),
/// so that only the last of them to finish writes the run's closing line. A pipeline is told apart by its
/// runspace: a runspace runs one pipeline at a time.
/// </summary>
internal sealed class JournalParticipants
{
    private static readonly Dictionary<string, int> Active = new(StringComparer.Ordinal);

    private readonly string _key;
    private bool _left;

    /// <summary>Counts a cmdlet in; every one counted in must leave, however it ends.</summary>
    public JournalParticipants(Guid? runspace, string journalPath)
    {
        _key = $"{runspace}|{journalPath}";
        lock (Active)
        {
            Active[_key] = Active.TryGetValue(_key, out var count) ? count + 1 : 1;
        }
    }

    /// <summary>Counts the cmdlet out (once); true when it was the last one in.</summary>
    public bool Leave()
    {
        lock (Active)
        {
            if (_left)
            {
                return false;
            }

            _left = true;
            if (--Active[_key] > 0)
            {
                return false;
            }

            Active.Remove(_key);
            return true;
        }
    }
}
