using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ToApis.Client;
using ToApis.Client.Batches;
using ToApis.Errors;
using ToApis.Pipeline;
using ToApis.Session;

namespace ToApis.Commands;

/// <summary>How far a command drains its batch: what is ready, until one more item fits, or to the end.</summary>
internal enum DrainUntil
{
    Ready,
    Room,
    Drained,
}

/// <summary>A cmdlet that calls the API: its -Session, when given, is used instead of the one Connect-ToApis stored for this runspace.</summary>
internal interface ISessionParameter
{
    ToApisSession? Session { get; }
}

/// <summary>
/// What every ToApis cmdlet needs to run async work safely: the cancellation that Ctrl+C cancels, the mailbox
/// through which background code writes on the pipeline thread, the one drain loop, and the end of what it started.
/// </summary>
public abstract class ToApisCmdletBase : PSCmdlet, IDisposable
{
    private static readonly TimeSpan StopGracePeriod = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _cancellation = new();
    private MailboxRequestLog? _requestLog;
    private ToApisSession? _session;
    private ToApisClient? _client;
    private bool _disposed;

    internal PipelineMailbox Mailbox { get; } = new();

    protected CancellationToken CancelToken => _cancellation.Token;

    /// <summary>Reports from the client core, delivered as verbose, warning and debug records.</summary>
    internal IRequestLog RequestLog => _requestLog ??= new MailboxRequestLog(this);

    /// <summary>Files named by -Path or -LiteralPath values, resolved through this command's PowerShell location.</summary>
    internal ProviderFiles Files => new(this);

    /// <summary>The session in use, resolved on first need; none usable ends the command.</summary>
    private protected ToApisSession ActiveSession => _session ??= OpenSession();

    /// <summary>The client for this invocation, reporting through this cmdlet's streams.</summary>
    internal ToApisClient Client => _client ??= ActiveSession.Connection.CreateClient(RequestLog);

    /// <summary>The parameter of this cmdlet that takes file paths literally, named in advice about wildcard characters.</summary>
    private protected virtual string? LiteralPathParameter => null;

    protected override void StopProcessing() => _cancellation.Cancel();

    /// <summary>Waits for async work while running what it posts; Ctrl+C ends the wait at once.</summary>
    protected T Await<T>(Task<T> work)
    {
        WaitFor(work);
        try
        {
            return work.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (CancelToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    /// <summary>Waits until <paramref name="work"/> ends, however it ends, running what it posts meanwhile.</summary>
    private void WaitFor(Task work)
    {
        try
        {
            Mailbox.RunUntil(work, CancelToken);
        }
        catch (Exception stop) when (stop is PipelineStoppedException || (stop is OperationCanceledException && CancelToken.IsCancellationRequested))
        {
            // A write can notice the stop before StopProcessing has cancelled the work: cancel it here too,
            // then give it a moment to unwind (close connections, delete partial files) so nothing outlives the stop.
            _cancellation.Cancel();
            try
            {
                work.Wait(StopGracePeriod);
            }
            catch (AggregateException)
            {
            }

            throw new PipelineStoppedException();
        }
    }

    /// <summary>
    /// The one loop through which every batch command writes what its items became: writes the outcomes ready, then,
    /// as <paramref name="until"/> asks, waits for room for one more item, or for the batch to drain.
    /// </summary>
    private protected void Drain<TItem, TResult>(BatchRunner<TItem, TResult> runner, Action<BatchOutcome<TItem, TResult>> write, DrainUntil until)
    {
        Mailbox.RunPending();
        while (true)
        {
            while (runner.TryTake(out var outcome))
            {
                write(outcome);
            }

            if (until == DrainUntil.Ready || runner.IsDrained || (until == DrainUntil.Room && runner.HasRoom))
            {
                return;
            }

            WaitFor(runner.Changed);
        }
    }

    /// <summary>
    /// Reports a failure for one item, naming its row. Failures that doom every later item too (bad key,
    /// no balance, no permission, the service down) end the command instead of repeating once per row.
    /// </summary>
    internal void WriteFailure(Exception exception, object? target, InputRow? row = null)
    {
        switch (Outcomes.Classify(exception))
        {
            case OutcomeClass.Outage:
                ThrowTerminatingError(ErrorRecords.ServiceUnavailable(Outcomes.OutageBehind(exception)!, target, RunState()));
                break;
            case OutcomeClass.EndsCommand:
                var record = ErrorRecords.From(exception, target, LiteralPathParameter);
                OnItemFailed(record);
                OnEndingAsAWhole();
                ThrowTerminatingError(record);
                break;
            default:
                WriteItemError(ErrorRecords.From(exception, target, LiteralPathParameter), row);
                break;
        }
    }

    /// <summary>Runs one item's work: its failure is that item's (see <see cref="WriteFailure"/>); a stop still stops the pipeline.</summary>
    private protected bool Attempt(Action work, object? target, InputRow? row = null)
    {
        try
        {
            work();
            return true;
        }
        catch (Exception error) when (error is not PipelineStoppedException)
        {
            WriteFailure(error, target, row);
            return false;
        }
    }

    /// <summary>Writes the error of one item, its message prefixed with its row: the one path every per-item failure takes.</summary>
    internal void WriteItemError(ErrorRecord record, InputRow? row = null)
    {
        OnItemFailed(record);
        WriteError(ErrorRecords.ForRow(record, row));
    }

    /// <summary>
    /// Writes a verbose line, or, under -Debug without -Verbose, a debug line: the engine turns -Debug into
    /// "ask before each verbose line", which would stop a run at every request to prompt (and fail where no one
    /// can answer, in a job or a runbook). Debug lines show with -Debug, and they carry the same text.
    /// </summary>
    public new void WriteVerbose(string text)
    {
        if (MyInvocation.BoundParameters.ContainsKey("Debug") && !MyInvocation.BoundParameters.ContainsKey("Verbose"))
        {
            WriteDebug(text);
            return;
        }

        base.WriteVerbose(text);
    }

    /// <summary>Called on the pipeline thread for each item that failed, just before its error is written.</summary>
    internal virtual void OnItemFailed(ErrorRecord record)
    {
    }

    /// <summary>Called on the pipeline thread just before an error that ends the whole pipeline is thrown.</summary>
    protected virtual void OnEndingAsAWhole()
    {
    }

    /// <summary>When the command stops as a whole: what it had done, what is pending, what it never tried.</summary>
    protected virtual string? RunState() => null;

    /// <summary>Last chance for a command to account for its work, however it ended; nothing may be written.</summary>
    protected virtual void OnDisposing()
    {
    }

    private ToApisSession OpenSession()
    {
        var (session, refusal) = SessionStore.Find((this as ISessionParameter)?.Session);
        if (refusal is not null)
        {
            ThrowTerminatingError(refusal);
        }

        return session!;
    }

    /// <summary>Runs when the pipeline ends, also after a downstream Select-Object -First, which never calls StopProcessing.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _cancellation.Cancel();
        try
        {
            OnDisposing();
        }
        finally
        {
            Mailbox.Dispose();
            _cancellation.Dispose();
            _requestLog?.Detach();
            GC.SuppressFinalize(this);
        }
    }
}
