using System;
using System.Threading;

namespace ToApis.Client.Batches;

/// <summary>How one item of a batch ended.</summary>
internal enum ItemEnd
{
    /// <summary>Its function returned (the result may still carry the item's failure; see <see cref="BatchOptions{TResult}.ErrorIn"/>).</summary>
    Returned,

    /// <summary>Its function threw, or it was not run because an error had ended the batch (<see cref="BatchSignals.Latched"/>).</summary>
    Threw,

    /// <summary>The batch stopped before the item started.</summary>
    NotStarted,

    /// <summary>The batch stopped while the item ran and it did not end within the stop grace.</summary>
    Unanswered,
}

internal sealed record BatchOutcome<TItem, TResult>(TItem Item, TResult? Result, Exception? Error, ItemEnd End);

/// <summary>What an item function sees of its batch.</summary>
internal sealed class BatchSignals(CancellationToken stopping, CancellationToken aborted, Func<Exception?> latched, TimeProvider time)
{
    /// <summary>Cancelled when the batch stops: start nothing new (send nothing more).</summary>
    public CancellationToken Stopping => stopping;

    /// <summary>Cancelled when the stop grace is over: end what is on the wire too.</summary>
    public CancellationToken Aborted => aborted;

    /// <summary>The error that ended the batch (a refused key, an outage): later items would fail the same way.</summary>
    public Exception? Latched => latched();

    public TimeProvider Time => time;
}

internal sealed class BatchOptions<TResult>
{
    /// <summary>Items holding a slot at once; queued items start as slots free up.</summary>
    public int ThrottleLimit { get; init; } = int.MaxValue;

    /// <summary>
    /// Outcomes are taken in the order items were added, and an item holds its slot until its outcome is taken;
    /// otherwise each outcome can be taken as soon as it is known and frees its slot at once.
    /// </summary>
    public bool InOrder { get; init; }

    /// <summary>
    /// One slot at first, one more per successful outcome, up to the limit: a bad key or an empty balance then costs
    /// one request, and a run cut short by <c>Select-Object -First</c> has spent little (TCP's slow start).
    /// </summary>
    public bool SlowStart { get; init; }

    public Func<TResult, bool> Succeeded { get; init; } = _ => true;

    /// <summary>The failure a returned result carries, if its function reports failures rather than throwing them.</summary>
    public Func<TResult, Exception?> ErrorIn { get; init; } = _ => null;

    public TimeProvider Time { get; init; } = TimeProvider.System;
}
