using System;
using System.Threading;
using System.Threading.Tasks;
using ToApis.Models;

namespace ToApis.Client.Polling;

internal enum WaitOutcomeKind
{
    Completed,
    Failed,
    TimedOut,
    Error,
}

/// <summary>How waiting for one task ended. <see cref="Error"/> is set for <see cref="WaitOutcomeKind.Error"/>.</summary>
internal sealed record WaitOutcome(ToApisTask Task, WaitOutcomeKind Kind, Exception? Error = null);

/// <summary>
/// Polls every added task concurrently until it is completed or failed, or its own timeout passes, and
/// reports each outcome the moment it is known. Tasks may be added while others are being polled.
/// </summary>
internal sealed class TaskWaiter
{
    private readonly ToApisClient _client;
    private readonly PollingCadence _cadence;
    private readonly TimeSpan _timeout;
    private readonly Action<WaitOutcome> _report;
    private readonly CancellationToken _cancellationToken;
    private readonly SemaphoreSlim _queryConcurrency;
    private readonly PendingWork _pending = new();
    private Exception? _fatal;

    public TaskWaiter(
        ToApisClient client, PollingCadence cadence, TimeSpan timeout, Action<WaitOutcome> report,
        CancellationToken cancellationToken, int maxConcurrentQueries = 32)
    {
        _client = client;
        _cadence = cadence;
        _timeout = timeout;
        _report = report;
        _cancellationToken = cancellationToken;
        _queryConcurrency = new SemaphoreSlim(maxConcurrentQueries);
    }

    /// <summary>Completes when every added task has an outcome after <see cref="CompleteAdding"/>.</summary>
    public Task Completion => _pending.Completion;

    /// <summary>
    /// Starts watching a task. A task object that was just read waits one polling interval first;
    /// a bare id (unknown status) is looked at at once.
    /// </summary>
    public void Add(ToApisTask task, bool statusKnown)
    {
        _pending.Add();
        _ = TrackAsync(task, statusKnown);
    }

    public void CompleteAdding() => _pending.CompleteAdding();

    private async Task TrackAsync(ToApisTask task, bool statusKnown)
    {
        try
        {
            var outcome = await PollUntilDoneAsync(task, statusKnown).ConfigureAwait(false);
            if (outcome is not null)
            {
                _report(outcome);
            }
        }
        catch (OperationCanceledException) when (_cancellationToken.IsCancellationRequested)
        {
            // Stopped: nothing more to report.
        }
        catch (Exception unexpected)
        {
            _report(new WaitOutcome(task, WaitOutcomeKind.Error, unexpected));
        }
        finally
        {
            _pending.Done();
        }
    }

    private async Task<WaitOutcome?> PollUntilDoneAsync(ToApisTask task, bool statusKnown)
    {
        var deadline = DateTimeOffset.UtcNow + _timeout;
        var current = task;
        var delay = statusKnown ? _cadence.FirstDelay : TimeSpan.Zero;
        while (true)
        {
            if (statusKnown && current.IsTerminal)
            {
                return Finished(current);
            }

            var remaining = deadline - DateTimeOffset.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                return new WaitOutcome(current, WaitOutcomeKind.TimedOut);
            }

            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay < remaining ? delay : remaining, _cancellationToken).ConfigureAwait(false);
            }

            if (Volatile.Read(ref _fatal) is { } fatal)
            {
                return new WaitOutcome(current, WaitOutcomeKind.Error, fatal);
            }

            await _queryConcurrency.WaitAsync(_cancellationToken).ConfigureAwait(false);
            try
            {
                current = (await _client.GetTaskAsync(task.Id, _cancellationToken).ConfigureAwait(false))
                    .WithLocalContextFrom(task);
                statusKnown = true;
            }
            catch (ToApisApiException error)
            {
                if (error.IsFatalForSession)
                {
                    // Every other poll would fail the same way: stop them all.
                    Interlocked.CompareExchange(ref _fatal, error, null);
                }

                return new WaitOutcome(current, WaitOutcomeKind.Error, error);
            }
            catch (ToApisTransportException error)
            {
                return new WaitOutcome(current, WaitOutcomeKind.Error, error);
            }
            catch (ToApisServiceUnavailableException error)
            {
                // The breaker opened: every other poll stops too, the command reports it once.
                Interlocked.CompareExchange(ref _fatal, error, null);
                return new WaitOutcome(current, WaitOutcomeKind.Error, error);
            }
            finally
            {
                _queryConcurrency.Release();
            }

            delay = _cadence.NextInterval();
        }
    }

    private static WaitOutcome Finished(ToApisTask task) =>
        new(task, task.IsCompleted ? WaitOutcomeKind.Completed : WaitOutcomeKind.Failed);
}
