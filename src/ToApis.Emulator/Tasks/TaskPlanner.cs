using ToApis.Emulator.Generation;
using ToApis.Emulator.Images;

namespace ToApis.Emulator.Tasks;

/// <summary>Decides, at submit time, how long a task will take and how it will end.</summary>
internal sealed class TaskPlanner(EmulatorOptions options, EmulatorClock clock, EmulatorRandom random)
{
    public EmulatedTask Plan(string userId, GenerationRequest request)
    {
        var now = clock.UtcNow;
        var (minLatency, maxLatency) = (options.MinLatency, options.MaxLatency);
        var duration = minLatency + ((maxLatency - minLatency) * random.NextDouble());
        var doomed = options.TaskFailureTriggerWord is { Length: > 0 } word && request.Prompt.Contains(word, StringComparison.OrdinalIgnoreCase);
        var failure = random.NextDouble() < options.FailureRate || doomed ? PlanFailure(request.ModelName) : null;

        return new EmulatedTask(
            Id: "tsk_img_" + Ulid.Create(now, random),
            UserId: userId,
            Model: request.ModelName,
            ClientBusinessId: request.ClientBusinessId,
            CreatedAt: now,
            Duration: duration < TimeSpan.Zero ? TimeSpan.Zero : duration,
            ImageCount: request.ImageCount,
            Output: new ImageOutput(PixelSize.FromAspectRatio(request.Size), request.OutputFormat),
            Failure: failure);
    }

    /// <summary>The two documented failure shapes (contract §2): the generic one and the vidu upstream pass-through.</summary>
    private TaskFailure PlanFailure(string model)
    {
        var includesFailReason = random.Next(2) == 0;
        return random.Next(2) == 0
            ? new TaskFailure(
                "generation_failed", "call upstream API failed: upstream returned status 422", false, includesFailReason)
            : new TaskFailure(
                "InvalidParameter", $"resolution 4K is not supported for {model}", true, includesFailReason);
    }
}
