using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using ToApis.Client.Batches;

namespace ToApis.Client.RateLimiting;

/// <summary>
/// Paces one category (submit or query) of one account at the rate its <see cref="PaceController"/> sets: a token
/// bucket that refills at the pace and holds about 10 % (at least one token) less than the service's second, and a
/// first-come queue of requests waiting for tokens, where a retry goes first (it already waited its turn, and
/// rows after it wait for it to be emitted in order). Release times carry a little random jitter, so two processes
/// pacing at the same rate never lock into the same phase, where one of them would always find the service's
/// bucket empty. The controller hears every answer and every backlog, and the pace follows it at once.
/// </summary>
/// <param name="controller">Made at <paramref name="time"/>'s present reading, as zero.</param>
internal sealed class CategoryPacer(PaceController controller, TimeProvider time, Random random) : IDisposable
{
    /// <summary>Up to this share of one interval is added to each release time.</summary>
    private const double Jitter = 0.3;

    private readonly object _gate = new();
    private readonly long _started = time.GetTimestamp();
    private readonly Queue<TaskCompletionSource<bool>> _waiting = new();
    private readonly Queue<TaskCompletionSource<bool>> _retrying = new();
    private double _tokens = Capacity(controller.Limit);
    private TimeSpan _refilledAt;
    private TimeSpan _pausedUntil;
    private bool _dispatching;
    private CancellationTokenSource? _wake;
    private bool _disposed;

    /// <summary>Time since this pacer was made, the controller's zero.</summary>
    private TimeSpan Now => time.GetElapsedTime(_started);

    /// <summary>Reports every change of pace (and why); set by the account's limiter.</summary>
    public Action<PaceChange>? Changed { get; set; }

    public double Limit => Locked(() => controller.Limit);

    public bool IsPinned => controller.IsPinned;

    /// <summary>What the next run on this account should start from, or null.</summary>
    public double? Learned => Locked(() => controller.Learned);

    /// <summary>A whole second of the service's bucket, less the margin for requests that arrive bunched.</summary>
    private static double Capacity(double limit) => Math.Max(1, Math.Floor(limit) - Math.Max(1, Math.Ceiling(limit * 0.1)));

    /// <summary>Waits for a token; false when this pacer was retired meanwhile (the caller asks the new one).</summary>
    /// <param name="retry">A request sent before and refused: it is served before first attempts.</param>
    public Task<bool> AcquireAsync(CancellationToken cancellationToken, bool retry = false)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<bool>(cancellationToken);
        }

        TaskCompletionSource<bool> waiter;
        lock (_gate)
        {
            if (_disposed)
            {
                return Task.FromResult(false);
            }

            var now = Now;
            Refill(now);
            if (Waiting == 0 && now >= _pausedUntil && _tokens >= 1)
            {
                _tokens -= 1;
                Report(controller.Tick(now));
                return Task.FromResult(true);
            }

            waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            (retry ? _retrying : _waiting).Enqueue(waiter);
            controller.Backlog(waiting: true, now);
            Report(controller.Tick(now));
            if (!_dispatching)
            {
                _dispatching = true;
                _ = DispatchAsync();
            }
        }

        if (cancellationToken.CanBeCanceled)
        {
            // A cancelled waiter stays queued but is skipped: it takes no token.
            var registration = cancellationToken.Register(() => waiter.TrySetCanceled(cancellationToken));
            _ = waiter.Task.ContinueWith(_ => registration.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return waiter.Task;
    }

    /// <summary>What an answer said about the service's limit.</summary>
    public void Observe(LimitSignal signal)
    {
        lock (_gate)
        {
            var now = Now;
            Refill(now);
            if (signal.Rejected)
            {
                // The service's bucket is empty now: a burst saved up here would only be refused too.
                _tokens = Math.Min(_tokens, 0);
                if (signal.RetryAfter is { } retryAfter && retryAfter > TimeSpan.FromSeconds(1))
                {
                    // A wait longer than a second's bucket explains: a longer window is spent, and nothing would pass before.
                    var until = now + retryAfter;
                    _pausedUntil = until > _pausedUntil ? until : _pausedUntil;
                }
            }

            Report(controller.Observe(signal, now));
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _wake?.Cancel();
            foreach (var queue in new[] { _retrying, _waiting })
            {
                while (queue.Count > 0)
                {
                    queue.Dequeue().TrySetResult(false);
                }
            }
        }
    }

    /// <summary>Releases queued requests as tokens come, until none is left waiting.</summary>
    private async Task DispatchAsync()
    {
        while (true)
        {
            // Never run on the thread that started or woke this loop: it may hold the lock mid-change.
            await Task.Yield();
            TimeSpan wait;
            CancellationToken wake;
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                var now = Now;
                Refill(now);
                Report(controller.Tick(now));
                while (Waiting > 0 && now >= _pausedUntil && _tokens >= 1)
                {
                    if ((_retrying.Count > 0 ? _retrying : _waiting).Dequeue().TrySetResult(true))
                    {
                        _tokens -= 1;
                    }
                }

                foreach (var queue in new[] { _retrying, _waiting })
                {
                    while (queue.Count > 0 && queue.Peek().Task.IsCompleted)
                    {
                        queue.Dequeue(); // cancelled while waiting
                    }
                }

                if (Waiting == 0)
                {
                    _dispatching = false;
                    controller.Backlog(waiting: false, now);
                    return;
                }

                var pace = controller.Pace;
                var untilToken = TimeSpan.FromSeconds((1 - _tokens) / pace);
                var untilResumed = _pausedUntil - now;
                wait = (untilToken > untilResumed ? untilToken : untilResumed) + TimeSpan.FromSeconds(random.NextDouble() * Jitter / pace);
                _wake?.Dispose();
                _wake = new CancellationTokenSource();
                wake = _wake.Token;
            }

            try
            {
                await time.DelayAsync(wait, wake).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Woken early: the pace went up, or this pacer was retired.
            }
        }
    }

    private int Waiting => _retrying.Count + _waiting.Count;

    private T Locked<T>(Func<T> read)
    {
        lock (_gate)
        {
            return read();
        }
    }

    private void Refill(TimeSpan now)
    {
        var elapsed = (now - _refilledAt).TotalSeconds;
        _refilledAt = now;
        if (elapsed > 0)
        {
            _tokens = Math.Min(Capacity(controller.Limit), _tokens + (elapsed * controller.Pace));
        }
    }

    /// <summary>Applies a change at once (under the lock) and passes it on.</summary>
    private void Report(PaceChange? change)
    {
        if (change is null)
        {
            return;
        }

        _tokens = Math.Min(_tokens, Capacity(controller.Limit));
        if (change.To > change.From)
        {
            _wake?.Cancel(); // a sleeping dispatcher would release at the old, slower pace
        }

        Changed?.Invoke(change);
    }
}
