using System;
using System.Text.Json;
using ToApis.Client.Wire;
using ToApis.Models;

namespace ToApis.Client.Webhooks;

/// <summary>A verified delivery: a task's final state (generation.*) or another event (endpoint.test, later types).</summary>
internal sealed record WebhookEvent(string EventId, string EventType, ToApisTask? Task, ToApisWebhookEvent? Other)
{
    /// <summary>What the cmdlet emits: the task, else the event.</summary>
    public object Output => (object?)Task ?? Other!;
}

/// <summary>
/// Reads the documented event body (contract §6). A task event's <c>data</c> is a task object in webhook dialect:
/// <c>task_id</c>, status <c>SUCCESS</c>/<c>FAILURE</c>, progress <c>"100%"</c>, <c>submitted_at</c>/<c>finished_at</c>.
/// </summary>
internal static class WebhookEventParser
{
    private const string Source = "The webhook event";
    private const string TaskEventPrefix = "generation.";

    /// <exception cref="ToApisWebhookException">Malformed: not the documented event.</exception>
    public static WebhookEvent Parse(string body, string eventId)
    {
        using var document = Json.TryParse(body);
        if (document?.RootElement is not { ValueKind: JsonValueKind.Object } root)
        {
            throw Malformed(eventId, "its body is not a JSON object");
        }

        var type = root.String("type");
        if (string.IsNullOrEmpty(type))
        {
            throw Malformed(eventId, "its body has no 'type'");
        }

        var data = root.Property("data");
        if (type!.StartsWith(TaskEventPrefix, StringComparison.Ordinal))
        {
            if (data is not { ValueKind: JsonValueKind.Object } taskData)
            {
                throw Malformed(eventId, $"the {type} event has no 'data' object");
            }

            return new WebhookEvent(eventId, type, ReadTask(taskData, type, eventId), null);
        }

        return new WebhookEvent(eventId, type, null, new ToApisWebhookEvent
        {
            EventId = eventId,
            EventType = type,
            ApiVersion = root.String("api_version"),
            CreatedAt = root.UnixTime("created_at"),
            Message = data?.Property("result")?.String("message"),
            Body = body,
        });
    }

    private static ToApisTask ReadTask(JsonElement data, string type, string eventId)
    {
        ToApisTask task;
        try
        {
            task = TaskParser.FromElement(data, Source);
        }
        catch (ToApisApiException unusable)
        {
            throw Malformed(eventId, unusable.Message.Replace(Source + " returned a response the client cannot use: ", ""));
        }

        task.Status = TaskStatus(task.Status, type);
        task.CreatedAt ??= data.UnixTime("submitted_at");
        task.CompletedAt ??= data.UnixTime("finished_at");
        if (task.IsCompleted && task.ExpiresAt is null && task.CompletedAt is { } completed)
        {
            task.ExpiresAt = completed + ResultLifetime;
        }

        return task;
    }

    /// <summary>Result URLs stop working 24 h after completion (contract §2); events do not say when.</summary>
    private static readonly TimeSpan ResultLifetime = TimeSpan.FromHours(24);

    /// <summary>SUCCESS/FAILURE in the status API's words, so the task behaves like any other.</summary>
    private static string TaskStatus(string webhookStatus, string type) => webhookStatus switch
    {
        "success" or "succeeded" => TaskStatusNames.Completed,
        "failure" or "fail" => TaskStatusNames.Failed,
        TaskStatusNames.Completed or TaskStatusNames.Failed => webhookStatus,
        _ when type == "generation.completed" => TaskStatusNames.Completed,
        _ when type == "generation.failed" => TaskStatusNames.Failed,
        _ => webhookStatus,
    };

    private static ToApisWebhookException Malformed(string eventId, string problem) => new(
        WebhookProblem.Malformed,
        $"Webhook event '{WebhookVerifier.Printable(eventId)}' is signed correctly but cannot be read: {problem}.",
        eventId);
}
