using System;

namespace ToApis.Models;

/// <summary>
/// A verified webhook event that is not a task's result: <c>endpoint.test</c> (sent from the console to check the
/// endpoint) or a type the service adds later. Task events come out of ConvertFrom-ToApisWebhook as
/// <see cref="ToApisTask"/> objects instead, so they pipe into Save-ToApisImage.
/// </summary>
public sealed class ToApisWebhookEvent
{
    public const string EndpointTest = "endpoint.test";

    public string EventId { get; set; } = "";

    /// <summary>endpoint.test, or a type this module does not know yet.</summary>
    public string EventType { get; set; } = "";

    public string? ApiVersion { get; set; }

    public DateTimeOffset? CreatedAt { get; set; }

    /// <summary>The test event's result.message ("ToAPIs webhook endpoint test").</summary>
    public string? Message { get; set; }

    /// <summary>The raw body, for event types this module does not know yet (ConvertFrom-Json reads it).</summary>
    public string Body { get; set; } = "";

    public bool IsEndpointTest => EventType == EndpointTest;

    public override string ToString() => $"{EventType} {EventId}";
}
