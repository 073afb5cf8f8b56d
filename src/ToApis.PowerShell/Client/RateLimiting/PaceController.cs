using System;
using System.Globalization;

namespace ToApis.Client.RateLimiting;

/// <summary>What one answer of the service said about its limit (contract §5: headers on limited responses).</summary>
/// <param name="Rejected">A 429: the request was refused by the rate limiter and nothing was done.</param>
/// <param name="Remaining">X-RateLimit-Remaining: what the account's bucket (all its keys, processes and machines) has left.</param>
/// <param name="ResetIn">X-RateLimit-Reset, as time from now (the header may be Unix seconds or seconds to go).</param>
internal readonly record struct LimitSignal(bool Rejected, int? Limit, int? Remaining, TimeSpan? ResetIn, TimeSpan? RetryAfter);

/// <summary>A change of pace and why, for -Verbose; <see cref="Warning"/>: a pinned setting above what the service allows.</summary>
internal sealed record PaceChange(double From, double To, string Reason, string? Warning = null);

/// <summary>
/// The pacing policy of one category of one account, as arithmetic on a clock reading. The service's bucket is
/// shared by every key, process and machine of the account, and its headers say how full it is, so the pace is
/// read from them rather than learned by being refused:
/// <list type="bullet">
/// <item><see cref="Limit"/>, the account's rate: a per-second <c>X-RateLimit-Limit</c> (its window resets within
/// seconds) is believed at once; before one arrives, what an earlier run read, else the documented default.</item>
/// <item><see cref="Pace"/>, what this process sends, steers the bucket's <c>X-RateLimit-Remaining</c> to a third
/// of it: falling means the account (this process and any other) sends faster than it refills, full means room is
/// unused. Every process reading the same bucket corrects by half what it sees, so two or three of them share
/// it without a word between them; raises are equal and cuts proportional, so their shares even out.</item>
/// <item>When accepted answers carry no headers, a 429 cuts the pace to 70 % (once a second, however many come)
/// and the pace rises gently while requests wait; until the first refusal or reading it doubles each quarter
/// second (slow start).</item>
/// <item>Pinned: the pace never goes above the figure the user gave, but still follows the bucket and 429s.</item>
/// </list>
/// </summary>
/// <param name="remembered">The account's rate an earlier run found; ignored when pinned.</param>
/// <param name="now">The clock reading this controller starts at.</param>
internal sealed class PaceController(RequestCategory category, PaceSetting setting, double? remembered, TimeSpan now)
{
    /// <summary>Send at this share of the limit: the service counts arrivals, the client departures.</summary>
    public const double Safety = 0.97;

    /// <summary>Two readings of Remaining this far apart show which way the bucket goes.</summary>
    private static readonly TimeSpan ReadingInterval = TimeSpan.FromSeconds(1);

    /// <summary>Seconds in which the bucket's level should be back at its target.</summary>
    private const double Settling = 2;

    private const double RefusalCut = 0.7;

    /// <summary>Without readings: the pace rises this share of the limit per second while requests wait.</summary>
    private const double ProbeStep = 0.04;

    private static readonly TimeSpan SlowStartTick = TimeSpan.FromSeconds(0.25);
    private static readonly TimeSpan SteadyTick = TimeSpan.FromSeconds(1);

    /// <summary>A reset this close means the reported limit counts per second (contract U8: format unknown).</summary>
    private static readonly TimeSpan PerSecondWindow = TimeSpan.FromSeconds(2.5);

    private readonly string _name = category.ToString().ToLowerInvariant();
    private readonly double? _pinned = setting.PinnedPerSecond;
    private readonly double _floor = DocumentedLimits.Start(category) * 0.02;
    private readonly double _start = setting.PinnedPerSecond ?? remembered ?? DocumentedLimits.Start(category);
    private double _ceiling = setting.PinnedPerSecond ?? Math.Max(DocumentedLimits.Top(category), remembered ?? 0);
    private int? _reported;
    private double? _limitRead;
    private (TimeSpan At, int Remaining, int Accepted)? _reading;
    private int _accepted;
    private TimeSpan? _lastReadingAt;
    private TimeSpan? _lastCut;
    private bool _slowStart = setting.PinnedPerSecond is null && remembered is null;
    private double? _paceBeforeCut;
    private TimeSpan _tickStart = now;
    private TimeSpan _busy;
    private TimeSpan? _busySince;
    private bool _warned;

    /// <summary>Requests per second the account is believed to allow: read from the service, pinned, else what the pace found.</summary>
    public double Limit => _limitRead ?? _pinned ?? Pace / Safety;

    /// <summary>Requests per second this process sends.</summary>
    public double Pace { get; private set; } = (setting.PinnedPerSecond ?? remembered ?? DocumentedLimits.Start(category)) * Safety;

    public bool IsPinned => _pinned is not null;

    /// <summary>
    /// What the next run on this account should start from: the limit read, else the pace a refusal cut, else a
    /// pace raised without refusal; null when nothing was found.
    /// </summary>
    public double? Learned => IsPinned ? null : _reported ?? _paceBeforeCut ?? (Limit > _start ? Limit : null);

