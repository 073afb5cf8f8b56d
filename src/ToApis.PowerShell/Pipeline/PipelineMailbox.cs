using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;

namespace ToApis.Pipeline;

/// <summary>
/// Work that background code wants done on the pipeline thread (WriteObject, WriteVerbose, …): async code
/// posts actions here and the cmdlet runs them when it is on its own thread.
/// </summary>
internal sealed class PipelineMailbox : IDisposable
{
    private readonly BlockingCollection<Action> _actions = new();

    public void Post(Action action)
    {
        try
        {
            _actions.Add(action);
        }
        catch (InvalidOperationException)
        {
            // The command already finished (added after completion, or disposed): late lines have nowhere to go.
        }
    }

    /// <summary>Runs whatever is waiting, without blocking.</summary>
    public void RunPending()
    {
        while (_actions.TryTake(out var action))
        {
            action();
        }
    }

    /// <summary>Runs posted actions as they arrive until <paramref name="work"/> finishes and nothing is left.</summary>
    public void RunUntil(Task work, CancellationToken cancellationToken)
    {
        // Wake the loop when the work ends, even if it posts nothing.
        work.ContinueWith(_ => Post(static () => { }), TaskScheduler.Default);
        while (!work.IsCompleted || _actions.Count > 0)
        {
            _actions.Take(cancellationToken)();
        }
    }

    public void Dispose()
    {
        _actions.CompleteAdding();
        _actions.Dispose();
    }
}
