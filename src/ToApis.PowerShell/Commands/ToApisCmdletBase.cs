using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ToApis.Client;
using ToApis.Errors;
using ToApis.Pipeline;

namespace ToApis.Commands;

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
    /// Reports a failure for one item. Failures that doom every later item too (bad key, no balance,
    /// no permission) end the command instead of repeating once per row.
    /// </summary>
    protected void WriteFailure(Exception exception, object? target)
    {
        if (exception is ToApisServiceUnavailableException unavailable)
        {
            // The service is down: every later item would wait and fail the same way.
            ThrowTerminatingError(ErrorRecords.ServiceUnavailable(unavailable, target, RunState()));
        }

        var record = ErrorRecords.From(exception, target);
        if (exception is ToApisApiException { IsFatalForSession: true })
        {
            ThrowTerminatingError(record);
        }

        WriteError(record);
    }

    /// <summary>When the command stops as a whole: what it had done, what is pending, what it never tried.</summary>
    protected virtual string? RunState() => null;

    /// <summary>
    /// File-system paths for -Path (wildcards expanded) or -LiteralPath values, resolved against the current
    /// PowerShell location. A path that matches nothing yields a <see cref="ToApisFileException"/> in its place.
    /// </summary>
    internal IEnumerable<(string Input, string? Path, Exception? Error)> ResolveFilePaths(IEnumerable<string> paths, bool literal)
    {
        foreach (var input in paths)
        {
            List<string> resolved;
            try
            {
                resolved = literal
                    ? new List<string> { SessionState.Path.GetUnresolvedProviderPathFromPSPath(input) }
                    : GetResolvedProviderPathFromPSPath(input, out _).ToList();
            }
            catch (Exception error) when (error is ItemNotFoundException or DriveNotFoundException or ProviderNotFoundException)
            {
                resolved = new List<string>();
            }

            if (resolved.Count == 0)
            {
                yield return (input, null, new ToApisFileException(FileProblem.NotFound, input, $"No file matches '{input}'."));
            }

            foreach (var path in resolved)
            {
                yield return (input, path, null);
            }
        }
    }

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
            GC.SuppressFinalize(this);
        }
    }

    private sealed class MailboxRequestLog : IRequestLog
    {
        private readonly ToApisCmdletBase _cmdlet;

        public MailboxRequestLog(ToApisCmdletBase cmdlet) => _cmdlet = cmdlet;

        public void Verbose(string message) => _cmdlet.Mailbox.Post(() => _cmdlet.WriteVerbose(message));

        public void Warning(string message) => _cmdlet.Mailbox.Post(() => _cmdlet.WriteWarning(message));
    }
}
