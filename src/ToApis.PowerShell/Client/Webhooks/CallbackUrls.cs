using System;
using System.Collections.Generic;
using System.Linq;

namespace ToApis.Client.Webhooks;

/// <summary>
/// The per-task <c>callback_url</c> (contract §6): checked before anything is spent, so a typo costs an error
/// for the row instead of a paid task whose result is announced nowhere.
/// </summary>
internal static class CallbackUrls
{
    public const string Field = "callback_url";

    private const string Parameter = "CallbackUrl";

    /// <summary>
    /// The callback URL to send: <paramref name="given"/> (-CallbackUrl or a CSV column), or a callback_url put in
    /// -ExtraBody, which is moved out of <paramref name="extraBody"/> so that it is checked the same way and stays
    /// out of the -RunKey fingerprint. Null when there is none.
    /// </summary>
    /// <exception cref="ToApisValidationException">The URL cannot be a webhook endpoint, or two different ones were given.</exception>
    public static string? Resolve(string? given, IDictionary<string, object?> extraBody)
    {
        var url = string.IsNullOrWhiteSpace(given) ? null : given!.Trim();
        var extraKey = extraBody.Keys.FirstOrDefault(key => string.Equals(key, Field, StringComparison.OrdinalIgnoreCase));
        if (extraKey is not null)
        {
            var fromExtra = extraBody[extraKey] switch
            {
                null => null,
                string text => string.IsNullOrWhiteSpace(text) ? null : text.Trim(),
                var other => throw new ToApisValidationException(
                    "ExtraBody", $"-ExtraBody's {Field} is a {other.GetType().Name}; it must be a URL string. Use -CallbackUrl instead."),
            };
            if (url is not null && fromExtra is not null && !string.Equals(url, fromExtra, StringComparison.Ordinal))
            {
                throw new ToApisValidationException(
                    Parameter, $"Two callback URLs were given, '{Shorten(Redacted(url))}' (-CallbackUrl) and '{Shorten(Redacted(fromExtra))}' (-ExtraBody {Field}). Give one, with -CallbackUrl.");
            }

            extraBody.Remove(extraKey);
            url ??= fromExtra;
        }

        if (url is not null)
        {
            Check(url);
        }

        return url;
    }

    /// <summary>
    /// An absolute https URL without user name, password or fragment, as the service requires. http is accepted
    /// only for a loopback host, where only a local stand-in of the service (the emulator) can deliver.
    /// </summary>
    private static void Check(string url)
    {
        var refusal = (Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri : null) switch
        {
            null or { Scheme: not ("https" or "http") } => "is not an absolute https URL",
            { Scheme: "http", IsLoopback: false } => "uses http; ToAPIs delivers webhooks only over https (http is accepted only for a loopback address, for local tests)",
            { UserInfo.Length: > 0 } => "contains a user name or password, which the service refuses",
            { Fragment: var fragment } when fragment.Length > 0 || url.IndexOf('#') >= 0 => "contains a #fragment, which the service refuses",
            _ => null,
        };
        if (refusal is not null)
        {
            throw new ToApisValidationException(
                Parameter,
                $"The callback URL '{Shorten(Redacted(url))}' {refusal}. Use the token's default webhook URL from the ToAPIs console, changing at most its path and query (scheme, host and port must stay the same).");
        }
    }

    /// <summary>The URL without a user name or password, which must never reach an error message.</summary>
    private static string Redacted(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0
            ? new UriBuilder(uri) { UserName = "", Password = "" }.Uri.AbsoluteUri
            : url;

    private static string Shorten(string text) => text.Length <= 80 ? text : text.Substring(0, 77) + "...";
}
