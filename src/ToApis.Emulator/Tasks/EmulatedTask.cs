using System.Security.Cryptography;
using System.Text;
using ToApis.Emulator.Images;

namespace ToApis.Emulator.Tasks;

internal sealed record ImageOutput(PixelSize Size, ImageFileFormat Format);

/// <param name="EndsAtFullProgress">The vidu-style failure: progress 100 and a <c>completed_at</c> (else progress 0, none).</param>
internal sealed record TaskFailure(string Code, string Message, bool EndsAtFullProgress, bool IncludesFailReason);

internal enum TaskPhase
{
    Pending,
    Running,
    Completed,
    Failed,
}

internal readonly record struct TaskState(TaskPhase Phase, int Progress)
{
    public bool IsTerminal => Phase is TaskPhase.Completed or TaskPhase.Failed;
}

/// <summary>
/// A task is planned in full when it is submitted (duration and outcome), so its state at any virtual time is a pure
/// function of the clock: no timers, and 10,000 tasks cost only their records.
/// </summary>
internal sealed record EmulatedTask(
    string Id,
    string UserId,
    string Model,
    string? ClientBusinessId,
    DateTimeOffset CreatedAt,
    TimeSpan Duration,
    int ImageCount,
    ImageOutput Output,
    TaskFailure? Failure)
{
    public static readonly TimeSpan ResultLifetime = TimeSpan.FromHours(24);

    /// <summary>Share of the duration spent queued before work starts.</summary>
    private const double PendingShare = 0.1;

    public long CreatedAtUnix => CreatedAt.ToUnixTimeSeconds();

    public DateTimeOffset FinishedAt => CreatedAt + Duration;

    public long CompletedAtUnix => FinishedAt.ToUnixTimeSeconds();

    public long ExpiresAtUnix => CompletedAtUnix + (long)ResultLifetime.TotalSeconds;

    public bool Succeeds => Failure is null;

    public TaskState StateAt(DateTimeOffset now)
    {
        var elapsed = now - CreatedAt;
        if (elapsed >= Duration)
        {
            return Failure is null
                ? new TaskState(TaskPhase.Completed, 100)
                : new TaskState(TaskPhase.Failed, Failure.EndsAtFullProgress ? 100 : 0);
        }

        var pending = Duration * PendingShare;
        if (elapsed < pending)
        {
            return new TaskState(TaskPhase.Pending, 0);
        }

        var runningFraction = (elapsed - pending) / (Duration - pending);
        return new TaskState(TaskPhase.Running, Math.Clamp(1 + (int)(98 * runningFraction), 1, 99));
    }

    public bool ResultsExpiredAt(DateTimeOffset now) => now >= DateTimeOffset.FromUnixTimeSeconds(ExpiresAtUnix);

    /// <summary>Live pattern <c>&lt;unix&gt;_&lt;hex&gt;.&lt;ext&gt;</c>, repeatable per task and image.</summary>
    public string ResultFileName(int imageIndex)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{Id}:{imageIndex}"));
        return $"{CompletedAtUnix}_{Convert.ToHexStringLower(hash.AsSpan(0, 4))}.{Output.Format.Extension()}";
    }

    public string ResultFilePath(int imageIndex) => $"/images/{Id}/{ResultFileName(imageIndex)}";

    public int? FindResultImage(string fileName)
    {
        for (var index = 0; index < ImageCount; index++)
        {
            if (ResultFileName(index) == fileName)
            {
                return index;
            }
        }

        return null;
    }
}
