using System;
using System.Net;
using System.Net.Http;
using ToApis.Client.Resilience;

namespace ToApis.Client;

/// <summary>
/// What a session owns: settings, the API key, one pooled HttpClient and the resilience pipelines.
/// Shared by every command that uses the session; <see cref="CreateClient"/> gives each its own log.
/// </summary>
public sealed class ToApisConnection : IDisposable
{
    private readonly string _apiKey;

    public ToApisConnection(ToApisConnectionSettings settings, string apiKey, HttpMessageHandler? handler = null)
    {
        if (string.IsNullOrWhiteSpace(apiKey))
        {
            throw new ToApisValidationException("ApiKey", "The API key is empty.");
        }

        Settings = settings;
        _apiKey = apiKey.Trim();
        ApiRoot = settings.BaseUri;
        Pipelines = new ResiliencePipelines(settings);
        Http = new HttpClient(handler ?? CreateHandler(settings.Proxy), disposeHandler: true)
        {
            // Per-attempt and overall limits come from the resilience pipeline, which also honours cancellation.
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
        Http.DefaultRequestHeaders.UserAgent.ParseAdd($"ToApis-PowerShell/{typeof(ToApisConnection).Assembly.GetName().Version}");
        Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");
    }

    public ToApisConnectionSettings Settings { get; }

    /// <summary>The service root ending in '/', e.g. https://toapis.com/; request paths start with v1/.</summary>
    public Uri ApiRoot { get; }

    internal ResiliencePipelines Pipelines { get; }

    internal HttpClient Http { get; }

    /// <summary>The Authorization value, built per request so it is never a default header of any client.</summary>
    internal string BearerToken => _apiKey;

    public ToApisClient CreateClient(IRequestLog? log = null) => new(this, log ?? NullRequestLog.Instance);

    public void Dispose() => Http.Dispose();

    // Redirects are not followed: one to another host could carry the key away.
    private static HttpClientHandler CreateHandler(IWebProxy? proxy) => new()
    {
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
        Proxy = proxy,
    };
}
