using System;
using System.Threading;
using System.Threading.Tasks;

namespace ToApis.Client.Files;

/// <summary>How one scheduled download ended: the saved image, or the error.</summary>
internal sealed record SaveOutcome(ImageToSave Request, TaskImage? Image, Exception? Error);

/// <summary>
/// Downloads images in the background, at most a throttle limit at once, as they are scheduled: as many in flight
/// as it takes to keep up with tasks that arrive at the account's pace while each download takes a CDN's second.
/// Scheduling never waits, so the pipeline upstream goes on submitting and polling; each outcome is reported the
/// moment its file is written (or its download failed); a stop cancels every download, and each one deletes its
/// temporary file on the way out.
/// </summary>
internal sealed class DownloadScheduler
{
    private readonly TaskImageSaver _saver;
    private readonly Action<SaveOutcome> _report;
    private readonly CancellationToken _cancellationToken;
    private readonly SemaphoreSlim _slots;
    private readonly PendingWork _pending = new();

    public DownloadScheduler(TaskImageSaver saver, int throttleLimit, Action<SaveOutcome> report, CancellationToken cancellationToken)
    {
        _saver = saver;
        _report = report;
        _cancellationToken = cancellationToken;
        _slots = new SemaphoreSlim(throttleLimit);
    }

    /// <summary>Completes when every scheduled download has ended, after <see cref="CompleteAdding"/>.</summary>
    public Task Completion => _pending.Completion;

    public void Schedule(ImageToSave image)
    {
        _pending.Add();
        _ = RunAsync(image);
    }

    /// <summary>No more downloads will come; safe to call more than once.</summary>
    public void CompleteAdding() => _pending.CompleteAdding();

    private async Task RunAsync(ImageToSave image)
    {
        try
        {
            await _slots.WaitAsync(_cancellationToken).ConfigureAwait(false);
            try
            {
                _report(new SaveOutcome(image, await _saver.DownloadAsync(image, _cancellationToken).ConfigureAwait(false), null));
            }
            finally
            {
                _slots.Release();
            }
        }
        catch (OperationCanceledException) when (_cancellationToken.IsCancellationRequested)
        {
            // Stopped: the command is ending and reports nothing more.
        }
        catch (Exception error)
        {
            _report(new SaveOutcome(image, null, error));
        }
        finally
        {
            _pending.Done();
        }
    }
}
