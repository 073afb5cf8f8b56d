using System;
using System.Buffers;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net.Http;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;

namespace ToApis.Client.Files;

/// <summary>How saving one result image ended.</summary>
internal sealed record SavedImage(string Path, ImageFormat Format, long Length, bool AlreadyPresent);

/// <summary>
/// Downloads result images into a folder whole or not at all: bytes go to a hidden partial file in the target
/// folder; the image counts as complete only when Content-Length (if sent) matches and its own structure ends
/// as it should (<see cref="ImageFormats.IsComplete"/>); only then is it renamed. A short body or a 403/404
/// before the result expires is retried; a local write failure (disk full, read-only, permission, name too
/// long) never is. Results are public URLs: no Authorization is ever sent, and redirects are followed only
/// where <see cref="ResultRedirects"/> allows. One instance per command invocation, so names it gave out are
/// not reused within a run; safe to call concurrently.
/// </summary>
internal sealed class ResultSaver
{
    private const long MaxDownloadBytes = 200L * 1024 * 1024;

    /// <summary>Under the large-object threshold (85,000 bytes).</summary>
    private const int CopyBufferBytes = 64 * 1024;

    /// <summary>After a disk-full error, a folder is written to again only once it has this much free (or what the failed image had written, plus room).</summary>
    private const long MinimumSpaceAfterDiskFull = 1024 * 1024;

    private readonly ToApisConnection _connection;
    private readonly IRequestLog _log;
    private readonly object _gate = new();
    private readonly HashSet<string> _writtenThisRun = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _tidiedFolders = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _spaceNeededByFullFolder = new(StringComparer.Ordinal);

    internal ResultSaver(ToApisConnection connection, IRequestLog log)
    {
        _connection = connection;
        _log = log;
    }

    /// <summary>
    /// A file name (without extension) another image of this run has claimed: never taken as the numbered
    /// alternative to a different existing file, even before that image is written.
    /// </summary>
    internal Func<string, bool> NameTakenInThisRun { get; set; } = _ => false;

    /// <summary>
    /// Saves <paramref name="url"/> as <paramref name="baseName"/> plus the extension its bytes call for.
    /// An identical file already there is kept (a rerun costs nothing); a different one is never replaced
    /// unless <paramref name="force"/>, and a name used earlier in this run gets a " (2)" suffix.
    /// </summary>
    public async Task<SavedImage> SaveAsync(
        Uri url, string folder, string baseName, bool force, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        if (!ResultRedirects.IsFetchable(url))
        {
            throw new ToApisFileException(
                FileProblem.UnsupportedUrl, url.ToString(),
                $"The result URL '{url}' is a {url.Scheme}: URL; results are fetched only over http and https, so nothing was downloaded for '{baseName}'.");
        }

        if (expiresAt is { } expiry && expiry <= DateTimeOffset.UtcNow)
        {
            throw Expired(url, expiry);
        }

        LocalFileErrors.Writing(folder, () => Directory.CreateDirectory(folder));
        RemoveLeftovers(folder);
        FailFastWhileDiskFull(folder);
        var partial = PartialFiles.NewPath(folder);
        try
        {
            var (length, format) = await DownloadAsync(url, partial, expiresAt, cancellationToken).ConfigureAwait(false);
            return Place(partial, folder, baseName, format, length, force);
        }
        catch (ToApisFileException error) when (error.LocalFailure == LocalFileFailure.DiskFull)
        {
            RememberDiskFull(folder, partial);
            throw;
        }
        catch (ToApisFileException error) when (error.Problem == FileProblem.WriteFailed && !Directory.Exists(folder))
        {
            // What failed was a hidden partial file, or the rename: the user needs the folder and the image's name.
            throw new ToApisFileException(
                FileProblem.FolderMissing, folder,
                $"The folder '{folder}' was removed while '{baseName}' was being saved into it; nothing was saved.", error);
        }
        finally
        {
            // Also on Ctrl+C and on every failure: no partial file is left behind.
            PartialFiles.TryDelete(partial);
        }
    }

