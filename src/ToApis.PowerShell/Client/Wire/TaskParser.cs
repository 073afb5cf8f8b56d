using System;
using System.Linq;
using System.Text.Json;
using ToApis.Models;

namespace ToApis.Client.Wire;

/// <summary>Reads a task object in every documented variant (see the contract, §2 ⚠).</summary>
internal static class TaskParser
{
    /// <summary>The task in <paramref name="body"/>, or false when it holds none (a torn or foreign answer).</summary>
    public static bool TryParse(string body, out ToApisTask? task)
    {
        try
        {
            task = Parse(body, "");
        }
        catch (ToApisApiException)
        {
            task = null;
        }

        return task is not null;
    }

    public static ToApisTask Parse(string body, string requestDescription)
    {
        using var document = Json.TryParse(body);
        return document?.RootElement is { ValueKind: JsonValueKind.Object } root
            ? FromElement(root, requestDescription)
            : throw Unusable(requestDescription, "the response is not a JSON object: " + ErrorEnvelope.Parse(body).Message);
    }

    /// <summary>A task object already parsed: the status API's, or a webhook event's <c>data</c>.</summary>
    public static ToApisTask FromElement(JsonElement root, string requestDescription)
    {
        // The documented field is "id"; one official sample reads "task_id" as a fallback.
        var id = root.String("id") ?? root.String("task_id");
        if (string.IsNullOrEmpty(id))
        {
            throw Unusable(requestDescription, "the task object has no 'id'.");
        }

        var status = root.String("status");
        if (string.IsNullOrEmpty(status))
        {
            throw Unusable(requestDescription, $"task {id} has no 'status'.");
        }

        var error = root.Property("error");
        return new ToApisTask
        {
            Id = id!,
            Status = status!.ToLowerInvariant(),
            Progress = (int)Math.Max(0, Math.Min(100, root.Int64("progress") ?? 0)),
            Model = root.String("model"),
            CreatedAt = root.UnixTime("created_at"),
            CompletedAt = root.UnixTime("completed_at"),
            // Documented as completed_at + 24 h: where expires_at is missing, that is still when results go.
            ExpiresAt = root.UnixTime("expires_at")
                ?? (status.Equals(TaskStatusNames.Completed, StringComparison.OrdinalIgnoreCase) ? root.UnixTime("completed_at")?.AddHours(24) : null),
            ImageUrls = ReadUrls(root),
            ErrorCode = error is { ValueKind: JsonValueKind.Object } e ? e.String("code") : null,
            ErrorMessage = ReadFailure(root, error),
            ClientBusinessId = root.String("client_business_id")
                ?? root.Property("metadata")?.String("client_business_id"),
        };
    }

    // result.data[].url first; the older schema and the docs' own samples use a top-level "url".
    private static string[] ReadUrls(JsonElement root)
    {
        var urls = root.Property("result")?.Property("data") is { ValueKind: JsonValueKind.Array } data
            ? data.EnumerateArray().Select(item => item.ValueKind == JsonValueKind.String ? item.GetString() : item.String("url"))
                .Where(url => !string.IsNullOrEmpty(url)).Select(url => url!).ToArray()
            : Array.Empty<string>();
        return urls.Length == 0 && root.String("url") is { Length: > 0 } topLevel ? new[] { topLevel } : urls;
    }

    private static string? ReadFailure(JsonElement root, JsonElement? error) => error switch
    {
        { ValueKind: JsonValueKind.Object } e => e.String("message") ?? root.String("fail_reason"),
        { ValueKind: JsonValueKind.String } e => e.GetString(),
        _ => root.String("fail_reason"),
    };

    private static ToApisApiException Unusable(string requestDescription, string detail) =>
        ToApisApiException.Unexpected(requestDescription, $"{requestDescription} returned a response the client cannot use: {detail}");
}
