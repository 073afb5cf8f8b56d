using System;

namespace ToApis.Models;

/// <summary>
/// An image-generation task as the module emits it. Its property names bind to the next cmdlet
/// (Get-/Wait-ToApisTask by Id, Save-ToApisImage by ImageUrls), and it carries the object it came from.
/// </summary>
public sealed class ToApisTask
{
    public string Id { get; set; } = "";

    /// <summary>queued, submitted, in_progress, processing, completed, failed, or a value the service adds later.</summary>
    public string Status { get; set; } = "";

    public int Progress { get; set; }

    public string? Model { get; set; }

    /// <summary>The prompt sent; the service does not echo it, so it is kept from the submit.</summary>
    public string? Prompt { get; set; }

    public string? Size { get; set; }

    public DateTimeOffset? CreatedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>Result URLs stop working at this time (completed_at + 24 h).</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    public string[] ImageUrls { get; set; } = Array.Empty<string>();

    public string? ErrorCode { get; set; }

    public string? ErrorMessage { get; set; }

    public string? ClientBusinessId { get; set; }

    /// <summary>The pipeline object this task was made from (a CSV row, an upload), for later cmdlets.</summary>
    public object? InputObject { get; set; }

    /// <summary>Only completed and failed are final; any other status, known or not, is still running.</summary>
    public bool IsTerminal => IsCompleted || IsFailed;

    public bool IsCompleted => Status == TaskStatusNames.Completed;

    public bool IsFailed => Status == TaskStatusNames.Failed;

    /// <summary>A refreshed copy of this task that keeps what only the client knows (prompt, size, input).</summary>
    public ToApisTask WithLocalContextFrom(ToApisTask? earlier)
    {
        if (earlier is not null)
        {
            Prompt ??= earlier.Prompt;
            Size ??= earlier.Size;
            Model ??= earlier.Model;
            ClientBusinessId ??= earlier.ClientBusinessId;
            InputObject ??= earlier.InputObject;
        }

        return this;
    }

    public override string ToString() => Id;
}

public static class TaskStatusNames
{
    public const string Completed = "completed";
    public const string Failed = "failed";
}