    /// <summary>Once per folder and run: removes the partial files that killed or crashed runs left there.</summary>
    private void RemoveLeftovers(string folder)
    {
        lock (_gate)
        {
            if (!_tidiedFolders.Add(Path.GetFullPath(folder)))
            {
                return;
            }
        }

        if (PartialFiles.RemoveLeftovers(folder) is var removed and > 0)
        {
            _log.Verbose($"Removed {removed} partial file(s) that an interrupted run left in '{folder}'.");
        }
    }

    /// <summary>
    /// After a disk-full error in this folder, the other images are not downloaded only to fail the same way:
    /// each fails at once, until enough space has come back.
    /// </summary>
    private void FailFastWhileDiskFull(string folder)
    {
        var key = Path.GetFullPath(folder);
        long needed;
        lock (_gate)
        {
            if (!_spaceNeededByFullFolder.TryGetValue(key, out needed))
            {
                return;
            }
        }

        var free = FreeSpace(folder);
        if (free is null || free >= needed)
        {
            lock (_gate)
            {
                _spaceNeededByFullFolder.Remove(key);
            }

            return;
        }

        throw new ToApisFileException(
            FileProblem.WriteFailed, folder,
            $"'{folder}' is still full ({free / 1024} KB free since an earlier image failed to fit); this image was not downloaded.")
        {
            LocalFailure = LocalFileFailure.DiskFull,
        };
    }

    private void RememberDiskFull(string folder, string partial)
    {
        long written = 0;
        try
        {
            written = new FileInfo(partial).Length;
        }
        catch (Exception error) when (LocalFileErrors.IsLocalFileError(error))
        {
        }

        lock (_gate)
        {
            _spaceNeededByFullFolder[Path.GetFullPath(folder)] = Math.Max(MinimumSpaceAfterDiskFull, written + 256 * 1024);
        }
    }

    private static long? FreeSpace(string folder)
    {
        try
        {
            return new DriveInfo(Path.GetFullPath(folder)).AvailableFreeSpace;
        }
        catch (Exception)
        {
            return null; // unknown (a share, a sandbox): try the download
        }
    }

    private SavedImage Place(string partial, string folder, string baseName, ImageFormat format, long length, bool force)
    {
        var folderPath = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        lock (_gate)
        {
            for (var attempt = 1; ; attempt++)
            {
                // Room is kept for the sidecar's extension, so an image's name never makes its sidecar's too long.
                var suffix = attempt == 1 ? "" : $" ({attempt})";
                var name = FileNames.WithTail(baseName, suffix + format.Extension + SidecarFile.Extension);
                name = name.Substring(0, name.Length - SidecarFile.Extension.Length);
                var target = Path.GetFullPath(Path.Combine(folderPath, name));
                if (!target.StartsWith(folderPath, StringComparison.Ordinal))
                {
                    throw new ToApisFileException(FileProblem.OutsideTargetFolder, target, $"'{name}' would be saved outside '{folder}'; nothing was saved.");
                }

                if (_writtenThisRun.Contains(target) || (attempt > 1 && NameTakenInThisRun(baseName + suffix)))
                {
                    continue;
                }

                AtomicFile.RefuseLink(target);
                if (!File.Exists(target))
                {
                    LocalFileErrors.Writing(target, () => AtomicFile.Commit(partial, target, replace: false));
                    _writtenThisRun.Add(target);
                    return new SavedImage(target, format, length, AlreadyPresent: false);
                }

                if (LocalFileErrors.Reading(target, () => SameContent(target, partial)))
                {
                    _log.Verbose($"'{target}' already holds this image; kept as is.");
                    _writtenThisRun.Add(target);
                    return new SavedImage(target, format, length, AlreadyPresent: true);
                }

                if (force)
                {
                    LocalFileErrors.Writing(target, () => AtomicFile.Commit(partial, target, replace: true));
                    _writtenThisRun.Add(target);
                    return new SavedImage(target, format, length, AlreadyPresent: false);
                }
            }
        }
    }

