using System;
using System.Threading;
using System.Threading.Tasks;
using ToApis.Client.Batches;
using ToApis.Models;

namespace ToApis.Client.Polling;

internal enum WaitOutcomeKind
{
    Completed,
    Failed,
    TimedOut,
    Error,
}

/// <summary>One task to wait for, and whether its status was just read (a bare id's is not known).</summary>
internal sealed record WaitItem(ToApisTask Task, bool StatusKnown);

/// <summary>How waiting for one task ended. <see cref="Error"/> is set for <see cref="WaitOutcomeKind.Error"/>.</summary>
internal sealed record WaitOutcome(ToApisTask Task, WaitOutcomeKind Kind, Exception? Error = null);

/// <summary>
/// Waits for one task: the item function a <see cref="BatchRunner{TItem,TResult}"/> runs for Wait-ToApisTask, which
/// waits for every task at once and takes each outcome as it is known. Polls until the task is completed or
/// failed or its own timeout passes; at most 32 polls are on the wire at once.
/// </summary>
internal sealed class TaskWaiter(ToApisClient client, PollingCadence cadence, TimeSpan timeout)
{
    private readonly SemaphoreSlim _queryConcurrency = new(32);

    /// <summary>How a runner waits: every task at once, each outcome taken as soon as it is known.</summary>
    public static BatchOptions<WaitOutcome> Options(TimeProvider time) => new()
    {
        Succeeded = outcome => outcome.Kind == WaitOutcomeKind.Completed, ErrorIn = outcome => outcome.Error, Time = time,
    };

    /// <summary>A task object that was just read waits one polling interval first; a bare id (unknown status) is looked at at once.</summary>
    public async Task<WaitOutcome> WaitAsync(WaitItem item, BatchSignals batch)
    {
        var (task, statusKnown) = (item.Task, item.StatusKnown);
        var cancellationToken = batch.Stopping;
        var deadline = batch.Time.GetUtcNow() + timeout;
        var current = task;
        var delay = statusKnown ? cadence.FirstDelay : TimeSpan.Zero;
        while (true)
        {
            if (statusKnown && current.IsTerminal)
            {
                return new WaitOutcome(current, current.IsCompleted ? WaitOutcomeKind.Completed : WaitOutcomeKind.Failed);
            }

            var remaining = deadline - batch.Time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                return new WaitOutcome(current, WaitOutcomeKind.TimedOut);
            }

            if (delay > TimeSpan.Zero)
            {
                await batch.Time.DelayAsync(delay < remaining ? delay : remaining, cancellationToken).ConfigureAwait(false);
            }

            if (batch.Latched is { } ended)
            {
                return new WaitOutcome(current, WaitOutcomeKind.Error, ended); // every other poll would fail the same way
            }

            await _queryConcurrency.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                current = (await client.GetTaskAsync(task.Id, cancellationToken).ConfigureAwait(false)).WithLocalContextFrom(task);
                statusKnown = true;
            }
            catch (Exception error) when (error is ToApisApiException or ToApisTransportException or ToApisServiceUnavailableException)
            {
                // A refused key or an outage also ends the batch (its runner latches it): every other poll stops too.
                return new WaitOutcome(current, WaitOutcomeKind.Error, error);
            }
            finally
            {
                _queryConcurrency.Release();
            }

            delay = cadence.NextInterval();
        }
    }
}
