using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace ToApis.Client.RateLimiting;

/// <summary>
/// The pacing of one account (API key at one service), shared by every session and runspace of the process that
/// uses the same key, since the service counts them together: a <see cref="CategoryPacer"/> for submits and one
/// for queries, each pinned to what the user said or read from the service, and the memory of what earlier
/// runs found (<see cref="LearnedPaceFile"/>). Processes and machines sharing the account share nothing here: the
/// service's bucket, which every answer's headers describe, is their coordinator.
/// </summary>
internal sealed class AccountRateLimiter
{
    private static readonly Dictionary<string, AccountRateLimiter> ByAccount = new();

    private static readonly RequestCategory[] Categories = [RequestCategory.Submit, RequestCategory.Query];

    /// <summary>Guards the pacers and settings. Never held while a pacer reports (pacers call back under their own lock).</summary>
    private readonly object _gate = new();

    private readonly string _account;
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly LearnedPaceFile? _memory;
    private readonly LearnedPace? _remembered;
    private readonly HashSet<RequestCategory> _announced = new();
    private int _users;

    /// <summary>Each category's pacer (null: unpaced) and the log of the command that last used it, where a change of its pace is reported.</summary>
    private readonly CategoryPacer?[] _pacers = new CategoryPacer?[Categories.Length];
    private readonly IRequestLog[] _logs = [NullRequestLog.Instance, NullRequestLog.Instance];

    private AccountRateLimiter(string account, RateLimitSettings settings, LearnedPaceFile? memory)
    {
        _account = account;
        _memory = memory;
        Settings = settings;
        _remembered = memory?.Read(account, _time.GetUtcNow());
        foreach (var category in Categories)
        {
            _pacers[(int)category] = Create(category, settings.For(category));
        }
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
                limiter = new AccountRateLimiter(account, settings, LearnedPaceFile.ForCurrentUser());
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

    /// <summary>One user fewer; the last one remembers what the run found and stops the pacers.</summary>
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

        CategoryPacer?[] pacers;
        lock (limiter._gate)
        {
            pacers = limiter._pacers.ToArray();
            Array.Clear(limiter._pacers, 0, pacers.Length);
        }

        limiter.Remember(pacers[(int)RequestCategory.Submit]?.Learned, pacers[(int)RequestCategory.Query]?.Learned);
        foreach (var pacer in pacers)
        {
            pacer?.Dispose();
        }
    }

    /// <summary>Requests per second the account is believed to allow in the category, or null when unpaced.</summary>
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

    private void UseLog(RequestCategory category, IRequestLog log) => Volatile.Write(ref _logs[(int)category], log);

    private IRequestLog LogOf(RequestCategory category) => Volatile.Read(ref _logs[(int)category]);

    private CategoryPacer? Pacer(RequestCategory category)
    {
        lock (_gate)
        {
            return _pacers[(int)category];
        }
    }

    /// <summary>Each category pinned or unpaced in <paramref name="settings"/> gets a new pacer; requests queued on the old one move to it (see AcquireAsync).</summary>
    private void Pin(RateLimitSettings settings)
    {
        lock (_gate)
        {
            foreach (var category in Categories)
            {
                var setting = settings.For(category);
                if (!setting.IsPinned && !setting.Unpaced)
                {
                    continue;
                }

                Settings = Settings.With(category, setting);
                if (_pacers[(int)category] is { IsPinned: true } current && setting.PinnedPerSecond is { } pinned && Math.Abs(current.Limit - pinned) < 1e-9)
                {
                    continue; // the same pin: the pacer keeps what it has read
                }

                _pacers[(int)category]?.Dispose();
                _pacers[(int)category] = Create(category, setting);
            }
        }
    }

    private CategoryPacer? Create(RequestCategory category, PaceSetting setting)
    {
        if (setting.Unpaced)
        {
            return null;
        }

        var controller = new PaceController(category, setting, setting.IsPinned ? null : _remembered?.For(category), TimeSpan.Zero);
        return new CategoryPacer(controller, _time, new Random()) { Changed = change => OnChanged(category, change) };
    }

    /// <summary>Runs under the pacer's lock: reports, never waits.</summary>
    private void OnChanged(RequestCategory category, PaceChange change)
    {
        if (change.Warning is { } warning)
        {
            LogOf(category).Warning(warning);
        }
        else
        {
            LogOf(category).Verbose(char.ToUpperInvariant(change.Reason[0]) + change.Reason.Substring(1));
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
            ? $"{category} pace starts at {remembered.ToString("0.##", CultureInfo.InvariantCulture)} per second, the account's limit a run found on {_remembered.Updated.ToLocalTime():yyyy-MM-dd HH:mm} ({_memory!.Path}), and follows the service's X-RateLimit headers."
            : $"{category} pace starts at the documented default, {pacer.Limit.ToString("0.##", CultureInfo.InvariantCulture)} per second, and follows the service's X-RateLimit headers (without them, it rises while requests wait and the service refuses none).");
    }

    /// <summary>Writes what the run found, for the next run on this account to start from.</summary>
    private void Remember(double? submit, double? query)
    {
        if (_memory is null || (submit is null && query is null))
        {
            return;
        }

        if (_memory.Write(_account, new LearnedPace(submit, query, _time.GetUtcNow())) is { } problem)
        {
            LogOf(RequestCategory.Submit).Verbose($"The account's pace could not be remembered ({problem}); the next run starts where it can.");
        }
    }
}