    /// <summary>
    /// One download through the download pipeline. What outlives its retries is reported as what it is: an
    /// incomplete download, a status the result host kept answering, or a network failure.
    /// </summary>
    private async Task<(long Length, ImageFormat Format)> DownloadAsync(Uri url, string partial, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        ImageFormat? format = null;
        try
        {
            var length = (await _connection.Pipelines.RunAsync(
                _connection.Pipelines.Download, $"GET {url}", _log,
                async context =>
                {
                    (var received, format) = await DownloadOnceAsync(url, partial, expiresAt, context.CancellationToken).ConfigureAwait(false);
                    return received;
                },
                cancellationToken).ConfigureAwait(false)).Result;
            return (length, format!);
        }
        catch (ToApisTransportException exhausted) when (exhausted.InnerException is RetryableDownloadException last)
        {
            var advice = last.Problem == FileProblem.IncompleteDownload
                ? "the result host (or a proxy) keeps cutting it short"
                : $"the result has not expired{(expiresAt is { } expiry ? $" (it expires at {expiry.ToLocalTime():yyyy-MM-dd HH:mm:ss zzz})" : "")}, so the host may recover";
            throw new ToApisFileException(
                last.Problem, url.ToString(), $"{last.Message} after {exhausted.Attempts} attempt(s); {advice}. Nothing was saved.", last);
        }
    }

