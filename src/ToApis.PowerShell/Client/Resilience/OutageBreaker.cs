using System;
using System.Threading;
using System.Threading.Tasks;

namespace ToApis.Client.Resilience;

/// <summary>What one attempt says about the health of the host it went to.</summary>
internal enum AttemptHealth
{
    /// <summary>The host answered (any 2xx that can be read, a business 4xx, a 429): the streak ends.</summary>
    Answered,

    /// <summary>A 5xx, a network error, a timeout, a body cut short or unreadable.</summary>
    Failed,

    /// <summary>Says nothing of the host: a local file error, a cancellation.</summary>
    Unknown,
}

/// <summary>
/// A circuit breaker for one host of one connection (session), shared by every request to it: when requests
/// keep failing in a row (5xx, network errors, timeouts; never business 4xx or 429), it opens, every further
/// attempt fails at once with <see cref="ToApisServiceUnavailableException"/>, and commands stop as a whole
/// instead of letting each row wait through its own retries. It opens after <see cref="FailuresToOpen"/>
/// failures in a row spanning <see cref="FailingForToOpen"/> (a blip of a few concurrent failures does not
/// count), or after <see cref="FailuresToOpenAtOnce"/> in a row whatever the time. A new command
/// (<see cref="AllowProbe"/>) may send one probe request; the others wait for its answer, and an answer
/// closes the breaker.
/// </summary>
/// <param name="service">How messages name the host, e.g. "The service at https://toapis.com/".</param>
internal sealed class OutageBreaker(string service, Func<DateTimeOffset> now)
{
    public const int FailuresToOpen = 5;
    public const int FailuresToOpenAtOnce = 30;
    public static readonly TimeSpan FailingForToOpen = TimeSpan.FromSeconds(10);

    private readonly object _gate = new();
    private int _failuresInARow;
    private DateTimeOffset _firstFailure;
    private ToApisServiceUnavailableException? _open;
    private bool _probeAllowed;
    private TaskCompletionSource<bool>? _probe;

    public bool IsOpen => Volatile.Read(ref _open) is not null;

    /// <summary>
    /// Before an attempt: returns at once while closed; while open, throws, unless this attempt may be the
    /// probe a new command is allowed, or waits for that probe's answer.
    /// </summary>
    public async Task EnterAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task waitFor;
            lock (_gate)
            {
                if (_open is null)
                {
                    return;
                }

                if (_probe is null)
                {
                    if (!_probeAllowed)
                    {
                        throw _open;
                    }

                    _probe = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                    return; // this attempt is the probe
                }

                waitFor = _probe.Task;
            }

            var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            using (cancellationToken.Register(() => cancelled.TrySetResult(true)))
            {
                await Task.WhenAny(waitFor, cancelled.Task).ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>After an attempt: what it says of the host. Opens the breaker when the streak is long enough.</summary>
    public void Record(AttemptHealth health, string? failure = null)
    {
        TaskCompletionSource<bool>? probe;
        lock (_gate)
        {
            probe = _probe;
            _probe = null;
            switch (health)
            {
                case AttemptHealth.Answered:
                    _failuresInARow = 0;
                    _open = null;
                    _probeAllowed = false;
                    break;
                case AttemptHealth.Failed:
                    var at = now();
                    if (_failuresInARow++ == 0)
                    {
                        _firstFailure = at;
                    }

                    var failingFor = at - _firstFailure;
                    if (_open is not null || (_failuresInARow >= FailuresToOpen && failingFor >= FailingForToOpen) || _failuresInARow >= FailuresToOpenAtOnce)
                    {
                        _open = new ToApisServiceUnavailableException(service, _failuresInARow, failingFor, failure ?? "a failure");
                        _probeAllowed = false;
                    }

                    break;
            }
        }

        probe?.TrySetResult(true);
    }

    /// <summary>A new command starts: if the breaker is open, its first request may try the host again.</summary>
    public void AllowProbe()
    {
        lock (_gate)
        {
            _probeAllowed = _open is not null;
        }
    }
}
