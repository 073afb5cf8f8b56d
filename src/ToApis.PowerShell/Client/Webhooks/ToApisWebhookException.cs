using System;

namespace ToApis.Client.Webhooks;

/// <summary>Why a webhook delivery was refused, in terms the receiving script acts on.</summary>
internal enum WebhookProblem
{
    /// <summary>The id, timestamp or signature header is missing, or the signature header holds no v1 value.</summary>
    SignatureMissing,

    /// <summary>No signature matches the body with the given secret(s): forged, altered, or the wrong secret.</summary>
    SignatureMismatch,

    /// <summary>Authentic, but signed longer ago (or further ahead) than the tolerance: a replay or a wrong clock.</summary>
    TimestampStale,

    /// <summary>Authentic and fresh, but this event id was accepted before (deliveries are at least once).</summary>
    Replayed,

    /// <summary>The body or a header cannot be read as the documented event.</summary>
    Malformed,

    /// <summary>The body is larger than any webhook event (<see cref="WebhookVerifier.MaxBodyBytes"/>).</summary>
    TooLarge,
}

/// <summary>A webhook delivery that must not be acted on. Its message never holds the secret or an expected signature.</summary>
public sealed class ToApisWebhookException : Exception
{
    internal ToApisWebhookException(WebhookProblem problem, string message, string? eventId = null)
        : base(message)
    {
        Problem = problem;
        EventId = eventId;
    }

    /// <summary>The same failure told with another message (one naming its row), <paramref name="original"/> as its cause.</summary>
    internal ToApisWebhookException(ToApisWebhookException original, string message)
        : base(message, original)
    {
        Problem = original.Problem;
        EventId = original.EventId;
        VerifiedEvent = original.VerifiedEvent;
    }

    /// <summary>Internal: scripts tell refusals apart by ErrorId.</summary>
    internal WebhookProblem Problem { get; }

    /// <summary>The delivery's event id, when it had one (as sent: not trustworthy unless the problem is Replayed).</summary>
    public string? EventId { get; }

    /// <summary>For a replay: the verified event again (a task or a <see cref="Models.ToApisWebhookEvent"/>), so a script can still look at it.</summary>
    public object? VerifiedEvent { get; init; }
}
