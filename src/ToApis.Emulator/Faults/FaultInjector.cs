namespace ToApis.Emulator;

/// <summary>Which requests a fault applies to. <see cref="Any"/> matches every kind, never control routes.</summary>
public enum FaultTarget
{
    Submit,

    /// <summary>Every task status request, lookups by client_business_id included.</summary>
    Query,
    Upload,
    Files,
    Any,

    /// <summary>Only status requests that name a client_business_id rather than a task id (a reconciling lookup).</summary>
    BusinessIdLookup,
}

public enum FaultKind
{
    /// <summary>No fault: the request is served normally. Scheduled first, it places a fault at the n-th request.</summary>
    Pass,

    /// <summary>500 <c>internal_error</c>; nothing is processed.</summary>
    Status500,

    /// <summary>502 with a reverse proxy's HTML error page; nothing is processed.</summary>
    Status502HtmlPage,

    /// <summary>A plain 503 (not <c>rate_limit_unavailable</c>); nothing is processed.</summary>
    Status503,

    /// <summary>The connection is aborted before anything is processed.</summary>
    ResetBeforeProcessing,

    /// <summary>The request is processed (a task IS created), then the connection is aborted without a response.</summary>
    ResetAfterProcessing,

    /// <summary>The request is processed, then answered 500 <c>internal_error</c>.</summary>
    Status500AfterProcessing,

    /// <summary>The request is processed, then the answer waits <see cref="FaultInjector.Delay"/> (cancelled if the client gives up).</summary>
    DelayResponse,

    /// <summary>The request is processed, then answered 200 with a cut-off JSON body.</summary>
    MalformedJson,

    /// <summary>The request is processed; the answer declares its full Content-Length, sends half and aborts.</summary>
    TruncatedBody,

    /// <summary>
    /// The request is processed; the answer declares its full Content-Length, sends half, then stalls for
    /// <see cref="FaultInjector.Delay"/> before the rest: a download a client can be stopped in the middle of.
    /// </summary>
    StallMidBody,

    /// <summary>
    /// The request is processed; the answer has no Content-Length and ends cleanly after half its body, as a proxy
    /// that closes early does: only the content itself can tell it is short.
    /// </summary>
    CutBodyNoLength,

    /// <summary>400 <c>invalid_request</c>; nothing is processed: a lookup the service refuses to answer.</summary>
    Status400,

    /// <summary>403 with a CDN's plain-text page; nothing is processed (a files-host blip).</summary>
    Status403,

    /// <summary>404 with a CDN's plain-text page; nothing is processed (a files-host blip).</summary>
    Status404,

    /// <summary>200 with <c>{}</c>, valid JSON that is no answer at all (a misbehaving gateway); nothing is processed.</summary>
    EmptyJsonObject,

    /// <summary>
    /// The request waits <see cref="FaultInjector.Delay"/> before it is processed (a queueing gateway): a submit's task
    /// does not exist yet while it waits, so lookups by client_business_id find nothing.
    /// </summary>
    DelayBeforeProcessing,
}

/// <summary>
/// Scheduled and random faults. Scheduled faults (<see cref="Add"/>) are consumed first, in the order they were added;
/// random ones (<see cref="SetRate"/>) draw from a generator seeded with <see cref="EmulatorOptions.Seed"/>.
/// </summary>
public sealed class FaultInjector
{
    private readonly Lock gate = new();
    private readonly List<ScheduledFault> scheduled = [];
    private readonly Dictionary<(FaultTarget Target, FaultKind Kind), double> rates = [];
    private readonly EmulatorRandom random;

    internal FaultInjector(int? seed) => random = new EmulatorRandom(seed);

    /// <summary>Real time that <see cref="FaultKind.DelayResponse"/> holds an answer back.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Applies <paramref name="kind"/> to the next <paramref name="count"/> requests matching <paramref name="target"/>.</summary>
    public void Add(FaultTarget target, FaultKind kind, int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        lock (gate)
        {
            scheduled.Add(new ScheduledFault(target, kind) { Remaining = count });
        }
    }

    /// <summary>Applies <paramref name="kind"/> to a random fraction of matching requests; 0 removes the rule.</summary>
    public void SetRate(FaultTarget target, FaultKind kind, double rate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rate, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rate, 1);
        lock (gate)
        {
            if (rate == 0)
            {
                rates.Remove((target, kind));
            }
            else
            {
                rates[(target, kind)] = rate;
            }
        }
    }

    public void Clear()
    {
        lock (gate)
        {
            scheduled.Clear();
            rates.Clear();
        }
    }

    /// <summary>Takes the fault, if any, for one request of kind <paramref name="target"/>.</summary>
    internal FaultKind? Next(FaultTarget target)
    {
        lock (gate)
        {
            var next = scheduled.FirstOrDefault(fault => Matches(fault.Target, target));
            if (next is not null)
            {
                if (--next.Remaining == 0)
                {
                    scheduled.Remove(next);
                }

                return next.Kind == FaultKind.Pass ? null : next.Kind;
            }

            foreach (var ((ruleTarget, kind), rate) in rates)
            {
                if (Matches(ruleTarget, target) && random.NextDouble() < rate)
                {
                    return kind;
                }
            }

            return null;
        }
    }

    private static bool Matches(FaultTarget rule, FaultTarget request) =>
        rule == FaultTarget.Any || rule == request || (rule == FaultTarget.Query && request == FaultTarget.BusinessIdLookup);

    private sealed record ScheduledFault(FaultTarget Target, FaultKind Kind)
    {
        public int Remaining { get; set; }
    }
}
