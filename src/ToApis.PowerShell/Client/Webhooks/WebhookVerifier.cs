using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace ToApis.Client.Webhooks;

/// <summary>
/// Decides whether a webhook delivery really comes from ToAPIs, now (contract §6): its signature matches the raw
/// body under one of the secrets, and it was signed within the tolerance of this machine's clock. Knows nothing of
/// PowerShell; replays are the <see cref="WebhookReplayGuard"/>'s business.
/// </summary>
internal sealed class WebhookVerifier
{
    public const string IdHeader = "X-ToAPIs-Webhook-Id";
    public const string TimestampHeader = "X-ToAPIs-Webhook-Timestamp";
    public const string SignatureHeader = "X-ToAPIs-Webhook-Signature";

    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    /// <summary>Timestamps above this are milliseconds (undocumented, but cheap to accept); seconds stay below it until the year 5138.</summary>
    private const long LargestSecondsTimestamp = 99_999_999_999;

    private const int MaxPrintableLength = 80;

    /// <summary>A webhook event is a few KB; a body above this is refused before it is hashed or parsed.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    private readonly IReadOnlyList<byte[]> _secretKeys;
    private readonly TimeSpan _tolerance;
    private readonly TimeProvider _time;

    /// <param name="secretKeys">The token's signing secret(s) as UTF-8 bytes; several while a rotation is under way.</param>
    public WebhookVerifier(IEnumerable<byte[]> secretKeys, TimeSpan tolerance, TimeProvider? time = null)
    {
        _secretKeys = secretKeys.ToList();
        if (_secretKeys.Count == 0 || _secretKeys.Any(key => key.Length == 0))
        {
            throw new ArgumentException("At least one non-empty secret is needed.", nameof(secretKeys));
        }

        _tolerance = tolerance;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Checks one delivery and reads its event.</summary>
    /// <param name="body">The request body exactly as received.</param>
    /// <param name="headers">The request headers; names in any case, repeated names joined with commas.</param>
    /// <exception cref="ToApisWebhookException">The delivery must not be acted on; the message says why.</exception>
    public WebhookEvent Verify(byte[] body, IEnumerable<KeyValuePair<string, string?>> headers)
    {
        RefuseOversized(body.Length);
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in headers)
        {
            if (!string.IsNullOrWhiteSpace(header.Value))
            {
                var value = header.Value!.Trim();
                byName[header.Key] = byName.TryGetValue(header.Key, out var earlier) ? earlier + "," + value : value;
            }
        }

        byName.TryGetValue(IdHeader, out var eventId);
        byName.TryGetValue(TimestampHeader, out var timestamp);
        byName.TryGetValue(SignatureHeader, out var signatureHeader);
        var missing = new[] { (IdHeader, eventId), (TimestampHeader, timestamp), (SignatureHeader, signatureHeader) }
            .Where(header => header.Item2 is null).Select(header => header.Item1).ToList();
        if (missing.Count > 0)
        {
            throw new ToApisWebhookException(
                WebhookProblem.SignatureMissing,
                $"The delivery is not signed: it has no {string.Join(", ", missing)} header. Genuine ToAPIs deliveries always carry X-ToAPIs-Webhook-Id, -Timestamp and -Signature.",
                eventId);
        }

        var candidates = WebhookSignature.Candidates(signatureHeader!);
        if (candidates.Count == 0)
        {
            throw new ToApisWebhookException(
                WebhookProblem.SignatureMissing,
                $"The delivery is not signed: {SignatureHeader} holds no v1=<hex> value (event '{Printable(eventId!)}').",
                eventId);
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var timestampValue))
        {
            throw new ToApisWebhookException(
                WebhookProblem.Malformed,
                $"{TimestampHeader} '{Printable(timestamp!)}' is not a Unix time in seconds (event '{Printable(eventId!)}').",
                eventId);
        }

        CheckSignature(body, eventId!, timestamp!, timestampValue, candidates);
        var signedAt = timestampValue > LargestSecondsTimestamp
            ? DateTimeOffset.FromUnixTimeMilliseconds(timestampValue)
            : DateTimeOffset.FromUnixTimeSeconds(timestampValue);
        CheckFreshness(eventId!, signedAt);
        if (!IsUsableEventId(eventId!))
        {
            throw new ToApisWebhookException(
                WebhookProblem.Malformed, $"{IdHeader} '{Printable(eventId!)}' is not a usable event id (empty, too long or with control characters).", eventId);
        }

        return WebhookEventParser.Parse(Encoding.UTF8.GetString(body), eventId!, signedAt);
    }

    /// <summary>Throws <see cref="WebhookProblem.TooLarge"/> for a body of more than <see cref="MaxBodyBytes"/> bytes; checked before any copy or hash.</summary>
    public static void RefuseOversized(long bodyBytes)
    {
        if (bodyBytes > MaxBodyBytes)
        {
            throw new ToApisWebhookException(
                WebhookProblem.TooLarge,
                $"The delivery's body is {bodyBytes} bytes, more than the {MaxBodyBytes / 1024} KB a webhook event can be; it was not checked or read.",
                eventId: null);
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

        var matched = false;
        foreach (var key in _secretKeys)
        {
            foreach (var form in signedForms)
            {
                var expected = WebhookSignature.Compute(key, eventId, form, body);
                foreach (var candidate in candidates)
                {
                    // No early exit: every candidate is compared, whichever matches.
                    matched |= WebhookSignature.Matches(expected, candidate);
                }
            }
        }

        if (!matched)
        {
            throw new ToApisWebhookException(
                WebhookProblem.SignatureMismatch,
                $"Webhook event '{Printable(eventId)}': none of the {candidates.Count} signature(s) in {SignatureHeader} matches the body under the "
                + $"{(_secretKeys.Count == 1 ? "secret" : _secretKeys.Count + " secrets")} given. Either the delivery is forged, or the body is not "
                + "byte for byte what was sent (a framework parsed or re-encoded it), or the secret is not the token's current one (or, within 24 h of a rotation, its previous one).",
                eventId);
        }
    }

    private void CheckFreshness(string eventId, DateTimeOffset signedAt)
    {
        var offset = _time.GetUtcNow() - signedAt;
        if (offset.Duration() <= _tolerance)
        {
            return;
        }

        var seconds = Math.Round(offset.Duration().TotalSeconds).ToString("0", CultureInfo.InvariantCulture);
        var when = offset > TimeSpan.Zero ? $"{seconds} s ago" : $"{seconds} s in the future";
        throw new ToApisWebhookException(
            WebhookProblem.TimestampStale,
            $"Webhook event '{Printable(eventId)}' was signed at {signedAt:u}, {when} by this machine's clock: more than the "
            + $"{_tolerance.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s allowed. ToAPIs signs every attempt afresh, so this is a replayed delivery or a clock that is wrong.",
            eventId);
    }

    private static bool IsUsableEventId(string eventId) =>
        eventId.Length is > 0 and <= 256 && !eventId.Any(char.IsControl);
}
