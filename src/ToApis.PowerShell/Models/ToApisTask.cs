using System;
using System.Globalization;
using System.Management.Automation;

namespace ToApis.Models;

/// <summary>
/// An image-generation task as the module emits it. Its property names bind to the next cmdlet
/// (Get-/Wait-ToApisTask by Id, Save-ToApisImage by ImageUrls), and it carries the object it came from.
/// </summary>
/// <remarks>
/// What Export-Csv and Format-List * show is text a person can read: the URLs separated by spaces and the
/// times in ISO 8601 (<see cref="Created"/>, …). The typed times, the input row and the status tests stay
/// reachable by name (<c>$task.ExpiresAt</c>) but are hidden members, so no column reads "@{…}". The row's
/// own columns ride along as properties of the emitted object (see Binding/TaskOutput).
/// </remarks>
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

    public ImageUrlList ImageUrls { get; set; } = ImageUrlList.None;

    /// <summary><see cref="CreatedAt"/> in UTC as ISO 8601 text (2026-11-30T17:04:02Z).</summary>
    public string? Created => IsoText(CreatedAt);

    public string? Completed => IsoText(CompletedAt);

    /// <summary><see cref="ExpiresAt"/> in UTC as ISO 8601 text: download before then.</summary>
    public string? Expires => IsoText(ExpiresAt);

    public string? ErrorCode { get; set; }

    public string? ErrorMessage { get; set; }

    public string? ClientBusinessId { get; set; }

    /// <summary>
    /// The number of the input row this task was submitted for (1-based, as New-ToApisImage counted its input):
    /// every later cmdlet names the row by it, and it travels through Export-Csv, Export-Clixml and jobs.
    /// </summary>
    public int? RowNumber { get; set; }

    [Hidden]
    public DateTimeOffset? CreatedAt { get; set; }

    [Hidden]
    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>Result URLs stop working at this time (completed_at + 24 h).</summary>
    [Hidden]
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>The pipeline object this task was made from (a CSV row, an upload), for later cmdlets.</summary>
    [Hidden]
    public object? InputObject { get; set; }

    /// <summary>Only completed and failed are final; any other status, known or not, is still running.</summary>
    [Hidden]
    public bool IsTerminal => IsCompleted || IsFailed;

    [Hidden]
    public bool IsCompleted => Status == TaskStatusNames.Completed;

    [Hidden]
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
            RowNumber ??= earlier.RowNumber;
            InputObject ??= earlier.InputObject;
        }

        return this;
    }

    public override string ToString() => Id;

    internal static string? IsoText(DateTimeOffset? moment) =>
        moment?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

public static class TaskStatusNames
{
    public const string Completed = "completed";
    public const string Failed = "failed";
}
