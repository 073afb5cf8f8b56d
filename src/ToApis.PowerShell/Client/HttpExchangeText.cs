using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.Tasks;

namespace ToApis.Client;

/// <summary>One HTTP exchange as -Debug shows it, without Authorization and with long bodies cut; the caller masks the key.</summary>
internal static class HttpExchangeText
{
    public const int MaxBodyCharacters = 4000;

    /// <summary>The request as it will be sent; a multipart body is described by its parts, not its bytes.</summary>
    public static async Task<string> DescribeRequestAsync(HttpRequestMessage request, HttpRequestHeaders defaults)
    {
        var text = new StringBuilder();
        text.Append(request.Method).Append(' ').Append(request.RequestUri).AppendLine();
        AppendHeaders(text, defaults);
        AppendHeaders(text, request.Headers);
        switch (request.Content)
        {
            case null:
                break;
            case MultipartFormDataContent form:
                AppendHeaders(text, form.Headers);
                text.AppendLine();
                foreach (var part in form)
                {
                    var disposition = part.Headers.ContentDisposition;
                    text.Append("  part ").Append(disposition?.Name?.Trim('"'))
                        .Append(disposition?.FileName is { } file ? $", file {file.Trim('"')}" : "")
                        .Append(part.Headers.ContentType is { } type ? $", {type}" : "")
                        .Append(part.Headers.ContentLength is { } length ? $", {length} bytes" : "")
                        .AppendLine(part is StringContent ? ": " + await part.ReadAsStringAsync().ConfigureAwait(false) : "");
                }

                break;
            default:
                AppendHeaders(text, request.Content.Headers);
                text.AppendLine().AppendLine(Cut(await request.Content.ReadAsStringAsync().ConfigureAwait(false)));
                break;
        }

        return text.ToString().TrimEnd();
    }

    /// <summary>The answer: status, time, headers and the body as read (or what stands for it, e.g. for image bytes).</summary>
    public static string DescribeResponse(HttpResponseMessage response, TimeSpan elapsed, string body)
    {
        var text = new StringBuilder();
        text.Append("HTTP/").Append(response.Version).Append(' ').Append((int)response.StatusCode).Append(' ').Append(response.ReasonPhrase)
            .Append(" (").Append((long)elapsed.TotalMilliseconds).AppendLine(" ms)");
        AppendHeaders(text, response.Headers);
        AppendHeaders(text, response.Content.Headers);
        if (body.Length > 0)
        {
            text.AppendLine().AppendLine(Cut(body));
        }

        return text.ToString().TrimEnd();
    }

    private static void AppendHeaders(StringBuilder text, HttpHeaders headers)
    {
        foreach (var header in headers.Where(h => !h.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase)))
        {
            text.Append(header.Key).Append(": ").AppendLine(string.Join(", ", header.Value));
        }
    }

    private static string Cut(string body) =>
        body.Length <= MaxBodyCharacters
            ? body
            : body.Substring(0, MaxBodyCharacters) + $"… ({body.Length - MaxBodyCharacters:N0} more characters not shown)";
}
