using System.Collections.Generic;

namespace ToApis.Client.Journal;

/// <summary>
/// What a journal line can say beyond its task: the input row it came from and, on an <c>error</c> line, the
/// error as the user saw it. Only the fields that are set are written.
/// </summary>
internal sealed class JournalDetails
{
    /// <summary>1-based position of the row in the input of the command that read it.</summary>
    public int? RowNumber { get; set; }

    /// <summary>The input row's columns in order, as plain values (a bare prompt is {"Prompt": …}).</summary>
    public IDictionary<string, object?>? Row { get; set; }

    /// <summary>The cmdlet that wrote the line (New-ToApisImage, Wait-ToApisTask, Save-ToApisImage).</summary>
    public string? Cmdlet { get; set; }

    /// <summary>Tells the invocations of a cmdlet apart: rows alike within one invocation are different rows.</summary>
    public string? RunId { get; set; }

    /// <summary>The row this one retries (a FailedRows object fed again, corrected or not), as RunRow.Key.</summary>
    public string? RetryOf { get; set; }

    public string? ErrorId { get; set; }

    public string? ErrorMessage { get; set; }

    public string? RecommendedAction { get; set; }

    internal void AddTo(IDictionary<string, object?> line)
    {
        SetIfGiven(line, JournalFields.RowNumber, RowNumber);
        SetIfGiven(line, JournalFields.Row, Row);
        SetIfGiven(line, JournalFields.Cmdlet, Cmdlet);
        SetIfGiven(line, JournalFields.RunId, RunId);
        SetIfGiven(line, JournalFields.RetryOf, RetryOf);
        SetIfGiven(line, JournalFields.ErrorId, ErrorId);
        SetIfGiven(line, JournalFields.ErrorMessage, ErrorMessage);
        SetIfGiven(line, JournalFields.RecommendedAction, RecommendedAction);
    }

    private static void SetIfGiven(IDictionary<string, object?> line, string field, object? value)
    {
        if (value is not null)
        {
            line[field] = value;
        }
    }
}

/// <summary>The names of the journal's events and fields, shared by its writer and its reader.</summary>
internal static class JournalFields
{
    public const string Time = "time";
    public const string Event = "event";
    public const string TaskId = "task_id";
    public const string ClientBusinessId = "client_business_id";
    public const string Status = "status";
    public const string Prompt = "prompt";
    public const string Model = "model";
    public const string Size = "size";
    public const string ImageCount = "image_count";
    public const string ImageIndex = "image_index";
    public const string File = "file";
    public const string ErrorCode = "error_code";
    public const string ErrorMessage = "error_message";
    public const string ErrorId = "error_id";
    public const string RecommendedAction = "recommended_action";
    public const string RowNumber = "row_number";
    public const string Row = "row";
    public const string Cmdlet = "cmdlet";
    public const string RunId = "run_id";
    public const string RetryOf = "retry_of";
    public const string Credits = "credits";

    /// <summary>On a <c>balance</c> line: <c>start</c> or <c>end</c> of the invocation that read it.</summary>
    public const string BalanceAt = "balance_at";
    public const string RemainCredits = "remain_credits";
    public const string UsedCredits = "used_credits";
    public const string RemainBalance = "remain_balance";
    public const string UsedBalance = "used_balance";
    public const string CreditsPerUsd = "credits_per_usd";
    public const string UnlimitedQuota = "unlimited_quota";
}

/// <summary>The journal's event names. Readers ignore any other name, so new events can be added freely.</summary>
internal static class JournalEvents
{
    /// <summary>A submit is about to be sent (written before it is).</summary>
    public const string Submitting = "submitting";

    /// <summary>The submit was not sent after all, or the service refused it: no task.</summary>
    public const string NotSubmitted = "not_submitted";

    /// <summary>The submit's outcome could not be learned: the task may exist.</summary>
    public const string Unknown = "unknown";

    public const string Submitted = "submitted";
    public const string Reused = "reused";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string TimedOut = "timedout";
    public const string Error = "error";
    public const string Saved = "saved";

    /// <summary>
    /// A journaled cmdlet began (its <c>cmdlet</c> field names it): the run's last step is known before any row
    /// gets to it, so rows a run stopped short of saving are pending, not done.
    /// </summary>
    public const string Step = "step";

    /// <summary>The key's balance, read when a run begins (<c>balance_at: start</c>) and ends (<c>end</c>): what the run cost.</summary>
    public const string Balance = "balance";
}

/// <summary>The two readings of the key's balance a run takes.</summary>
internal static class BalanceReadings
{
    public const string Start = "start";
    public const string End = "end";
}
