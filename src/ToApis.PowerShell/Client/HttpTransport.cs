using System;
using System.IO;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ToApis.Client;

/// <summary>
/// The one way a request goes out and is reported, for API calls and result downloads alike: sent on its
/// <see cref="HttpClient"/>, timed on the connection's <see cref="TimeProvider"/>, and logged as one -Verbose line
/// or, with -Debug, the whole exchange. The log it is given masks the key in every line.
/// </summary>
internal sealed class HttpTransport(HttpClient http, IRequestLog log, TimeProvider time)
{
    /// <summary>Task and error bodies are a few hundred bytes; anything far larger is not a real answer.</summary>
    private const int MaxResponseBodyBytes = 4 * 1024 * 1024;

    /// <summary>Sends <paramref name="request"/>, returning once the headers are in; the body is the caller's to read, then <see cref="Report"/>.</summary>
    public async Task<Exchange> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var described = log.IsDebugEnabled
            ? await HttpExchangeText.DescribeRequestAsync(request, http.DefaultRequestHeaders).ConfigureAwait(false)
            : null;
        var started = time.GetTimestamp();
        try
        {
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            return new Exchange(request.Method, request.RequestUri!, response, described, started);
        }
        catch (Exception failed) when (described is not null)
        {
            log.Debug($"{described}\n\n(no answer after {time.GetElapsedTime(started).TotalMilliseconds:0} ms: {failed.GetBaseException().Message})");
            throw;
        }
    }

    /// <summary>
    /// Sends an API request and reads its answer whole. The body is kept as sent, for parsing: the key a server
    /// echoes is hidden where text is shown (the log masks every line, the answer every message it makes), never
    /// in the data, so no id is ever altered.
    /// </summary>
    public async Task<ApiResponse> ExchangeAsync(HttpRequestMessage request, KeyMask mask, CancellationToken cancellationToken)
    {
        using var exchange = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await ReadCappedAsync(exchange.Response.Content, cancellationToken).ConfigureAwait(false);
        Report(exchange, body);
        return ApiResponse.From(exchange.Response, body, time.GetUtcNow(), mask);
    }

    /// <summary>Logs the exchange: "GET url -> 200 OK in 41 ms", or with -Debug the request and the answer with <paramref name="body"/>.</summary>
    public void Report(Exchange exchange, string body = "")
    {
        var elapsed = time.GetElapsedTime(exchange.Started);
        var response = exchange.Response;
        if (exchange.Request is { } sent)
        {
            log.Debug($"{sent}\n\n{HttpExchangeText.DescribeResponse(response, elapsed, body)}");
        }
        else
        {
            log.Verbose($"{exchange.Method} {exchange.Uri} -> {(int)response.StatusCode} {response.ReasonPhrase} in {elapsed.TotalMilliseconds:0} ms");
        }
    }

    /// <summary>Reads a body of at most <see cref="MaxResponseBodyBytes"/> as UTF-8; a longer one is an <see cref="IOException"/>, never read on.</summary>
    private static async Task<string> ReadCappedAsync(HttpContent? content, CancellationToken cancellationToken)
    {
        if (content is null)
        {
            return "";
        }

        using var stream = await content.ReadAsStreamAsync().ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, 0, chunk.Length, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxResponseBodyBytes)
            {
                throw new IOException($"The response body exceeds {MaxResponseBodyBytes / (1024 * 1024)} MB; it is not a task or error object.");
            }

            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>One request on its way: the answer's headers, and what the log needs to report it.</summary>
    /// <param name="Request">The request as -Debug shows it; null when -Debug is off.</param>
    internal sealed record Exchange(HttpMethod Method, Uri Uri, HttpResponseMessage Response, string? Request, long Started) : IDisposable
    {
        public void Dispose() => Response.Dispose();
    }
}
