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
        ApiRoot = settings.BaseUri;
        RateLimiter = RateLimiting.AccountRateLimiter.Acquire(ApiRoot, _apiKey, settings.RateLimits);
        Pipelines = new ResiliencePipelines(settings, RateLimiter);
        Http = new HttpClient(handler ?? CreateHandler(settings.Proxy), disposeHandler: true)
        {
            // Per-attempt and overall limits come from the resilience pipeline, which also honours cancellation.
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
        Http.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
        Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");

        // Result and upload URLs are public and may redirect to a CDN: a client that never carries the key.
        DownloadHttp = new HttpClient(
            downloadHandler ?? new HttpClientHandler { AllowAutoRedirect = true, MaxAutomaticRedirections = 5, Proxy = settings.Proxy },
            disposeHandler: true)
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
        DownloadHttp.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
    }

    private static string UserAgent => $"ToApis-PowerShell/{typeof(ToApisConnection).Assembly.GetName().Version}";

    public ToApisConnectionSettings Settings { get; }

    /// <summary>The service root ending in '/', e.g. https://toapis.com/; request paths start with v1/.</summary>
    public Uri ApiRoot { get; }

    internal ResiliencePipelines Pipelines { get; }

    /// <summary>Shared with every other connection of the process that uses the same key at the same service.</summary>
    internal RateLimiting.AccountRateLimiter RateLimiter { get; }

    internal HttpClient Http { get; }

    /// <summary>For result and upload URLs only; has no Authorization of any kind.</summary>
    internal HttpClient DownloadHttp { get; }

    /// <summary>The Authorization value, built per request so it is never a default header of any client.</summary>
    internal string BearerToken => _apiKey;

    public ToApisClient CreateClient(IRequestLog? log = null) => new(this, log ?? NullRequestLog.Instance);

    public Files.ResultSaver CreateResultSaver(IRequestLog? log = null) => new(this, log ?? NullRequestLog.Instance);

    public void Dispose()
    {
        Http.Dispose();
        DownloadHttp.Dispose();
        RateLimiting.AccountRateLimiter.Release(RateLimiter);
    }

    // Redirects are not followed: one to another host could carry the key away.
    private static HttpClientHandler CreateHandler(IWebProxy? proxy) => new()
    {
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
        Proxy = proxy,
    };
}
