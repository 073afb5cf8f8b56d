using System;
using System.Collections.Generic;

namespace ToApis.Client.Journal;

/// <summary>
/// What the commands of this process share by key (a run's lock, its journal, the cmdlets of one pipeline),
/// counted: the first one in makes it, the last one out closes it. Making and closing run under the registry's
/// lock, so no command sees a value half made or half closed.
/// </summary>
internal sealed class CountedShares<T>
    where T : class
{
    private readonly Dictionary<string, (T Value, int Users)> _shared = new(StringComparer.Ordinal);

    /// <summary>The value shared under <paramref name="key"/>, one more user counted; else a new one from <paramref name="make"/> (null: nothing shared).</summary>
    public T? Join(string key, Func<T?> make)
    {
        lock (_shared)
        {
            if (_shared.TryGetValue(key, out var shared))
            {
                _shared[key] = (shared.Value, shared.Users + 1);
                return shared.Value;
            }

            var made = make();
            if (made is not null)
            {
                _shared[key] = (made, 1);
            }

            return made;
        }
    }

    /// <summary>One user fewer; true for the last one, who hands the value to <paramref name="close"/> (if any).</summary>
    public bool Leave(string key, Action<T>? close = null)
    {
        lock (_shared)
        {
            if (!_shared.TryGetValue(key, out var shared))
            {
                return false;
            }

            if (shared.Users > 1)
            {
                _shared[key] = (shared.Value, shared.Users - 1);
                return false;
            }

            _shared.Remove(key);
            close?.Invoke(shared.Value);
            return true;
        }
    }

    /// <summary>What <paramref name="read"/> makes of whether <paramref name="key"/> is shared, while no one joins or leaves.</summary>
    public TResult Read<TResult>(string key, Func<bool, TResult> read)
    {
        lock (_shared)
        {
            return read(_shared.ContainsKey(key));
        }
    }
}