    /// <returns>The bytes received and the image type they make (the download's last attempt).</returns>
    private async Task<(long Received, ImageFormat Format)> DownloadOnceAsync(Uri url, string partial, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        using var response = await SendFollowingRedirectsAsync(url, cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        if (status is 403 or 404 or 410)
        {
            // Only the clock says a result expired; before then, a refusal is the host's passing trouble.
            throw expiresAt is { } expiry && expiry <= DateTimeOffset.UtcNow
                ? Expired(url, expiry, $"HTTP {status}")
                : new RetryableDownloadException(FileProblem.DownloadFailed, $"{url} answered HTTP {status} {response.ReasonPhrase}");
        }

        if (status is >= 500 or 429 or 408)
        {
            throw new HttpRequestException($"HTTP {status} {response.ReasonPhrase}"); // transient: retried
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new ToApisFileException(FileProblem.DownloadFailed, url.ToString(), $"{url} answered HTTP {status} {response.ReasonPhrase}; nothing was saved.");
        }

        var expected = response.Content.Headers.ContentLength;
        if (expected > MaxDownloadBytes)
        {
            throw new ToApisFileException(FileProblem.TooLarge, url.ToString(), $"{url} is {expected} bytes, more than an image result can be ({MaxDownloadBytes} bytes).");
        }

        var received = await CopyToPartialAsync(url, response, partial, cancellationToken).ConfigureAwait(false);
        if (expected is { } length && received != length)
        {
            throw new RetryableDownloadException(FileProblem.IncompleteDownload, $"The download of {url} ended after {received} of {length} bytes");
        }

        if (LocalFileErrors.Reading(partial, () => ImageFormats.DetectFile(partial)) is not { } format)
        {
            throw new ToApisFileException(
                FileProblem.UnsupportedType, url.ToString(), $"{url} did not return a {ImageFormats.Supported} image; nothing was saved.");
        }

        if (!LocalFileErrors.Reading(partial, () => ImageFormats.IsComplete(partial, format)))
        {
            // All the bytes its Content-Length promised, yet no whole image: asking again fetches the same bytes.
            // Without a length, an early end looks just like this, so that is retried.
            if (expected is not null)
            {
                throw new ToApisFileException(
                    FileProblem.UnsupportedType, url.ToString(),
                    $"{url} sent all of its {received} bytes, and they begin like a {format.Name} image but do not make one; it was downloaded once and nothing was saved.");
            }

            throw new RetryableDownloadException(
                FileProblem.IncompleteDownload, $"The download of {url} ended after {received} bytes, before the end of its {format.Name} image");
        }

        return (received, format);
    }

    /// <summary>Network reads may fail transiently (plain IOException); every local write failure is a WriteFailed.</summary>
    private static async Task<long> CopyToPartialAsync(Uri url, HttpResponseMessage response, string partial, CancellationToken cancellationToken)
    {
        long received = 0;
        using var source = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        // Unbuffered: every chunk received is on disk, so the file shows real progress.
        // A retry starts over on a fresh file: the exclusive create never opens anything already there.
        using var target = LocalFileErrors.Writing(partial, () =>
        {
            File.Delete(partial);
            return AtomicFile.CreateNew(partial, useAsync: true);
        });
        // Pooled: dozens of downloads last most of a second each, and a fresh buffer apiece would survive the
        // collections meanwhile and swell the process's working set as tasks go by.
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferBytes);
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer, 0, CopyBufferBytes, cancellationToken).ConfigureAwait(false)) > 0)
            {
                received += read;
                if (received > MaxDownloadBytes)
                {
                    throw new ToApisFileException(FileProblem.TooLarge, url.ToString(), $"{url} sent more than {MaxDownloadBytes} bytes; nothing was saved.");
                }

                try
                {
                    await target.WriteAsync(buffer, 0, read, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception error) when (LocalFileErrors.IsLocalFileError(error))
                {
                    throw LocalFileErrors.WriteFailed(partial, error, "nothing was saved");
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return received;
    }

    /// <summary>Sends the GET, following at most <see cref="ResultRedirects.MaxHops"/> redirects, each checked first.</summary>
    private async Task<HttpResponseMessage> SendFollowingRedirectsAsync(Uri url, CancellationToken cancellationToken)
    {
        var current = url;
        for (var hop = 0; ; hop++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, current);
            var stopwatch = Stopwatch.StartNew();
            var response = await _connection.DownloadHttp
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (_log.IsDebugEnabled)
            {
                _log.Debug($"{await HttpExchangeText.DescribeRequestAsync(request, _connection.DownloadHttp.DefaultRequestHeaders).ConfigureAwait(false)}\n\n{HttpExchangeText.DescribeResponse(response, stopwatch.Elapsed, "")}");
            }
            else
            {
                _log.Verbose($"GET {current} -> {status} {response.ReasonPhrase} in {stopwatch.ElapsedMilliseconds} ms");
            }

            if (!ResultRedirects.IsRedirect(status) || response.Headers.Location is not { } location)
            {
                return response;
            }

            response.Dispose();
            if (hop == ResultRedirects.MaxHops)
            {
                throw new ToApisFileException(
                    FileProblem.DownloadFailed, url.ToString(), $"{url} redirected more than {ResultRedirects.MaxHops} times; nothing was saved.");
            }

            var next = location.IsAbsoluteUri ? location : new Uri(current, location);
            await ResultRedirects.CheckAsync(url, next).ConfigureAwait(false);
            current = next;
        }
    }

    private static ToApisFileException Expired(Uri url, DateTimeOffset expiry, string? detail = null) =>
        new(FileProblem.ResultExpired, url.ToString(),
            $"The result {url} expired at {expiry.ToLocalTime():yyyy-MM-dd HH:mm:ss zzz}{(detail is null ? "" : $" ({detail})")}; results last 24 h after completion. Generate it again.");

    private static bool SameContent(string first, string second)
    {
        if (new FileInfo(first).Length != new FileInfo(second).Length)
        {
            return false;
        }

        using var sha = SHA256.Create();
        return Convert.ToBase64String(Hash(sha, first)) == Convert.ToBase64String(Hash(sha, second));
    }

    private static byte[] Hash(HashAlgorithm algorithm, string path)
    {
        using var stream = File.OpenRead(path);
        return algorithm.ComputeHash(stream);
    }
}

/// <summary>
/// One download attempt that the result host may get right next time: a body that ended early, or a 403/404
/// before the result's expiry. An <see cref="IOException"/>, so the download pipeline retries it as it retries
/// network failures; what outlives the retries is reported as its <see cref="Problem"/>.
/// </summary>
internal sealed class RetryableDownloadException : IOException
{
    public RetryableDownloadException(FileProblem problem, string message)
        : base(message) => Problem = problem;

    public FileProblem Problem { get; }
}
