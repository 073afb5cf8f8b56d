using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;

namespace ToApis.Client.RateLimiting;

/// <summary>
/// The pacing of one account (API key at one service), shared by every session and runspace of the process that
/// uses the same key, since the service counts them together: a <see cref="CategoryPacer"/> for submits and one
/// for queries, each pinned to what the user said or learned from the service, and the memory of what earlier
/// runs learned (<see cref="LearnedPaceFile"/>).
/// </summary>
internal sealed class AccountRateLimiter
{
    private static readonly Dictionary<string, AccountRateLimiter> ByAccount = new();

    /// <summary>Guards the pacer fields. Never held while a pacer reports (pacers call back under their own lock).</summary>
    private readonly object _gate = new();

    /// <summary>Guards what was learned and not yet written; held only for moments.</summary>
    private readonly object _learnedGate = new();

    /// <summary>One write of the memory at a time.</summary>
    private readonly object _writeGate = new();
    private readonly string _account;
    private readonly PacingClock _clock;
    private readonly LearnedPaceFile? _memory;
    private readonly LearnedPace? _remembered;
    private readonly Random _random = new();
    private readonly HashSet<RequestCategory> _announced = new();
    private int _users;
    private CategoryPacer? _submit;
    private CategoryPacer? _query;
    /// <summary>The log of the command that last used each category: a change of its pace is reported there.</summary>
    private IRequestLog _submitLog = NullRequestLog.Instance;
    private IRequestLog _queryLog = NullRequestLog.Instance;
    private double? _learnedSubmit;
    private double? _learnedQuery;
    private bool _unsaved;

    private AccountRateLimiter(string account, RateLimitSettings settings, PacingClock clock, LearnedPaceFile? memory)
    {
        _account = account;
        _clock = clock;
        _memory = memory;
        Settings = settings;
        _remembered = memory?.Read(account);
        _submit = Create(RequestCategory.Submit, settings.Submit);
        _query = Create(RequestCategory.Query, settings.Query);
    }

    public RateLimitSettings Settings { get; private set; }

    /// <summary>
    /// The limiter for this key at this service. Pinned settings (Connect-ToApis -RateTier, -SubmitRateLimit,
    /// -QueryRateLimit) replace earlier ones; a session that pins nothing never undoes another's pin, and shares
    /// what this process learned so far.
    /// </summary>
    /// <remarks>Each call is one more user of the limiter; <see cref="Release"/> it when the connection is disposed.</remarks>
    public static AccountRateLimiter Acquire(Uri baseUri, string apiKey, RateLimitSettings settings)
    {
        var account = LearnedPaceFile.AccountId(baseUri, apiKey);
        lock (ByAccount)
        {
            if (!ByAccount.TryGetValue(account, out var limiter))
            {
                limiter = new AccountRateLimiter(account, settings, PacingClock.System, LearnedPaceFile.ForCurrentUser());
                ByAccount[account] = limiter;
            }
            else if (settings.AnyPinned)
            {
                limiter.Pin(settings);
            }

            limiter._users++;
            return limiter;
        }
    }

    /// <summary>One user fewer; the last one writes what was learned and stops the pacers.</summary>
    public static void Release(AccountRateLimiter limiter)
    {
        lock (ByAccount)
        {
            if (--limiter._users > 0)
            {
                return;
            }

            ByAccount.Remove(limiter._account);
        }

        limiter.SaveNow();
        lock (limiter._gate)
        {
            limiter._submit?.Dispose();
            limiter._query?.Dispose();
            limiter._submit = limiter._query = null;
        }
    }

    /// <summary>Requests per second the category is paced to (what the service is believed to allow), or null when unpaced.</summary>
    public double? LimitOf(RequestCategory category) => Pacer(category)?.Limit;

