using System;
using System.Collections.Generic;

namespace ToApis.Journaling;

/// <summary>
/// The journaled cmdlets of one pipeline that share a journal (New | Wait | Save, each with the same -Journal),
/// so that only the last of them to finish writes the run's closing line. A pipeline is told apart by its
/// runspace: a runspace runs one pipeline at a time.
/// </summary>
internal static class JournalParticipants
{
    private static readonly Dictionary<string, int> Active = new(StringComparer.Ordinal);

    /// <summary>Counts a cmdlet in; every one counted in must leave, however it ends.</summary>
    public static Participation Join(Guid? runspace, string journalPath)
    {
        var key = $"{runspace}|{journalPath}";
        lock (Active)
        {
            Active[key] = Active.TryGetValue(key, out var count) ? count + 1 : 1;
        }

        return new Participation(key);
    }

    public sealed class Participation
    {
        private readonly string _key;
        private bool _left;

        internal Participation(string key) => _key = key;

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
                var remaining = Active[_key] - 1;
                if (remaining == 0)
                {
                    Active.Remove(_key);
                }
                else
                {
                    Active[_key] = remaining;
                }

                return remaining == 0;
            }
        }
    }
}
