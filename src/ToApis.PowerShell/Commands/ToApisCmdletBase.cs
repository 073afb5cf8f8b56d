using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ToApis.Client;
using ToApis.Client.Batches;
using ToApis.Errors;
using ToApis.Pipeline;

namespace ToApis.Commands;

/// <summary>How far a command drains its batch: what is ready, until one more item fits, or to the end.</summary>
internal enum DrainUntil
{
    Ready,
    Room,
    Drained,
}

/// <summary>
/// Owns what every ToApis cmdlet needs to run async work safely: the cancellation source that Ctrl+C
/// (StopProcessing) cancels, and the mailbox through which background code writes on the pipeline thread.
/// </summary>
public abstract class ToApisCmdletBase : PSCmdlet, IDisposable
{
    private static readonly TimeSpan StopGracePeriod = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _cancellation = new();
    private bool _disposed;

    internal PipelineMailbox Mailbox { get; } = new();

    protected CancellationToken CancelToken => _cancellation.Token;

    /// <summary>Reports from the client core, delivered as verbose, warning and debug records.</summary>
    internal IRequestLog RequestLog => _requestLog ??= new MailboxRequestLog(this, DebugRequested());

    private IRequestLog? _requestLog;

    protected override void StopProcessing() => _cancellation.Cancel();

    /// <summary>Waits for async work while running what it posts; Ctrl+C ends the wait at once.</summary>
    protected T Await<T>(Task<T> work)
    {
        Await((Task)work);
        return work.GetAwaiter().GetResult();
    }

    protected void Await(Task work)
    {
        WaitFor(work);
        try
        {
            work.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (CancelToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    /// <summary>
    /// Waits until <paramref name="work"/> ends, however it ends, running what it posts meanwhile; its
    /// exception (if any) is left for the caller to observe.
    /// </summary>
    protected void WaitFor(Task work)
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
    /// Writes the outcomes <paramref name="runner"/> has ready, on the pipeline thread, running what background
    /// work posts meanwhile; then, as <paramref name="until"/> asks, waits for room for one more item, or for the
    /// batch to drain. The one loop through which every batch command writes what its items became.
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

    /// <summary>The parameter of this cmdlet that takes file paths literally, named in advice about wildcard characters.</summary>
    private protected virtual string? LiteralPathParameter => null;

    /// <summary>
    /// Reports a failure for one item, naming its row. Failures that doom every later item too (bad key,
    /// no balance, no permission) end the command instead of repeating once per row.
    /// </summary>
    private protected void WriteFailure(Exception exception, object? target, InputRow? row = null)
    {
        switch (Outcomes.Classify(exception))
        {
            case OutcomeClass.Outage:
                // The service is down: every later item would wait and fail the same way.
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

    /// <summary>
    /// Writes the error of one item, its message prefixed with the row it is about: the one path every
    /// per-item failure takes (see <see cref="OnItemFailed"/>).
    /// </summary>
    private protected void WriteItemError(ErrorRecord record, InputRow? row = null)
    {
        OnItemFailed(record);
        WriteError(ErrorRecords.ForRow(record, row));
    }

    /// <summary>A warning about one item, prefixed with its row.</summary>
    private protected void WriteRowWarning(string message, InputRow? row) =>
        WriteWarning(row is { } about ? about.Describe(message) : message);

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

    /// <summary>-Debug given, or $DebugPreference asking for debug records: only then is each HTTP exchange described.</summary>
    private bool DebugRequested()
    {
        if (MyInvocation.BoundParameters.TryGetValue("Debug", out var debug))
        {
            return debug is SwitchParameter { IsPresent: true } or true;
        }

        return LanguagePrimitives.TryConvertTo<ActionPreference>(GetVariableValue("DebugPreference"), out var preference)
            && preference is not (ActionPreference.SilentlyContinue or ActionPreference.Ignore);
    }

    /// <summary>Called on the pipeline thread for each item that failed, just before its error is written.</summary>
    protected virtual void OnItemFailed(ErrorRecord record)
    {
    }

    /// <summary>Called on the pipeline thread just before an error that ends the whole pipeline is thrown.</summary>
    protected virtual void OnEndingAsAWhole()
    {
    }

    /// <summary>When the command stops as a whole: what it had done, what is pending, what it never tried.</summary>
    protected virtual string? RunState() => null;

    /// <summary>Files named by -Path or -LiteralPath values, resolved through this command's PowerShell location.</summary>
    internal ProviderFiles Files => _files ??= new ProviderFiles(this);

    private ProviderFiles? _files;

    /// <summary>
    /// Writes a warning even when the pipeline is being stopped (the stream then refuses records; the host
    /// still shows a line), for what a user must not miss: paid work left behind.
    /// </summary>
    protected void WriteWarningEvenWhileStopping(string message)
    {
        try
        {
            WriteWarning(message);
        }
        catch (PipelineStoppedException)
        {
            try
            {
                Host?.UI?.WriteWarningLine(message);
            }
            catch (Exception)
            {
                // No host to tell: the journal, where given, still holds the record.
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/>; however it fails (Ctrl+C, a downstream Select-Object -First, a terminating
    /// error), <paramref name="endEarly"/> ends what the command started before the failure goes on.
    /// </summary>
    protected static void EndingEarlyOnAnyFailure(Action work, Action endEarly)
    {
        try
        {
            work();
        }
        catch (Exception)
        {
            endEarly();
            throw;
        }
    }

    /// <summary>Last chance for a command to account for its work, however it ended; nothing may be written.</summary>
    protected virtual void OnDisposing()
    {
    }

    /// <summary>
    /// PowerShell disposes every command when its pipeline ends, including after a downstream
    /// Select-Object -First, which never calls StopProcessing: cancel whatever is still running first.
    /// </summary>
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
            (_requestLog as MailboxRequestLog)?.Detach();
            GC.SuppressFinalize(this);
        }
    }
}
