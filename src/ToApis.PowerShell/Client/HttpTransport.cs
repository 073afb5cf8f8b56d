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
internal sealed class HttpTransport
{
    private readonly HttpClient _http;
    private readonly IRequestLog _log;
    private readonly TimeProvider _time;

    public HttpTransport(HttpClient http, IRequestLog log, TimeProvider time)
    {
        _http = http;
        _log = log;
        _time = time;
    }

    /// <summary>Sends <paramref name="request"/>, returning once the headers are in; the body is the caller's to read, then <see cref="Report"/>.</summary>
    public async Task<Exchange> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var described = _log.IsDebugEnabled
            ? await HttpExchangeText.DescribeRequestAsync(request, _http.DefaultRequestHeaders).ConfigureAwait(false)
            : null;
        var started = _time.GetTimestamp();
        try
        {
            var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            return new Exchange(request.Method, request.RequestUri!, response, described, started);
        }
        catch (Exception failed) when (described is not null)
        {
            _log.Debug($"{described}\n\n(no answer after {_time.GetElapsedTime(started).TotalMilliseconds:0} ms: {failed.GetBaseException().Message})");
            throw;
        }
    }

    /// <summary>Logs the exchange: "GET url -> 200 OK in 41 ms", or with -Debug the request and the answer with <paramref name="body"/>.</summary>
    public void Report(Exchange exchange, string body = "")
    {
        var elapsed = _time.GetElapsedTime(exchange.Started);
        var response = exchange.Response;
        if (exchange.Request is { } sent)
        {
            _log.Debug($"{sent}\n\n{HttpExchangeText.DescribeResponse(response, elapsed, body)}");
        }
        else
        {
            _log.Verbose($"{exchange.Method} {exchange.Uri} -> {(int)response.StatusCode} {response.ReasonPhrase} in {elapsed.TotalMilliseconds:0} ms");
        }
    }

    /// <summary>Reads a body of at most <paramref name="maxBytes"/> as UTF-8; a longer one is an <see cref="IOException"/>, never read on.</summary>
    public static async Task<string> ReadCappedAsync(HttpContent? content, int maxBytes, CancellationToken cancellationToken)
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
            if (buffer.Length + read > maxBytes)
            {
                throw new IOException($"The response body exceeds {maxBytes / (1024 * 1024)} MB; it is not a task or error object.");
            }

            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>One request on its way: the answer's headers, and what the log needs to report it.</summary>
    internal sealed class Exchange : IDisposable
    {
        public Exchange(HttpMethod method, Uri uri, HttpResponseMessage response, string? request, long started)
        {
            Method = method;
            Uri = uri;
            Response = response;
            Request = request;
            Started = started;
        }

        public HttpMethod Method { get; }

        public Uri Uri { get; }

        public HttpResponseMessage Response { get; }

        /// <summary>The request as -Debug shows it; null when -Debug is off.</summary>
        public string? Request { get; }

        public long Started { get; }

        public void Dispose() => Response.Dispose();
    }
}
