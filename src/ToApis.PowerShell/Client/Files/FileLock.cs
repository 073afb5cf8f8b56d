using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using ToApis.Client.Batches;

namespace ToApis.Client.Files;

/// <summary>
/// The one wait for a file that another process holds (a run's lock, the learned-pace file's lock, the list of
/// seen webhook ids). Every open goes through <see cref="AtomicFile.OpenShared"/>, so never through a link.
/// </summary>
internal static class FileLock
{
    /// <summary>The stream <paramref name="tryTake"/> gave, or null once the patience runs out; onWaiting is told once.</summary>
    public static async Task<FileStream?> WaitAsync(
        Func<FileStream?> tryTake, TimeSpan patience, Func<TimeSpan> interval, TimeProvider time, CancellationToken cancellationToken,
        Action? onWaiting = null)
    {
        var started = time.GetTimestamp();
        for (var tries = 0; ; tries++)
        {
            if (tryTake() is { } taken)
            {
                return taken;
            }

            if (time.GetElapsedTime(started) >= patience)
            {
                return null;
            }

            if (tries == 0)
            {
                onWaiting?.Invoke();
            }

            await time.DelayAsync(interval(), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The file opened for this process alone, or null while another process has it open.</summary>
    public static FileStream? TryOpenExclusive(string path)
    {
        try
        {
            return AtomicFile.OpenShared(path, FileShare.None);
        }
        catch (IOException held) when (held is not (FileNotFoundException or DirectoryNotFoundException)
                                       && LocalFileErrors.Classify(held) is LocalFileFailure.InUse or LocalFileFailure.Other)
        {
            return null;
        }
    }
}
