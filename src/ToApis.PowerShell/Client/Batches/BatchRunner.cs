using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace ToApis.Client.Batches;

/// <summary>
/// Runs a command's items in the background and hands their outcomes back to the pipeline thread: the one
/// machine behind submitting, uploading, waiting and downloading. It owns the throttle, in-order or
/// as-completed emission, the work in flight, the latch for an error that ends the command, the stop and its
/// grace, and the tally. A cmdlet adds items, drains outcomes with <see cref="TryTake"/> (waiting on
/// <see cref="Changed"/>), and writes them; the runner itself knows nothing of PowerShell.
/// </summary>
internal sealed class BatchRunner<TItem, TResult> : IDisposable
{
    private readonly Func<TItem, BatchSignals, Task<TResult>> _work;
    private readonly BatchOptions<TResult> _options;
    private readonly CancellationTokenSource _stopping;
    private readonly CancellationTokenSource _aborted = new();
    private readonly BatchSignals _signals;
    private readonly object _gate = new();
    private readonly Queue<Entry> _waiting = new();
    private readonly Queue<BatchOutcome<TItem, TResult>> _ready = new();

    /// <summary>Started and not yet takeable, in input order; in order, a finished item waits here for those before it.</summary>
    private readonly List<Entry> _inFlight = new();
    private TaskCompletionSource<bool>? _changed;
    private Exception? _latched;
    private int _holding;
    private int _succeeded;
    private bool _noMoreItems;
    private bool _stopped;

    /// <param name="commandToken">Cancelled when the command is stopped: the batch stops sending at once.</param>
    public BatchRunner(Func<TItem, BatchSignals, Task<TResult>> work, BatchOptions<TResult> options, CancellationToken commandToken)
    {
        _work = work;
        _options = options;
        _stopping = CancellationTokenSource.CreateLinkedTokenSource(commandToken);
        _signals = new BatchSignals(_stopping.Token, _aborted.Token, () => Volatile.Read(ref _latched), options.Time);
    }

    public BatchTally Tally { get; } = new();

    /// <summary>Slots open now: the throttle limit, or under slow start one more than the successes so far.</summary>
    public int Window => Locked(() => WindowNow);

    /// <summary>An item added now would start at once: what a command that must not read ahead waits for.</summary>
    public bool HasRoom => Locked(() => _holding + _waiting.Count < WindowNow);

    /// <summary>Every item added has been taken and no more will come, or the batch was stopped: the command can end.</summary>
    public bool IsDrained => Locked(() => DrainedNow && _ready.Count == 0);

