using System;
using System.Net;
using System.Net.Http;
using System.Threading;
using ToApis.Client.RateLimiting;
using ToApis.Client.Resilience;

namespace ToApis.Client;

/// <summary>What a session owns and its commands share: settings, the API key, two pooled HttpClients and the pipelines.</summary>
internal sealed class ToApisConnection : IDisposable
{
    private readonly string _apiKey;

    /// <summary>Opens when the API keeps failing across requests of this session.</summary>
    private readonly OutageBreaker _apiBreaker;

    /// <summary>Opens when result hosts keep failing across downloads of this session.</summary>
    private readonly OutageBreaker _filesBreaker;

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
        RateLimiter = AccountRateLimiter.Acquire(ApiRoot, _apiKey, settings.RateLimits);
        _apiBreaker = new OutageBreaker($"The service at {ApiRoot}", settings.Time.GetUtcNow);
        _filesBreaker = new OutageBreaker("The result host", settings.Time.GetUtcNow);
        Pipelines = new ResiliencePipelines(settings, RateLimiter, _apiBreaker, _filesBreaker);
        // Redirects are not followed: one to another host could carry the key away.
        Http = NewClient(handler ?? new HttpClientHandler
        {
            AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate, Proxy = settings.Proxy,
        });
        Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");
        // Result and upload URLs are public: a client that never carries the key. They may redirect to a CDN;
        // the downloader follows each hop itself, after checking where it leads.
        DownloadHttp = NewClient(downloadHandler ?? new HttpClientHandler { AllowAutoRedirect = false, Proxy = settings.Proxy });
    }

    public ToApisConnectionSettings Settings { get; }

    /// <summary>The clock of everything this connection does: timeouts, retries, expiry, timing (a manual one in tests).</summary>
    internal TimeProvider Time => Settings.Time;

    /// <summary>The service root ending in '/', e.g. https://toapis.com/; request paths start with v1/.</summary>
    public Uri ApiRoot { get; }

    internal ResiliencePipelines Pipelines { get; }

    /// <summary>Shared with every other connection of the process that uses the same key at the same service.</summary>
    internal AccountRateLimiter RateLimiter { get; }

    internal HttpClient Http { get; }

    /// <summary>For result and upload URLs only; has no Authorization of any kind.</summary>
    internal HttpClient DownloadHttp { get; }

    /// <summary>The Authorization value, built per request so it is never a default header of any client.</summary>
    internal string BearerToken => _apiKey;

    /// <summary>The key's last four characters ("…9f3a"): enough to tell keys apart, never enough to use one.</summary>
    internal string KeyHint => _apiKey.Length >= 12 ? "\u2026" + _apiKey.Substring(_apiKey.Length - 4) : "\u2026";

    /// <summary>
    /// Hides the key in what is shown or stored: every line a client or saver of this connection logs, and every
    /// message an answer puts into an error (<see cref="ApiResponse.Shown"/>). A server that echoes the key, in
    /// whatever encoding, never gets it shown; the answers themselves are parsed unmasked.
    /// </summary>
    internal KeyMask Mask { get; }

    /// <summary>A client for one command. A breaker that an earlier command saw open lets this one try once more.</summary>
    public ToApisClient CreateClient(IRequestLog? log = null)
    {
        _apiBreaker.AllowProbe();
        return new(this, new MaskingRequestLog(Mask, log ?? NullRequestLog.Instance));
    }

    public Files.ResultSaver CreateResultSaver(IRequestLog? log = null)
    {
        _filesBreaker.AllowProbe();
        return new(this, new MaskingRequestLog(Mask, log ?? NullRequestLog.Instance));
    }

    public void Dispose()
    {
        Http.Dispose();
        DownloadHttp.Dispose();
        AccountRateLimiter.Release(RateLimiter);
    }

    private static HttpClient NewClient(HttpMessageHandler handler)
    {
        // Per-attempt and overall limits come from the resilience pipeline, which also honours cancellation.
        var client = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.ParseAdd($"ToApis-PowerShell/{typeof(ToApisConnection).Assembly.GetName().Version}");
        return client;
    }

    private sealed class MaskingRequestLog(KeyMask mask, IRequestLog inner) : IRequestLog
    {
        public bool IsDebugEnabled => inner.IsDebugEnabled;

        public void Verbose(string message) => inner.Verbose(mask.Apply(message));

        public void Warning(string message) => inner.Warning(mask.Apply(message));

        public void Debug(string message) => inner.Debug(mask.Apply(message));
    }
}
