using System;
using System.Collections.Generic;
using System.Globalization;

namespace ToApis.Client.RateLimiting;

/// <summary>What one answer of the service said about its limit (contract §5: headers on limited responses, and often on others).</summary>
internal readonly struct LimitSignal
{
    public LimitSignal(bool rejected, int? limit, TimeSpan? resetIn, TimeSpan? retryAfter)
    {
        Rejected = rejected;
        Limit = limit;
        ResetIn = resetIn;
        RetryAfter = retryAfter;
    }

    /// <summary>A 429: the request was refused by the rate limiter and nothing was done.</summary>
    public bool Rejected { get; }

    /// <summary>X-RateLimit-Limit.</summary>
    public int? Limit { get; }

    /// <summary>X-RateLimit-Reset, as time from now (the header may be Unix seconds or seconds to go).</summary>
    public TimeSpan? ResetIn { get; }

    public TimeSpan? RetryAfter { get; }
}

/// <summary>
/// A change of pace and why, for -Verbose. <see cref="Settled"/>: a figure worth remembering for the next run
/// (<see cref="From"/> may equal <see cref="To"/> then). <see cref="Warning"/>: a pinned setting above what the
/// service allows.
/// </summary>
internal sealed record PaceChange(double From, double To, string Reason, bool Settled = false, string? Warning = null);

/// <summary>
/// The pacing policy of one category of one account, as pure arithmetic on a clock reading. It keeps a belief of
/// how many requests per second the service accepts from this process (<see cref="Limit"/>) and sends a little
/// under it (<see cref="Pace"/>).
/// <list type="bullet">
/// <item>Learned (not pinned): it starts at what an earlier run learned, else at the documented default tier,
/// and while requests queue for the pace and the service has refused nothing, doubles every quarter second (as
/// TCP's slow start does: a 429 costs nothing but a retry) up to the top documented tier, or to the limit the
/// service's headers report.</item>
/// <item>A 429 in slow start settles on the reported limit, else halves to the last pace that was accepted.
/// 429s that keep coming for a second are a measurement: the service accepted this many per second from this
/// process (the account's budget is lower than documented, or shared), and the pace settles there. Two
/// processes on one account so each settle on their share, and keep probing for more, which evens the shares
/// out.</item>
/// <item>After settling it holds, then probes slowly for more room (the other process may have finished, the
/// account may have been upgraded), holding longer each time the same limit is found again.</item>
/// <item>Pinned: the pace never goes above the figure the user gave, but still yields to 429s.</item>
/// </list>
/// </summary>
internal sealed class PaceController
{
    /// <summary>Send at this share of the believed limit: the service counts arrivals, the client departures.</summary>
    public const double Safety = 0.97;

    private static readonly TimeSpan SlowStartTick = TimeSpan.FromSeconds(0.25);
    private static readonly TimeSpan SteadyTick = TimeSpan.FromSeconds(1);

    /// <summary>A 429 this long after the one before starts a new round; within it, 429s measure the service.</summary>
    private static readonly TimeSpan RoundLength = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan MeasureAfter = TimeSpan.FromSeconds(1);

    /// <summary>Acceptances a measurement needs: fewer, and one more or less would move it by more than an eighth.</summary>
    private const int MeasureSample = 8;
    private static readonly TimeSpan ShortHold = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan LongestHold = TimeSpan.FromMinutes(2);

    /// <summary>A reset this close means the reported limit counts per second (contract U8: format unknown).</summary>
    private static readonly TimeSpan PerSecondWindow = TimeSpan.FromSeconds(2.5);

    private const double ProbeStep = 0.02;

    private readonly string _name;
    private readonly double? _pinned;
    private double _ceiling;
    private readonly double _floor;
    private readonly double _documentedStart;
    private readonly Queue<TimeSpan> _accepted = new();
    private bool _slowStart;
    private TimeSpan _holdUntil;
    private TimeSpan? _roundStart;
    private TimeSpan _hold = ShortHold;
    private double? _lastMeasured;
    private double? _serverLimit;
    private TimeSpan _tickStart;
    private TimeSpan _busy;
    private TimeSpan? _busySince;
    private bool _warned;

