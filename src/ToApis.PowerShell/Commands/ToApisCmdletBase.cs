using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ToApis.Client;

namespace ToApis.Commands;

/// <summary>
/// Owns what every ToApis cmdlet needs to run async work safely: the cancellation source that Ctrl+C
/// (StopProcessing) cancels, and the mailbox through which background code writes on the pipeline thread.
/// </summary>
public abstract class ToApisCmdletBase : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _cancellation = new();
    private bool _disposed;

    internal PipelineMailbox Mailbox { get; } = new();

    protected CancellationToken CancelToken => _cancellation.Token;

    /// <summary>Reports from the client core, delivered as verbose and warning records.</summary>
    internal IRequestLog RequestLog => _requestLog ??= new MailboxRequestLog(this);

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
        try
        {
            Mailbox.RunUntil(work, CancelToken);
            work.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (CancelToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    /// <summary>
    /// Reports a failure for one item. Failures that doom every later item too (bad key, no balance,
    /// no permission) end the command instead of repeating once per row.
    /// </summary>
    protected void WriteFailure(Exception exception, object? target)
    {
        var record = ErrorRecords.From(exception, target);
        if (exception is ToApisApiException { IsFatalForSession: true })
        {
            ThrowTerminatingError(record);
        }

        WriteError(record);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Mailbox.Dispose();
        _cancellation.Dispose();
        GC.SuppressFinalize(this);
    }

    private sealed class MailboxRequestLog : IRequestLog
    {
        private readonly ToApisCmdletBase _cmdlet;

        public MailboxRequestLog(ToApisCmdletBase cmdlet) => _cmdlet = cmdlet;

        public void Verbose(string message) => _cmdlet.Mailbox.Post(() => _cmdlet.WriteVerbose(message));

        public void Warning(string message) => _cmdlet.Mailbox.Post(() => _cmdlet.WriteWarning(message));
    }
}
