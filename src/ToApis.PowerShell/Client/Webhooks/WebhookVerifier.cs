using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace ToApis.Client.Webhooks;

/// <summary>
/// Decides whether a webhook delivery really comes from ToAPIs, now (contract §6): its signature matches the raw
/// body under one of the secrets, and it was signed within the tolerance of this machine's clock. Replays are the
/// <see cref="WebhookReplayGuard"/>'s business.
/// </summary>
/// <param name="secretKeys">The token's signing secret(s) as UTF-8 bytes; several while a rotation is under way.</param>
internal sealed class WebhookVerifier(IEnumerable<byte[]> secretKeys, TimeSpan tolerance, TimeProvider? time = null)
{
    public const string IdHeader = "X-ToAPIs-Webhook-Id";
    public const string TimestampHeader = "X-ToAPIs-Webhook-Timestamp";
    public const string SignatureHeader = "X-ToAPIs-Webhook-Signature";

    /// <summary>A webhook event is a few KB; a body above this is refused before it is hashed or parsed.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    /// <summary>Timestamps above this are milliseconds (undocumented, but cheap to accept); seconds stay below it until the year 5138.</summary>
    private const long LargestSecondsTimestamp = 99_999_999_999;

    private const int MaxPrintableLength = 80;

    private readonly IReadOnlyList<byte[]> _secretKeys = secretKeys.ToList() is { Count: > 0 } keys && keys.All(key => key.Length > 0)
        ? keys
        : throw new ArgumentException("At least one non-empty secret is needed.", nameof(secretKeys));

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Checks one delivery and reads its event.</summary>
    /// <param name="body">The request body exactly as received.</param>
    /// <param name="headers">The request headers; names in any case, repeated names joined with commas.</param>
    /// <exception cref="ToApisWebhookException">The delivery must not be acted on; the message says why.</exception>
    public WebhookEvent Verify(byte[] body, IEnumerable<KeyValuePair<string, string?>> headers)
    {
        RefuseOversized(body.Length);
        var byName = headers
            .Where(header => !string.IsNullOrWhiteSpace(header.Value))
            .GroupBy(header => header.Key, header => header.Value!.Trim(), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(group => group.Key, group => string.Join(",", group), StringComparer.OrdinalIgnoreCase);
        byName.TryGetValue(IdHeader, out var eventId);
        var missing = new[] { IdHeader, TimestampHeader, SignatureHeader }.Where(name => !byName.ContainsKey(name)).ToList();
        if (missing.Count > 0)
        {
            throw Refused(
                WebhookProblem.SignatureMissing, eventId,
                $"The delivery is not signed: it has no {string.Join(", ", missing)} header. Genuine ToAPIs deliveries always carry X-ToAPIs-Webhook-Id, -Timestamp and -Signature.");
        }

        var (id, timestamp) = (eventId!, byName[TimestampHeader]);
        var candidates = WebhookSignature.Candidates(byName[SignatureHeader]);
        if (candidates.Count == 0)
        {
            throw Refused(WebhookProblem.SignatureMissing, id, $"The delivery is not signed: {SignatureHeader} holds no v1=<hex> value (event '{Printable(id)}').");
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var timestampValue))
        {
            throw Refused(WebhookProblem.Malformed, id, $"{TimestampHeader} '{Printable(timestamp)}' is not a Unix time in seconds (event '{Printable(id)}').");
        }

        CheckSignature(body, id, timestamp, timestampValue, candidates);
        CheckFreshness(id, timestampValue > LargestSecondsTimestamp
            ? DateTimeOffset.FromUnixTimeMilliseconds(timestampValue)
            : DateTimeOffset.FromUnixTimeSeconds(timestampValue));
        if (id.Length is 0 or > 256 || id.Any(char.IsControl))
        {
            throw Refused(WebhookProblem.Malformed, id, $"{IdHeader} '{Printable(id)}' is not a usable event id (empty, too long or with control characters).");
        }

        return WebhookEventParser.Parse(Encoding.UTF8.GetString(body), id);
    }

    /// <summary>Throws <see cref="WebhookProblem.TooLarge"/> for a body of more than <see cref="MaxBodyBytes"/> bytes; checked before any copy or hash.</summary>
    public static void RefuseOversized(long bodyBytes)
    {
        if (bodyBytes > MaxBodyBytes)
        {
            throw Refused(
                WebhookProblem.TooLarge, null,
                $"The delivery's body is {bodyBytes} bytes, more than the {MaxBodyBytes / 1024} KB a webhook event can be; it was not checked or read.");
        }
    }

    /// <summary>Attacker-controlled text made safe to put in a message: one line, bounded length.</summary>
    public static string Printable(string text)
    {
        var clean = new string(text.Select(c => char.IsControl(c) ? '?' : c).Take(MaxPrintableLength + 1).ToArray());
        return clean.Length > MaxPrintableLength ? clean.Substring(0, MaxPrintableLength - 3) + "..." : clean;
    }

    private void CheckSignature(byte[] body, string eventId, string timestamp, long timestampValue, IReadOnlyList<string> candidates)
    {
        // The docs' Go sample signs the header text as sent, the Python one the number it parsed: accept both.
        var signedForms = new[] { timestamp, timestampValue.ToString(CultureInfo.InvariantCulture) }.Distinct();
        // Count, not Any: every candidate is compared, whichever matches.
        var matched = _secretKeys
            .SelectMany(key => signedForms.Select(form => WebhookSignature.Compute(key, eventId, form, body)))
            .SelectMany(expected => candidates.Select(candidate => WebhookSignature.Matches(expected, candidate)))
            .Count(match => match) > 0;
        if (!matched)
        {
            throw Refused(
                WebhookProblem.SignatureMismatch, eventId,
                $"Webhook event '{Printable(eventId)}': none of the {candidates.Count} signature(s) in {SignatureHeader} matches the body under the "
                + $"{(_secretKeys.Count == 1 ? "secret" : _secretKeys.Count + " secrets")} given. Either the delivery is forged, or the body is not "
                + "byte for byte what was sent (a framework parsed or re-encoded it), or the secret is not the token's current one (or, within 24 h of a rotation, its previous one).");
        }
    }

    private void CheckFreshness(string eventId, DateTimeOffset signedAt)
    {
        var offset = _time.GetUtcNow() - signedAt;
        if (offset.Duration() > tolerance)
        {
            var seconds = Math.Round(offset.Duration().TotalSeconds).ToString("0", CultureInfo.InvariantCulture);
            throw Refused(
                WebhookProblem.TimestampStale, eventId,
                $"Webhook event '{Printable(eventId)}' was signed at {signedAt:u}, {seconds} s {(offset > TimeSpan.Zero ? "ago" : "in the future")} by this machine's clock: more than the "
                + $"{tolerance.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s allowed. ToAPIs signs every attempt afresh, so this is a replayed delivery or a clock that is wrong.");
        }
    }

    private static ToApisWebhookException Refused(WebhookProblem problem, string? eventId, string message) => new(problem, message, eventId);
}