    /// <param name="remembered">What an earlier run on this account settled on; ignored when pinned.</param>
    public PaceController(RequestCategory category, PaceSetting setting, double? remembered, TimeSpan now)
    {
        _name = category.ToString().ToLowerInvariant();
        _documentedStart = DocumentedLimits.Start(category);
        _floor = _documentedStart * 0.02;
        _tickStart = now;
        if (setting.PinnedPerSecond is { } pinned)
        {
            _pinned = pinned;
            _ceiling = pinned;
            Limit = pinned;
        }
        else
        {
            Limit = remembered ?? _documentedStart;
            _ceiling = Math.Max(DocumentedLimits.Top(category), remembered ?? 0);
            _slowStart = remembered is null;
            _holdUntil = remembered is null ? now : now + ShortHold;
        }
    }

    /// <summary>Requests per second the service is believed to accept from this process.</summary>
    public double Limit { get; private set; }

    /// <summary>Requests per second actually sent.</summary>
    public double Pace => Limit * Safety;

    public bool IsPinned => _pinned is not null;

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

    /// <summary>Learns from one answer: a limit the headers report, an acceptance, or a 429.</summary>
    public PaceChange? Observe(LimitSignal signal, TimeSpan now)
    {
        PaceChange? change = null;
        if (PerSecondLimit(signal) is { } reported && reported != _serverLimit)
        {
            // Acted on once per figure: a limit reported in whole requests may be rounded down, and probing
            // (or the measurements that follow 429s) may find the real figure above it.
            _serverLimit = reported;
            if (_pinned is null && reported > _ceiling)
            {
                _ceiling = reported; // the account has more than the top documented tier, and says so
            }

            if (reported < Limit)
            {
                var warning = _pinned is { } pinned && reported < pinned * 0.9 && !_warned
                    ? $"The service reports a {_name} limit of {Number(reported)} per second, below the {Number(pinned)} this session was given (Connect-ToApis -RateTier, -SubmitRateLimit or -QueryRateLimit); pacing to the service's figure."
                    : null;
                _warned |= warning is not null;
                change = Set(reported, $"the service reports a limit of {Number(reported)} per second", warning: warning);
            }
        }

        if (!signal.Rejected)
        {
            _accepted.Enqueue(now);
            while (_accepted.Count > 0 && _accepted.Peek() < now - RoundLength - SteadyTick)
            {
                _accepted.Dequeue();
            }

            return change;
        }

        if (_slowStart)
        {
            _slowStart = false;
            _roundStart = now;
            _holdUntil = now + RoundLength;
            return (_serverLimit is { } limit && limit <= Limit
                ? Lower(limit, $"the service answered 429 and reports a limit of {Number(limit)} per second")
                : Lower(Limit / 2, "the service answered 429; back to the last pace it accepted")) ?? change;
        }

        if (_roundStart is { } start && now - start <= RoundLength)
        {
            return now - start < MeasureAfter || AcceptedSince(start) < MeasureSample ? change : Measure(start, now) ?? change;
        }

        // A first 429: probing stops while the next ones (if any) show what the service accepts.
        _roundStart = now;
        _holdUntil = Max(_holdUntil, now + RoundLength);
        return change;
    }

