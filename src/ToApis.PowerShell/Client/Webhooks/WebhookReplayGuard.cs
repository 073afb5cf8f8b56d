using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace ToApis.Client.Webhooks;

/// <summary>
/// Lets each webhook event through once (deliveries are at least once, contract §6): remembered in this process
/// always, and in a file shared with other processes when one is given. An id counts as seen from the moment it is
/// accepted, before the script acts on it, as the docs advise, so a duplicate arriving meanwhile is not acted on twice.
/// </summary>
internal sealed class WebhookReplayGuard(SeenEventIds inProcess, SeenEventIdFile? file)
{
    /// <summary>True the first time an id is seen (and records it); false for every later delivery of it.</summary>
    /// <exception cref="System.IO.IOException">The file could not be read or written: nothing was recorded.</exception>
    public async Task<bool> IsFirstDeliveryAsync(string eventId, CancellationToken cancellationToken)
    {
        if (!inProcess.TryAdd(eventId))
        {
            return false;
        }

        if (file is null)
        {
            return true;
        }

        try
        {
            return await file.TryAddAsync(eventId, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Not recorded where other processes look: let a redelivery through rather than lose the event.
            inProcess.Remove(eventId);
            throw;
        }
    }
}

/// <summary>The event ids this process has accepted, the most recent <paramref name="capacity"/> of them.</summary>
internal sealed class SeenEventIds(int capacity)
{
    /// <summary>
    /// One per process, shared by every runspace of an Azure Functions worker or a -Parallel loop; far more than the
    /// events that can be retried at once (retries end about 31 h after a task finishes).
    /// </summary>
    public static SeenEventIds InThisProcess { get; } = new(100_000);

    private readonly object _gate = new();
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly Queue<string> _oldestFirst = new();

    public bool TryAdd(string eventId)
    {
        lock (_gate)
        {
            if (!_ids.Add(eventId))
            {
                return false;
            }

            _oldestFirst.Enqueue(eventId);
            while (_oldestFirst.Count > capacity)
            {
                _ids.Remove(_oldestFirst.Dequeue());
            }

            return true;
        }
    }

    public void Remove(string eventId)
    {
        lock (_gate)
        {
            _ids.Remove(eventId);
        }
    }
}