    /// <summary>Requests are (true) or are not (false) waiting for the pace: demand exceeds it while they wait.</summary>
    public void Backlog(bool waiting, TimeSpan now)
    {
        if (waiting && _busySince is null)
        {
            _busySince = now;
        }
        else if (!waiting && _busySince is { } since)
        {
            _busy += now - since;
            _busySince = null;
        }
    }

    /// <summary>Reads one answer: the limit and level of the account's bucket, or a 429.</summary>
    public PaceChange? Observe(LimitSignal signal, TimeSpan now)
    {
        var change = ReadLimit(signal);
        if (signal.Rejected)
        {
            _slowStart = false;
            _reading = null; // a refused request took nothing: the level starts again from the next acceptance
            if (_lastCut is { } cut && now - cut < SteadyTick)
            {
                return change; // one burst of refusals is one signal
            }

            _lastCut = now;
            _paceBeforeCut = Pace / Safety;
            return Set(Math.Min(Pace, Limit * Safety) * RefusalCut, "the service answered 429") ?? change;
        }

        if (signal.Remaining is not { } remaining || _reported is not { } limit)
        {
            return change;
        }

        _lastReadingAt = now;
        _accepted++;
        if (_reading is not { } before)
        {
            _reading = (now, remaining, _accepted);
            return change;
        }

        var elapsed = (now - before.At).TotalSeconds;
        if (elapsed < ReadingInterval.TotalSeconds)
        {
            return change;
        }

        _reading = (now, remaining, _accepted);
        if (!Saturated(now))
        {
            return change; // the pace holds nothing back: it is not what spends the bucket
        }

        // The bucket's slope is the account's refill less everyone's sending; a burst this process saved up passes
        // (it is not the pace's error). Sending below the pace (release jitter) is not added back: the bucket's
        // level then asks for more, which makes up for it.
        var sentOverPace = Math.Max(0, ((_accepted - before.Accepted) / elapsed) - Pace);
        var target = Math.Max(0, (limit - 2) / 3.0);
        var correction = ((remaining - before.Remaining) / elapsed) + sentOverPace + ((remaining - target) / Settling);

        // Half of what the bucket shows: every process reading it corrects too. Raises alike, cuts by share.
        Pace = Clamp(Pace + (correction > 0 ? correction / 2 : correction * Pace / Limit));
        return change;
    }

    /// <summary>Without readings of the bucket: raises the pace while requests wait and the service refuses none.</summary>
    public PaceChange? Tick(TimeSpan now)
    {
        var interval = now - _tickStart;
        if (interval < (_slowStart ? SlowStartTick : SteadyTick) || (_lastReadingAt is { } read && now - read < SteadyTick + SteadyTick))
        {
            return null;
        }

        var saturated = Saturated(now);
        if (!saturated || (_lastCut is { } cut && now - cut < SteadyTick))
        {
            return null;
        }

        return _slowStart
            ? Set(Pace * 2, "requests are waiting for the pace and the service has refused none")
            : Set(Pace + (ProbeStep * Limit), "probing for more room: requests are waiting and the service has refused none for a while");
    }

    /// <summary>Whether requests waited for the pace for at least half the time since the last look; starts a new look.</summary>
    private bool Saturated(TimeSpan now)
    {
        var interval = now - _tickStart;
        var busy = _busy + (_busySince is { } since ? now - since : TimeSpan.Zero);
        _busy = TimeSpan.Zero;
        _busySince = _busySince is null ? null : now;
        _tickStart = now;
        return busy.Ticks * 2 >= interval.Ticks;
    }

    /// <summary>A per-second limit the service reports for the first time (or a new one) is the account's rate.</summary>
    private PaceChange? ReadLimit(LimitSignal signal)
    {
        if (signal.Limit is not { } reported || reported <= 0 || signal.ResetIn is not { } reset || reset > PerSecondWindow
            || reported == _reported)
        {
            return null;
        }

        _reported = reported;
        _slowStart = false;
        if (_pinned is { } pinned)
        {
            // A figure within a tenth of the pin is the pin rounded to whole requests (svip's 33.3 reads as 33).
            if (reported >= pinned * 0.9)
            {
                return null;
            }

            _limitRead = reported;
            var warning = _warned ? null
                : $"The service reports a {_name} limit of {Number(reported)} per second, below the {Number(pinned)} this session was given (Connect-ToApis -RateTier, -SubmitRateLimit or -QueryRateLimit); pacing to the service's figure.";
            _warned = true;
            return Set(reported * Safety, $"the service reports a limit of {Number(reported)} per second", warning);
        }

        // A limit in whole requests may be rounded down (2 may mean 2.5): the bucket's level may take the pace above it.
        _limitRead = reported;
        _ceiling = Math.Max(reported * 1.5, reported + 1);
        return Set(reported * Safety, $"the service reports a limit of {Number(reported)} per second");
    }

    private double Clamp(double pace) => Math.Min(_ceiling * Safety, Math.Max(_floor, pace));

    private PaceChange? Set(double to, string reason, string? warning = null)
    {
        to = Clamp(to);
        if (Math.Abs(to - Pace) < 1e-9 && warning is null)
        {
            return null;
        }

        var change = new PaceChange(Pace, to, $"{_name} pace {(to > Pace ? "raised" : "lowered")} from {Number(Pace)} to {Number(to)} per second: {reason}.", warning);
        Pace = to;
        return change;
    }

    private static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