    /// <summary>Raises the pace when requests have been waiting for it and nothing says the service is full.</summary>
    public PaceChange? Tick(TimeSpan now)
    {
        var interval = now - _tickStart;
        if (interval < (_slowStart ? SlowStartTick : SteadyTick))
        {
            return null;
        }

        var busy = _busy + (_busySince is { } since ? now - since : TimeSpan.Zero);
        var saturated = busy.Ticks * 2 >= interval.Ticks;
        _busy = TimeSpan.Zero;
        _busySince = _busySince is null ? null : now;
        _tickStart = now;
        if (_roundStart is { } start && now - start > RoundLength)
        {
            _roundStart = null; // a lone 429: jitter, not a full service
        }

        if (!saturated || now < _holdUntil || _roundStart is not null)
        {
            return null;
        }

        if (_slowStart)
        {
            var cap = Math.Min(_ceiling, _serverLimit ?? _ceiling);
            if (Limit * 2 >= cap)
            {
                _slowStart = false;
                _holdUntil = now + ShortHold;
                return Set(cap, cap < _ceiling
                        ? $"requests are waiting and the service reports a limit of {Number(cap)} per second"
                        : "requests are waiting and the service has refused none, up to the top documented tier",
                    settled: true)
                    ?? new PaceChange(Limit, Limit, $"{_name} pace stays at {Number(Limit)} per second: the service reports that limit.", Settled: true);
            }

            return Set(Limit * 2, "requests are waiting for the pace and the service has refused none");
        }

        var step = ProbeStep * (_serverLimit ?? Math.Max(Limit, _documentedStart));
        if (_serverLimit is { } reported && Limit < 0.9 * reported)
        {
            step = Math.Max(step, 0.25 * (reported - Limit)); // far below what the service reports: a partner may have left
        }
        else if (_serverLimit is { } whole && _lastMeasured is null && Limit < whole + 1)
        {
            step = Math.Max(step, 0.5); // a limit reported in whole requests may be rounded down: 2 may mean 2.5
        }

        return Set(Math.Min(_ceiling, Limit + step), "probing for more room: requests are waiting and the service has refused none for a while");
    }

    private PaceChange? Measure(TimeSpan start, TimeSpan now)
    {
        var measured = AcceptedSince(start) / (now - start).TotalSeconds;
        var estimate = _serverLimit is { } reported && Math.Abs(reported - measured) <= 0.1 * measured ? reported : measured;
        estimate = Math.Max(estimate, Limit / 2); // never more than halve at once: the others back off too
        _hold = _serverLimit is { } limit && estimate < 0.9 * limit
            ? ShortHold // sharing the account: look for a partner's leftovers soon
            : _lastMeasured is { } last && Math.Abs(estimate - last) <= 0.1 * last
                ? Min(LongestHold, TimeSpan.FromTicks(_hold.Ticks * 2))
                : ShortHold;
        _lastMeasured = estimate;
        _roundStart = null;
        _holdUntil = now + _hold;
        var why = $"429s kept coming and the service accepted {Number(measured)} per second from this process";
        return Lower(estimate, why, settled: true)
            ?? new PaceChange(Limit, Limit, $"{_name} pace stays at {Number(Limit)} per second: {why}.", Settled: true);
    }

    /// <summary>The service refused: lower the pace, unless it is lower already.</summary>
    private PaceChange? Lower(double to, string reason, bool settled = false) => to < Limit ? Set(to, reason, settled) : null;

    private int AcceptedSince(TimeSpan start)
    {
        var accepted = 0;
        foreach (var at in _accepted)
        {
            accepted += at >= start ? 1 : 0;
        }

        return accepted;
    }

    /// <summary>A reported limit that counts per second (its window resets within seconds), or null.</summary>
    private int? PerSecondLimit(LimitSignal signal) =>
        signal.Limit is { } limit && limit > 0 && limit <= Math.Max(_ceiling, _documentedStart) * 1.5
        && signal.ResetIn is { } reset && reset <= PerSecondWindow
            ? limit
            : null;

    private PaceChange? Set(double to, string reason, bool settled = false, string? warning = null)
    {
        to = Math.Min(_ceiling, Math.Max(_floor, to));
        if (Math.Abs(to - Limit) < 1e-9)
        {
            return null;
        }

        var change = new PaceChange(Limit, to, $"{_name} pace {(to > Limit ? "raised" : "lowered")} from {Number(Limit)} to {Number(to)} per second: {reason}.", settled, warning);
        Limit = to;
        return change;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
