namespace ToApis.Client.Journal;

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

    /// <summary>Any other failure of an item, with its ErrorId, message, advice and input row.</summary>
    public const string Error = "error";

    public const string Saved = "saved";

    /// <summary>
    /// A journaled cmdlet began (its <c>cmdlet</c> field names it): the run's last step is known before any row
    /// gets to it, so rows a run stopped short of saving are pending, not done.
    /// </summary>
    public const string Step = "step";

    /// <summary>The key's balance, read when a run begins (<c>balance_at: start</c>) and ends (<c>end</c>): what the run cost.</summary>
    public const string Balance = "balance";

    /// <summary>The ErrorIds of a task's own ends, which keep their event: a failure's line is one line, named by what happened.</summary>
    public const string TaskFailedId = "ToApis.TaskFailed";

    public const string TaskTimeoutId = "ToApis.TaskTimeout";

    /// <summary>The event of a failure's line: a failed or timed-out task keeps its own, any other failure is an error.</summary>
    public static string ForFailure(string errorId) => errorId switch
    {
        TaskFailedId => Failed,
        TaskTimeoutId => TimedOut,
        _ => Error,
    };
}

/// <summary>The two readings of the key's balance a run takes.</summary>
internal static class BalanceReadings
{
    public const string Start = "start";
    public const string End = "end";
}
