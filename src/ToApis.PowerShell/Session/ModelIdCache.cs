using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace ToApis.Session;

/// <summary>
/// The image model ids a session's key may use, for tab completion, which must answer at once even when the
/// service does not: a list seen once is kept; one Tab waits at most <c>wait</c> for a fetch it starts, and a
/// fetch still running or failed recently (<see cref="FailureMemory"/>) makes the next Tabs wait for nothing.
/// The caller then falls back to the documented catalogue.
/// </summary>
internal sealed class ModelIdCache(Func<CancellationToken, Task<IReadOnlyList<string>>> fetch, Func<DateTimeOffset>? now = null)
{
    /// <summary>After a failed fetch, completions use the documented list this long before asking again.</summary>
    public static readonly TimeSpan FailureMemory = TimeSpan.FromMinutes(2);

    /// <summary>A fetch that outlives its Tab still fills the cache, if it answers within this.</summary>
    public static readonly TimeSpan FetchLimit = TimeSpan.FromSeconds(10);

    private readonly object _gate = new();
    private readonly Func<DateTimeOffset> _now = now ?? (() => DateTimeOffset.UtcNow);
    private IReadOnlyList<string>? _ids;
    private Task? _fetching;
    private DateTimeOffset? _failedAt;

    /// <summary>How many fetches were started: what tests count instead of timing Tabs.</summary>
    public int FetchesStarted { get; private set; }

    /// <summary>The ids seen, or null; never starts a fetch.</summary>
    public IReadOnlyList<string>? Known
    {
        get
        {
            lock (_gate)
            {
                return _ids;
            }
        }
    }

    public void Remember(IEnumerable<string> ids)
    {
        var list = ids.ToList();
        lock (_gate)
        {
            _ids = list;
            _failedAt = null;
        }
    }

    /// <summary>The ids if known; otherwise starts a fetch (unless one runs or one failed lately) and waits for it at most <paramref name="wait"/>.</summary>
    public IReadOnlyList<string>? Get(TimeSpan wait)
    {
        Task started;
        lock (_gate)
        {
            if (_ids is not null || _fetching is not null || (_failedAt is { } failed && _now() - failed < FailureMemory))
            {
                return _ids;
            }

            FetchesStarted++;
            started = _fetching = FetchAsync();
        }

        started.Wait(wait);
        return Known;
    }

    private async Task FetchAsync()
    {
        await Task.Yield();
        using var limit = new CancellationTokenSource(FetchLimit);
        try
        {
            Remember(await fetch(limit.Token).ConfigureAwait(false));
        }
        catch (Exception)
        {
            // Offline, refused, too slow or a bad key: completion uses the documented list for a while.
            lock (_gate)
            {
                _failedAt = _now();
            }
        }
        finally
        {
            lock (_gate)
            {
                _fetching = null;
            }
        }
    }
}
