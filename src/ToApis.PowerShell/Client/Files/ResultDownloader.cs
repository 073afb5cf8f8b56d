using System;
using System.Buffers;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace ToApis.Client.Files;

/// <summary>
/// Fetches one result into a partial file through the download pipeline: with a key-less client, through
/// <see cref="ResultRedirects"/>, checking Content-Length and the image's own end
/// (<see cref="ImageFormats.IsComplete"/>). A short body or a 403/404 before the result expires is retried; a
/// body that arrived whole but is no image, and every local write failure, never is.
/// </summary>
internal sealed class ResultDownloader(ToApisConnection connection, IRequestLog log)
{
    private const long MaxDownloadBytes = 200L * 1024 * 1024;

    /// <summary>Under the large-object threshold (85,000 bytes).</summary>
    private const int CopyBufferBytes = 64 * 1024;

    private readonly HttpTransport _transport = new(connection.DownloadHttp, log, connection.Time);

    /// <summary>What outlives the retries is reported as what it is: a short body, a status the host kept answering, a network failure.</summary>
    public async Task<(long Length, ImageFormat Format)> DownloadAsync(Uri url, string partial, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        ImageFormat? format = null;
        try
        {
            var length = (await connection.Pipelines.RunAsync(
                connection.Pipelines.Download, $"GET {url}", log,
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
        using var response = await ResultRedirects.SendAsync(_transport, url, cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        if (status is 403 or 404 or 410)
        {
            // Only the clock says a result expired; before then, a refusal is the host's passing trouble.
            throw expiresAt is { } expiry && expiry <= connection.Time.GetUtcNow()
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
            throw expected is null
                ? new RetryableDownloadException(
                    FileProblem.IncompleteDownload, $"The download of {url} ended after {received} bytes, before the end of its {format.Name} image")
                : new ToApisFileException(
                    FileProblem.UnsupportedType, url.ToString(),
                    $"{url} sent all of its {received} bytes, and they begin like a {format.Name} image but do not make one; it was downloaded once and nothing was saved.");
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
                    throw LocalFileErrors.Failed(FileProblem.WriteFailed, partial, error, "nothing was saved");
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return received;
    }

    public static ToApisFileException Expired(Uri url, DateTimeOffset expiry, string? detail = null) =>
        new(FileProblem.ResultExpired, url.ToString(),
            $"The result {url} expired at {expiry.ToLocalTime():yyyy-MM-dd HH:mm:ss zzz}{(detail is null ? "" : $" ({detail})")}; results last 24 h after completion. Generate it again.");
}

/// <summary>
/// A body that ended early, or a 403/404 before the result's expiry: an <see cref="IOException"/>, so the download
/// pipeline retries it as it retries network failures; what outlives the retries is reported as its <see cref="Problem"/>.
/// </summary>
internal sealed class RetryableDownloadException(FileProblem problem, string message) : IOException(message)
{
    public FileProblem Problem { get; } = problem;
}