    /// <summary>Waits for a token; a request queued on a pacer that was replaced meanwhile queues on the new one.</summary>
    /// <param name="retry">The request was refused before: it goes ahead of first attempts.</param>
    public async Task AcquireAsync(RequestCategory category, IRequestLog log, bool retry, CancellationToken cancellationToken)
    {
        UseLog(category, log);
        Announce(category, log);
        while (Pacer(category) is { } pacer)
        {
            if (await pacer.AcquireAsync(cancellationToken, retry).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>What an answer to a submit or query said about the account's limit.</summary>
    public void Observe(RequestCategory category, LimitSignal signal, IRequestLog log)
    {
        UseLog(category, log);
        Pacer(category)?.Observe(signal);
    }

    private void UseLog(RequestCategory category, IRequestLog log)
    {
        if (category == RequestCategory.Submit)
        {
            Volatile.Write(ref _submitLog, log);
        }
        else
        {
            Volatile.Write(ref _queryLog, log);
        }
    }

    private IRequestLog LogOf(RequestCategory category) =>
        category == RequestCategory.Submit ? Volatile.Read(ref _submitLog) : Volatile.Read(ref _queryLog);

    private CategoryPacer? Pacer(RequestCategory category)
    {
        lock (_gate)
        {
            return category == RequestCategory.Submit ? _submit : _query;
        }
    }

    private void Pin(RateLimitSettings settings)
    {
        lock (_gate)
        {
            if (settings.Submit.IsPinned || settings.Submit.Unpaced)
            {
                _submit = Replace(_submit, RequestCategory.Submit, settings.Submit);
                Settings = Settings with { Submit = settings.Submit };
            }

            if (settings.Query.IsPinned || settings.Query.Unpaced)
            {
                _query = Replace(_query, RequestCategory.Query, settings.Query);
                Settings = Settings with { Query = settings.Query };
            }
        }
    }

    private CategoryPacer? Replace(CategoryPacer? current, RequestCategory category, PaceSetting setting)
    {
        if (current is not null && setting.PinnedPerSecond is { } pinned && current.IsPinned && Math.Abs(current.Limit - pinned) < 1e-9)
        {
            return current;
        }

        // Requests queued on the old pacer move to the new one (see AcquireAsync).
        current?.Dispose();
        return Create(category, setting);
    }

    private CategoryPacer? Create(RequestCategory category, PaceSetting setting)
    {
        if (setting.Unpaced)
        {
            return null;
        }

        var controller = new PaceController(category, setting, setting.IsPinned ? null : _remembered?.For(category), _clock.Now);
        int seed;
        lock (_random)
        {
            seed = _random.Next();
        }

        return new CategoryPacer(controller, _clock, new Random(seed)) { Changed = change => OnChanged(category, controller, change) };
    }

    /// <summary>Runs under the pacer's lock: reports and schedules, never waits.</summary>
    private void OnChanged(RequestCategory category, PaceController controller, PaceChange change)
    {
        var log = LogOf(category);
        if (change.Warning is { } warning)
        {
            log.Warning(warning);
        }
        else if (change.From != change.To)
        {
            log.Verbose(char.ToUpperInvariant(change.Reason[0]) + change.Reason.Substring(1));
        }

        if (change.Settled && !controller.IsPinned && _memory is not null)
        {
            lock (_learnedGate)
            {
                if (category == RequestCategory.Submit)
                {
                    _learnedSubmit = change.To;
                }
                else
                {
                    _learnedQuery = change.To;
                }

                _unsaved = true;
            }

            // Off the pacing path: the file write may wait for another process's lock.
            _ = Task.Run(SaveNow);
        }
    }

    private void Announce(RequestCategory category, IRequestLog log)
    {
        lock (_announced)
        {
            if (!_announced.Add(category))
            {
                return;
            }
        }

        if (Pacer(category) is not { IsPinned: false } pacer)
        {
            return;
        }

        log.Verbose(_remembered?.For(category) is { } remembered
            ? $"{Name(category)} pace starts at {remembered.ToString("0.##", CultureInfo.InvariantCulture)} per second, where a run on this account settled on {_remembered.Updated.ToLocalTime():yyyy-MM-dd HH:mm} ({_memory!.Path})."
            : $"{Name(category)} pace starts at the documented default, {pacer.Limit.ToString("0.##", CultureInfo.InvariantCulture)} per second, and rises while requests wait and the service refuses none.");
    }

    /// <summary>Writes what was learned since the last write.</summary>
    private void SaveNow()
    {
        if (_memory is null)
        {
            return;
        }

        lock (_writeGate)
        {
            LearnedPace learned;
            lock (_learnedGate)
            {
                if (!_unsaved)
                {
                    return;
                }

                _unsaved = false;
                learned = new LearnedPace(_learnedSubmit, _learnedQuery, DateTimeOffset.UtcNow);
            }

            if (_memory.Write(_account, learned) is { } problem)
            {
                LogOf(RequestCategory.Submit).Verbose($"The learned pace could not be remembered ({problem}); the next run starts where it can.");
            }
        }
    }

    private static string Name(RequestCategory category) => category == RequestCategory.Submit ? "Submit" : "Query";
}
