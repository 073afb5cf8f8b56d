using ToApis.Emulator.Files;

namespace ToApis.Emulator.Tasks;

/// <summary>The <c>generation.task</c> object of contract §1 and §2. Null members are left out of the JSON.</summary>
internal sealed record TaskResponse
{
    public required string Id { get; init; }

    public string? ClientBusinessId { get; init; }

    public string Object { get; init; } = "generation.task";

    public required string Model { get; init; }

    public required string Status { get; init; }

    public required int Progress { get; init; }

    public required long CreatedAt { get; init; }

    public long? CompletedAt { get; init; }

    public long? ExpiresAt { get; init; }

    public TaskResult? Result { get; init; }

    /// <summary>Old schema (contract §2 ⚠1), only under <see cref="EmulatorQuirks.TopLevelUrlOnly"/>.</summary>
    public string? Url { get; init; }

    public TaskError? Error { get; init; }

    public string? FailReason { get; init; }

    public IReadOnlyDictionary<string, object>? Metadata { get; init; }
}

internal sealed record TaskResult(string Type, IReadOnlyList<ResultImage> Data);

internal sealed record ResultImage(string Url);

internal sealed record TaskError(string Code, string Message);

/// <summary>Renders tasks as the API shows them, honouring the status and schema quirks in force.</summary>
internal sealed class TaskResponses(EmulatorOptions options, FileUrls fileUrls)
{
    private static readonly IReadOnlyDictionary<string, object> EmptyMetadata = new Dictionary<string, object>();

    /// <summary>The answer to a submit: the task as it is at creation, with <c>metadata: {}</c>.</summary>
    public TaskResponse Submitted(EmulatedTask task) => At(task, task.CreatedAt) with { Metadata = EmptyMetadata };

    public TaskResponse At(EmulatedTask task, DateTimeOffset now)
    {
        var state = task.StateAt(now);
        var response = new TaskResponse
        {
            Id = task.Id,
            ClientBusinessId = task.ClientBusinessId,
            Model = task.Model,
            Status = StatusName(state.Phase),
            Progress = state.Progress,
            CreatedAt = task.CreatedAtUnix,
        };

        return state.Phase switch
        {
            TaskPhase.Completed => WithResult(response, task),
            TaskPhase.Failed when task.Failure is { } failure => response with
            {
                CompletedAt = failure.EndsAtFullProgress ? task.CompletedAtUnix : null,
                Error = new TaskError(failure.Code, failure.Message),
                FailReason = failure.IncludesFailReason ? failure.Message : null,
            },
            _ => response,
        };
    }

    /// <summary>The public URL of each result image, on the files host.</summary>
    public IReadOnlyList<string> ResultUrls(EmulatedTask task) =>
        [.. Enumerable.Range(0, task.ImageCount).Select(index => fileUrls.For(task.ResultFilePath(index)))];

    private TaskResponse WithResult(TaskResponse response, EmulatedTask task)
    {
        var urls = ResultUrls(task);
        var completed = response with { CompletedAt = task.CompletedAtUnix, ExpiresAt = task.ExpiresAtUnix };
        return options.Quirks.HasFlag(EmulatorQuirks.TopLevelUrlOnly)
            ? completed with { Url = urls[0] }
            : completed with { Result = new TaskResult("image", [.. urls.Select(url => new ResultImage(url))]) };
    }

    private string StatusName(TaskPhase phase)
    {
        var quirks = options.Quirks;
        return phase switch
        {
            TaskPhase.Pending => quirks.HasFlag(EmulatorQuirks.SubmittedStatus) ? "submitted" : "queued",
            TaskPhase.Running when quirks.HasFlag(EmulatorQuirks.ProcessingStatus) => "processing",
            TaskPhase.Running when quirks.HasFlag(EmulatorQuirks.UnknownStatus) => "generating",
            TaskPhase.Running => "in_progress",
            TaskPhase.Completed => "completed",
            TaskPhase.Failed => "failed",
            _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, null),
        };
    }
}
