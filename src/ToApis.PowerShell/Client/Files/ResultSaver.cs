using System;
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
/// Downloads result images into a folder without ever leaving a half-written file under a final name:
/// bytes go to a hidden temporary file in the target folder, the length is checked against
/// Content-Length, then the file is renamed. Results are public URLs: no Authorization is ever sent.
/// One instance per command invocation, so names it gave out are not reused within a run.
/// </summary>
internal sealed class ResultSaver
{
    private const long MaxDownloadBytes = 200L * 1024 * 1024;
    private const string PartialSuffix = ".toapis-partial";

    private readonly ToApisConnection _connection;
    private readonly IRequestLog _log;
    private readonly HashSet<string> _writtenThisRun = new(StringComparer.OrdinalIgnoreCase);

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
        if (expiresAt is { } expiry && expiry <= DateTimeOffset.UtcNow)
        {
            throw Expired(url, expiry);
        }

        Directory.CreateDirectory(folder);
        var partial = Path.Combine(folder, "." + Guid.NewGuid().ToString("N") + PartialSuffix);
        try
        {
            var length = await DownloadAsync(url, partial, expiresAt, cancellationToken).ConfigureAwait(false);
            var format = ImageFormats.DetectFile(partial)
                ?? throw new ToApisFileException(
                    FileProblem.UnsupportedType, url.ToString(),
                    $"{url} did not return a {ImageFormats.Supported} image; nothing was saved.");
            lock (_writtenThisRun)
            {
                // Downloads finish concurrently: one placement at a time, so two never pick the same free name.
                return Place(partial, folder, baseName, format, length, force);
            }
        }
        finally
        {
            // Also on Ctrl+C and on every failure: no partial file is left behind.
            TryDelete(partial);
        }
    }

    private SavedImage Place(string partial, string folder, string baseName, ImageFormat format, long length, bool force)
    {
        var folderPath = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        for (var attempt = 1; ; attempt++)
        {
            var candidate = attempt == 1 ? baseName : $"{baseName} ({attempt})";
            var name = candidate + format.Extension;
            var target = Path.GetFullPath(Path.Combine(folderPath, name));
            if (!target.StartsWith(folderPath, StringComparison.Ordinal))
            {
                throw new ToApisFileException(FileProblem.OutsideTargetFolder, target, $"'{name}' would be saved outside '{folder}'; nothing was saved.");
            }

            if (_writtenThisRun.Contains(target) || (attempt > 1 && NameTakenInThisRun(candidate)))
            {
                continue;
            }

            if (!File.Exists(target))
            {
                File.Move(partial, target);
                _writtenThisRun.Add(target);
                return new SavedImage(target, format, length, AlreadyPresent: false);
            }

            if (SameContent(target, partial))
            {
                _log.Verbose($"'{target}' already holds this image; kept as is.");
                _writtenThisRun.Add(target);
                return new SavedImage(target, format, length, AlreadyPresent: true);
            }

            if (force)
            {
                File.Replace(partial, target, null);
                _writtenThisRun.Add(target);
                return new SavedImage(target, format, length, AlreadyPresent: false);
            }
        }
    }

    private async Task<long> DownloadAsync(Uri url, string partial, DateTimeOffset? expiresAt, CancellationToken cancellationToken) =>
        (await _connection.Pipelines.RunAsync(
            _connection.Pipelines.Download, $"GET {url}", _log,
            context => DownloadOnceAsync(url, partial, expiresAt, context.CancellationToken),
            cancellationToken).ConfigureAwait(false)).Result;

    private async Task<long> DownloadOnceAsync(Uri url, string partial, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        var stopwatch = Stopwatch.StartNew();
        using var response = await _connection.DownloadHttp
            .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        _log.Verbose($"GET {url} -> {status} {response.ReasonPhrase} in {stopwatch.ElapsedMilliseconds} ms");
        if (status is 403 or 404 or 410)
        {
            throw expiresAt is { } expiry
                ? Expired(url, expiry, $"HTTP {status}")
                : new ToApisFileException(FileProblem.ResultGone, url.ToString(), $"{url} answered HTTP {status}: the result is gone (results expire 24 h after completion). Generate it again.");
        }

        if (status is >= 500 or 429 or 408)
        {
            throw new HttpRequestException($"HTTP {status} {response.ReasonPhrase}"); // transient: retried
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new ToApisFileException(FileProblem.ResultGone, url.ToString(), $"{url} answered HTTP {status} {response.ReasonPhrase}; nothing was saved.");
        }

        var expected = response.Content.Headers.ContentLength;
        if (expected > MaxDownloadBytes)
        {
            throw new ToApisFileException(FileProblem.TooLarge, url.ToString(), $"{url} is {expected} bytes, more than an image result can be ({MaxDownloadBytes} bytes).");
        }

        long received = 0;
        using (var source = await response.Content.ReadAsStreamAsync().ConfigureAwait(false))
        // Unbuffered: every chunk received is on disk, so the file shows real progress.
        using (var target = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1, useAsync: true))
        {
            var buffer = new byte[81920];
            int read;
            while ((read = await source.ReadAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false)) > 0)
            {
                received += read;
                if (received > MaxDownloadBytes)
                {
                    throw new ToApisFileException(FileProblem.TooLarge, url.ToString(), $"{url} sent more than {MaxDownloadBytes} bytes; nothing was saved.");
                }

                await target.WriteAsync(buffer, 0, read, cancellationToken).ConfigureAwait(false);
            }
        }

        if (expected is { } length && received != length)
        {
            throw new IOException($"the download ended after {received} of {length} bytes");
        }

        return received;
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

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
