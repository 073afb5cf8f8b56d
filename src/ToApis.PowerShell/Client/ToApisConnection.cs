using System;
using System.Net;
using System.Net.Http;
using ToApis.Client.Resilience;

namespace ToApis.Client;

/// <summary>
/// What a session owns: settings, the API key, one pooled HttpClient and the resilience pipelines.
/// Shared by every command that uses the session; <see cref="CreateClient"/> gives each its own log.
/// </summary>
internal sealed class ToApisConnection : IDisposable
{
    private readonly string _apiKey;

    public ToApisConnection(
        ToApisConnectionSettings settings, string apiKey, HttpMessageHandler? handler = null, HttpMessageHandler? downloadHandler = null)
    {
        if (string.IsNullOrWhiteSpace(apiKey))
        {
            throw new ToApisValidationException("ApiKey", "The API key is empty.");
        }

        Settings = settings;
        _apiKey = apiKey.Trim();
        Mask = new KeyMask(_apiKey, KeyHint);
        ApiRoot = settings.BaseUri;
        RateLimiter = RateLimiting.AccountRateLimiter.Acquire(ApiRoot, _apiKey, settings.RateLimits);
        _apiBreaker = new OutageBreaker($"The service at {ApiRoot}", settings.Time.GetUtcNow);
        _filesBreaker = new OutageBreaker("The result host", settings.Time.GetUtcNow);
        Pipelines = new ResiliencePipelines(settings, RateLimiter, _apiBreaker, _filesBreaker);
        Http = new HttpClient(handler ?? CreateHandler(settings.Proxy), disposeHandler: true)
        {
            // Per-attempt and overall limits come from the resilience pipeline, which also honours cancellation.
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
        Http.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
        Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");

        // Result and upload URLs are public: a client that never carries the key. They may redirect to a CDN;
        // ResultSaver follows each hop itself, after checking where it leads.
        DownloadHttp = new HttpClient(
            downloadHandler ?? new HttpClientHandler { AllowAutoRedirect = false, Proxy = settings.Proxy },
            disposeHandler: true)
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
        DownloadHttp.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
    }

    private static string UserAgent => $"ToApis-PowerShell/{typeof(ToApisConnection).Assembly.GetName().Version}";

    public ToApisConnectionSettings Settings { get; }

    /// <summary>The clock of everything this connection does: timeouts, retries, expiry, timing (a manual one in tests).</summary>
    internal TimeProvider Time => Settings.Time;

    /// <summary>The service root ending in '/', e.g. https://toapis.com/; request paths start with v1/.</summary>
    public Uri ApiRoot { get; }

    internal ResiliencePipelines Pipelines { get; }

    /// <summary>Opens when the API keeps failing across requests of this session.</summary>
    private readonly OutageBreaker _apiBreaker;

    /// <summary>Opens when result hosts keep failing across downloads of this session.</summary>
    private readonly OutageBreaker _filesBreaker;

    /// <summary>Shared with every other connection of the process that uses the same key at the same service.</summary>
    internal RateLimiting.AccountRateLimiter RateLimiter { get; }

    internal HttpClient Http { get; }

    /// <summary>For result and upload URLs only; has no Authorization of any kind.</summary>
    internal HttpClient DownloadHttp { get; }

    /// <summary>The Authorization value, built per request so it is never a default header of any client.</summary>
    internal string BearerToken => _apiKey;

    /// <summary>The key's last four characters ("…9f3a"): enough to tell keys apart, never enough to use one.</summary>
    internal string KeyHint => _apiKey.Length >= 12 ? "\u2026" + _apiKey.Substring(_apiKey.Length - 4) : "\u2026";

    /// <summary>A client for one command. A breaker that an earlier command saw open lets this one try once more.</summary>
    public ToApisClient CreateClient(IRequestLog? log = null)
    {
        _apiBreaker.AllowProbe();
        return new(this, new MaskingRequestLog(this, log ?? NullRequestLog.Instance));
    }

    public Files.ResultSaver CreateResultSaver(IRequestLog? log = null)
    {
        _filesBreaker.AllowProbe();
        return new(this, new MaskingRequestLog(this, log ?? NullRequestLog.Instance));
    }

    /// <summary>
    /// Hides the key in what is shown or stored: every line a client or saver of this connection logs, and every
    /// message an answer puts into an error (<see cref="ApiResponse.Shown"/>). A server that echoes the key, in
    /// whatever encoding, never gets it shown; the answers themselves are parsed unmasked.
    /// </summary>
    internal KeyMask Mask { get; }

    internal string MaskKey(string text) => Mask.Apply(text);

    public void Dispose()
    {
        Http.Dispose();
        DownloadHttp.Dispose();
        RateLimiting.AccountRateLimiter.Release(RateLimiter);
    }

    private sealed class MaskingRequestLog : IRequestLog
    {
        private readonly ToApisConnection _connection;
        private readonly IRequestLog _inner;

        public MaskingRequestLog(ToApisConnection connection, IRequestLog inner)
        {
            _connection = connection;
            _inner = inner;
        }

        public bool IsDebugEnabled => _inner.IsDebugEnabled;

        public void Verbose(string message) => _inner.Verbose(_connection.MaskKey(message));

        public void Warning(string message) => _inner.Warning(_connection.MaskKey(message));

        public void Debug(string message) => _inner.Debug(_connection.MaskKey(message));
    }

    // Redirects are not followed: one to another host could carry the key away.
    private static HttpClientHandler CreateHandler(IWebProxy? proxy) => new()
    {
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
        Proxy = proxy,
    };
}
