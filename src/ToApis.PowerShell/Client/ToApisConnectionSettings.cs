using System;
using System.Net;

namespace ToApis.Client;

/// <summary>Everything about how to reach the service, except the key (which the connection keeps privately).</summary>
internal sealed class ToApisConnectionSettings
{
    public static readonly Uri DefaultBaseUri = new("https://toapis.com");

    public Uri BaseUri { get; set; } = DefaultBaseUri;

    /// <summary>Limit for one HTTP attempt; retries get their own.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Limit for one request including all its retries and waits.</summary>
    public TimeSpan OverallTimeout { get; set; } = TimeSpan.FromMinutes(5);

    public IWebProxy? Proxy { get; set; }

    /// <summary>The one clock of the connection's core and its resilience pipelines; tests pass a manual one.</summary>
    internal TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>
    /// Client-side pacing of submits and queries: learned from the service unless the user pinned a tier or a
    /// rate; a pinned category never overrides what another session pinned for the same account, a learned one never does.
    /// </summary>
    public RateLimiting.RateLimitSettings RateLimits { get; set; } = RateLimiting.RateLimitSettings.Learned;

    /// <summary>Retries after the first attempt, for requests that may be retried at all.</summary>
    public int MaximumRetryCount { get; set; } = 5;

    /// <summary>First backoff step when the server gives no Retry-After; doubled per attempt, with jitter.</summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest single wait, including a server's Retry-After.</summary>
    public TimeSpan MaximumRetryDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The service root with the API prefix: accepts https://toapis.com, a trailing slash, or a trailing /v1,
    /// because users copy all three from the docs. Refuses plain http except to this machine, so a typo can
    /// never send the key in clear text.
    /// </summary>
    public static Uri NormalizeBaseUri(string value)
    {
        if (!Uri.TryCreate(value?.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new ToApisValidationException(
                "BaseUri", $"'{value}' is not an absolute http(s) URI. Use the service root, e.g. https://toapis.com.");
        }

        if (uri.Scheme == Uri.UriSchemeHttp && !IsLoopback(uri))
        {
            throw new ToApisValidationException(
                "BaseUri", $"'{value}' uses plain http to a remote host, which would send the API key unencrypted. Use https://.");
        }

        var path = uri.AbsolutePath.TrimEnd('/');
        if (path.EndsWith("/v1", StringComparison.OrdinalIgnoreCase))
        {
            path = path.Substring(0, path.Length - 3);
        }

        return new UriBuilder(uri.Scheme, uri.Host, uri.Port, path + "/").Uri;
    }

    public static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
