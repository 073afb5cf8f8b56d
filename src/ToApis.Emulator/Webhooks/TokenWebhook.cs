namespace ToApis.Emulator.Webhooks;

/// <summary>
/// A token's Task Webhooks settings as the console keeps them (contract §6): the default callback URL, the signing
/// secret and the switch. Replaced whole on every change, so a delivery reads one consistent version.
/// </summary>
/// <param name="Url">The default callback URL; a task's callback_url may change only its path and query.</param>
/// <param name="Secret">The signing secret; the HMAC is keyed by its UTF-8 bytes.</param>
public sealed record TokenWebhook(Uri Url, string Secret, bool Enabled = true)
{
    /// <summary>How long deliveries carry the previous secret's signature too after a rotation (virtual time).</summary>
    public static readonly TimeSpan RotationOverlap = TimeSpan.FromHours(24);

    /// <summary>The secret the last rotation replaced; deliveries are signed with it as well until <see cref="PreviousSecretUntil"/>.</summary>
    public string? PreviousSecret { get; init; }

    public DateTimeOffset? PreviousSecretUntil { get; init; }

    /// <summary>What the service requires before it accepts a callback_url: enabled, with a URL and a secret.</summary>
    public bool IsUsable => Enabled && Secret.Length > 0;

    /// <summary>Settings from text (a CLI option, a control request), checked.</summary>
    /// <exception cref="ArgumentException">Not an absolute loopback http(s) URL, or an empty secret.</exception>
    public static TokenWebhook Parse(string url, string secret, bool enabled = true)
    {
        var webhook = new TokenWebhook(
            Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri : throw new ArgumentException($"'{url}' is not an absolute URL.", nameof(url)),
            secret,
            enabled);
        webhook.Validate();
        return webhook;
    }

    /// <summary>The secrets a delivery made at <paramref name="now"/> is signed with: the current one first.</summary>
    public IReadOnlyList<string> SigningSecretsAt(DateTimeOffset now) =>
        PreviousSecret is { } previous && now < PreviousSecretUntil ? [Secret, previous] : [Secret];

    /// <summary>A copy whose new secret is signed with alongside the old one for <see cref="RotationOverlap"/>.</summary>
    public TokenWebhook RotatedTo(string newSecret, DateTimeOffset now) =>
        this with { Secret = newSecret, PreviousSecret = Secret, PreviousSecretUntil = now + RotationOverlap };

    /// <summary>
    /// Unlike the service, which delivers only to public HTTPS endpoints, the emulator delivers only to loopback
    /// (http or https), so a test can never make it post anywhere else.
    /// </summary>
    /// <exception cref="ArgumentException">The URL is not a loopback http(s) URL, or the secret is empty.</exception>
    public void Validate()
    {
        if (!Url.IsAbsoluteUri || (Url.Scheme != Uri.UriSchemeHttp && Url.Scheme != Uri.UriSchemeHttps) || !Url.IsLoopback)
        {
            throw new ArgumentException($"The emulator delivers webhooks only to loopback http(s) URLs, not '{Url}'.", nameof(Url));
        }

        if (Url.UserInfo.Length > 0 || Url.Fragment.Length > 0)
        {
            throw new ArgumentException("A webhook URL may not contain a user name, password or fragment.", nameof(Url));
        }

        if (string.IsNullOrEmpty(Secret))
        {
            throw new ArgumentException("A webhook signing secret is required.", nameof(Secret));
        }
    }
}

/// <summary>Delivery faults: what proxies, lost acknowledgements and attackers do to webhooks, for receivers to survive.</summary>
[Flags]
public enum WebhookFaults
{
    None = 0,

    /// <summary>One byte of the body changes after signing, as a re-encoding proxy would do.</summary>
    TamperedBody = 1,

    /// <summary>Signed with a timestamp 10 minutes old, as a captured delivery replayed later would be.</summary>
    StaleTimestamp = 2,

    /// <summary>Every event is delivered again after a 2xx, as when the acknowledgement is lost (at least once).</summary>
    DuplicateDelivery = 4,

    /// <summary>No X-ToAPIs-Webhook-Signature header.</summary>
    Unsigned = 8,
}

/// <summary>One delivery attempt, as the emulator's log keeps it.</summary>
/// <param name="Attempt">1 for the first delivery, then one more per retry (or redelivery).</param>
/// <param name="StatusCode">The receiver's answer, or null when there was none (refused, timed out).</param>
/// <param name="Signatures">How many v1 signatures it carried (two during a rotation).</param>
public sealed record WebhookDelivery(
    string EventId,
    string EventType,
    string? TaskId,
    Uri Url,
    int Attempt,
    DateTimeOffset SentAt,
    int? StatusCode,
    string? Error,
    int Signatures)
{
    public bool Succeeded => StatusCode is >= 200 and < 300;
}
