using System;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace ToApis.Client.Files;

/// <summary>
/// Where a result download may be redirected. The download client follows no redirect by itself; each hop is
/// checked here: http(s) only, at most <see cref="MaxHops"/>, never to a link-local address (cloud metadata
/// services live there), and never to a private or loopback address unless the files host itself is on this
/// machine (the emulator). The download client never carries the API key, whatever the hop.
/// </summary>
internal static class ResultRedirects
{
    public const int MaxHops = 5;

    /// <summary>Results (and each hop to them) are fetched over http and https only: never file:, javascript: or ftp:.</summary>
    public static bool IsFetchable(Uri url) => url.IsAbsoluteUri && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps);

    /// <summary>Sends the GET, following at most <see cref="MaxHops"/> redirects, each checked first.</summary>
    public static async Task<HttpResponseMessage> SendAsync(HttpTransport transport, Uri url, CancellationToken cancellationToken)
    {
        var current = url;
        for (var hop = 0; ; hop++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, current);
            var exchange = await transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
            transport.Report(exchange);
            var response = exchange.Response;
            if ((int)response.StatusCode is not (301 or 302 or 303 or 307 or 308) || response.Headers.Location is not { } location)
            {
                return response;
            }

            response.Dispose();
            if (hop == MaxHops)
            {
                throw new ToApisFileException(FileProblem.DownloadFailed, url.ToString(), $"{url} redirected more than {MaxHops} times; nothing was saved.");
            }

            var next = location.IsAbsoluteUri ? location : new Uri(current, location);
            await CheckAsync(url, next).ConfigureAwait(false);
            current = next;
        }
    }

    /// <summary>Throws <see cref="FileProblem.UnsafeRedirect"/> unless <paramref name="target"/> may be fetched.</summary>
    private static async Task CheckAsync(Uri resultUrl, Uri target)
    {
        if (!IsFetchable(target))
        {
            throw Refused(resultUrl, target, $"the {target.Scheme} scheme");
        }

        var allowPrivate = ToApisConnectionSettings.IsLoopback(resultUrl);
        IPAddress[] addresses;
        if (IPAddress.TryParse(target.Host.Trim('[', ']'), out var literal))
        {
            addresses = new[] { literal };
        }
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(target.DnsSafeHost).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                return; // unresolvable: the request itself fails as a network error
            }
        }

        foreach (var address in addresses)
        {
            if (Forbidden(address, allowPrivate) is { } reason)
            {
                throw Refused(resultUrl, target, $"{reason} {address}");
            }
        }
    }

    /// <summary>Why an address is off limits, or null when it may be fetched.</summary>
    internal static string? Forbidden(IPAddress address, bool allowPrivate)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var bytes = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            if (bytes[0] == 169 && bytes[1] == 254)
            {
                return "the link-local address";
            }

            var isPrivate = bytes[0] is 0 or 10 or 127
                || (bytes[0] == 172 && bytes[1] >= 16 && bytes[1] <= 31)
                || (bytes[0] == 192 && bytes[1] == 168)
                || (bytes[0] == 100 && bytes[1] >= 64 && bytes[1] <= 127)
                || bytes[0] >= 224;
            return isPrivate && !allowPrivate ? "the private address" : null;
        }

        if (address.IsIPv6LinkLocal)
        {
            return "the link-local address";
        }

        var isPrivateV6 = IPAddress.IsLoopback(address) || address.Equals(IPAddress.IPv6Any) || address.IsIPv6SiteLocal
            || address.IsIPv6Multicast || (bytes[0] & 0xFE) == 0xFC;
        return isPrivateV6 && !allowPrivate ? "the private address" : null;
    }

    private static ToApisFileException Refused(Uri resultUrl, Uri target, string what) =>
        new(FileProblem.UnsafeRedirect, resultUrl.ToString(),
            $"{resultUrl} redirected to {target.GetLeftPart(UriPartial.Path)}, {what}, which results are never fetched from; nothing was saved.");
}