    /// <summary>Completes when an outcome is ready to take, or the batch is drained or stopped; wait on it, then take.</summary>
    public Task Changed => Locked(() => _ready.Count > 0 || DrainedNow
        ? Task.CompletedTask
        : (_changed ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously)).Task);

    /// <summary>The error that ended the batch, if one did.</summary>
    public Exception? Latched => Volatile.Read(ref _latched);

    private bool DrainedNow => _stopped || (_noMoreItems && _waiting.Count == 0 && _inFlight.Count == 0);

    private int WindowNow => _options.SlowStart ? Math.Min(_options.ThrottleLimit, 1 + _succeeded) : _options.ThrottleLimit;

    /// <summary>Queues an item; it starts as soon as a slot is free. Never waits.</summary>
    public void Add(TItem item)
    {
        Tally.ItemRead();
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            _waiting.Enqueue(new Entry(item));
            StartWhatFits();
        }
    }

    /// <summary>No more items will come; safe to call more than once.</summary>
    public void CompleteAdding()
    {
        lock (_gate)
        {
            _noMoreItems = true;
            Signal();
        }
    }

    /// <summary>Takes the next outcome (in input order, or as completed) and counts it in the tally; false when none is ready.</summary>
    public bool TryTake(out BatchOutcome<TItem, TResult> outcome)
    {
        bool succeeded;
        lock (_gate)
        {
            if (_ready.Count == 0)
            {
                outcome = null!;
                return false;
            }

            outcome = _ready.Dequeue();
            succeeded = outcome.Error is null && outcome.Result is { } result && _options.Succeeded(result);
            // Slow start counts successes in the order they are taken, so the window grows as output flows.
            _succeeded += succeeded ? 1 : 0;
            _holding -= _options.InOrder ? 1 : 0;
            StartWhatFits();
        }

        if (succeeded)
        {
            Tally.ItemDone();
        }
        else
        {
            Tally.ItemFailed(outcome.Error);
        }

        return true;
    }

    /// <summary>
    /// Ends the batch early: nothing queued starts, items running are told to send nothing more and get
    /// <paramref name="grace"/> to end, then are cut off. Returns every outcome not taken yet (in input order when
    /// the batch is in order): results, errors, items never started, and items still unanswered.
    /// </summary>
    public IReadOnlyList<BatchOutcome<TItem, TResult>> Stop(TimeSpan grace)
    {
        List<Entry> running;
        List<BatchOutcome<TItem, TResult>> left;
        List<Entry> neverStarted;
        lock (_gate)
        {
            if (_stopped)
            {
                return Array.Empty<BatchOutcome<TItem, TResult>>();
            }

            _stopped = true;
            left = _ready.ToList();
            _ready.Clear();
            running = _inFlight.ToList();
            neverStarted = _waiting.ToList();
            _waiting.Clear();
            Signal();
        }

        _stopping.Cancel();
        var works = running.Select(entry => entry.Work!).ToArray();
        if (works.Length > 0 && grace > TimeSpan.Zero)
        {
            Task.WaitAny(Task.WhenAll(works), _options.Time.DelayAsync(grace, _aborted.Token));
        }

        _aborted.Cancel();
        lock (_gate)
        {
            left.AddRange(running.Select(entry => entry.Outcome ?? new BatchOutcome<TItem, TResult>(entry.Item, default, null, ItemEnd.Unanswered)));
        }

        left.AddRange(neverStarted.Select(entry => new BatchOutcome<TItem, TResult>(entry.Item, default, null, ItemEnd.NotStarted)));
        return left;
    }

    /// <summary>Stops whatever still runs (the command is ending however it ended); nothing more is taken.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stopped = true;
            _waiting.Clear();
            Signal();
        }

        _stopping.Cancel();
        _aborted.Cancel();
    }

    private void StartWhatFits()
    {
        while (!_stopped && _waiting.Count > 0 && _holding < WindowNow)
        {
            var entry = _waiting.Dequeue();
            _holding++;
            _inFlight.Add(entry);
            entry.Work = RunAsync(entry);
        }
    }

    private async Task RunAsync(Entry entry)
    {
        var outcome = await OutcomeAsync(entry.Item).ConfigureAwait(false);
        if (Outcomes.EndsTheCommand(outcome.Error))
        {
            Interlocked.CompareExchange(ref _latched, outcome.Error, null);
        }

        lock (_gate)
        {
            entry.Outcome = outcome;
            if (!_stopped)
            {
                Publish(entry);
            }

            Signal();
        }
    }

    private async Task<BatchOutcome<TItem, TResult>> OutcomeAsync(TItem item)
    {
        // Off the caller's thread at once: it goes on reading input.
        await Task.Yield();
        try
        {
            if (Latched is { } latched)
            {
                return new(item, default, latched, ItemEnd.Threw);
            }

            var result = await _work(item, _signals).ConfigureAwait(false);
            return new(item, result, _options.ErrorIn(result), ItemEnd.Returned);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return new(item, default, null, ItemEnd.NotStarted);
        }
        catch (Exception error)
        {
            return new(item, default, error, ItemEnd.Threw);
        }
    }

    /// <summary>Makes finished outcomes takeable: the finished ones at the head of the line, or this one at once.</summary>
    private void Publish(Entry finished)
    {
        if (!_options.InOrder)
        {
            _inFlight.Remove(finished);
            _holding--;
            if (finished.Outcome!.End != ItemEnd.NotStarted)
            {
                _ready.Enqueue(finished.Outcome);
            }

            StartWhatFits();
            return;
        }

        while (_inFlight.Count > 0 && _inFlight[0].Outcome is { } head)
        {
            _inFlight.RemoveAt(0);
            _ready.Enqueue(head);
        }
    }

    private T Locked<T>(Func<T> read)
    {
        lock (_gate)
        {
            return read();
        }
    }

    private void Signal()
    {
        var changed = _changed;
        _changed = null;
        changed?.TrySetResult(true);
    }

    private sealed class Entry(TItem item)
    {
        public TItem Item => item;

        public Task? Work { get; set; }

        public BatchOutcome<TItem, TResult>? Outcome { get; set; }
    }
}
