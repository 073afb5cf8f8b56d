using System.Threading;
using System.Threading.Tasks;

namespace ToApis.Client;

/// <summary>
/// Counts work items running in the background and completes once every one has ended and no more will come:
/// what a command awaits in its EndProcessing (polls, downloads) while items may still be added before then.
/// </summary>
internal sealed class PendingWork
{
    private readonly TaskCompletionSource<bool> _allDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _pending = 1; // the extra 1 is released by CompleteAdding
    private int _completedAdding;

    /// <summary>Completes when every added item is <see cref="Done"/>, after <see cref="CompleteAdding"/>.</summary>
    public Task Completion => _allDone.Task;

    public void Add() => Interlocked.Increment(ref _pending);

    public void Done()
    {
        if (Interlocked.Decrement(ref _pending) == 0)
        {
            _allDone.TrySetResult(true);
        }
    }

    /// <summary>No more items will come; safe to call more than once.</summary>
    public void CompleteAdding()
    {
        if (Interlocked.Exchange(ref _completedAdding, 1) == 0)
        {
            Done();
        }
    }
}
