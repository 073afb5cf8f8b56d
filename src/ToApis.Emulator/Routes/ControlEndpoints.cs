using ToApis.Emulator.Hosting;
using ToApis.Emulator.Tasks;
using ToApis.Emulator.Webhooks;

namespace ToApis.Emulator.Routes;

internal sealed record TaskListing(string UserId, TaskResponse Task);

internal sealed record ClockReading(long Now);

/// <summary>Adds a fault: <see cref="Count"/> scheduled requests, or a random <see cref="Rate"/>.</summary>
internal sealed record FaultRequest(FaultTarget Target, FaultKind Kind, int? Count, double? Rate, double? DelaySeconds);

/// <summary>Run-time switches for out-of-process use; absent members stay as they are.</summary>
internal sealed record OptionsPatch(
    double? TimeScale,
    double? FailureRate,
    bool? RateLimitsEnabled,
    bool? SubmitLimiterUnavailable,
    bool? Outage,
    EmulatorQuirks? Quirks,
    decimal? Credits,
    bool? UnlimitedCredits,
    decimal? CreditsPerImage,
    bool? BalanceEndpointFails,
    bool? ExpiredResultsAnswer403,
    WebhookFaults? WebhookFaults,
    string? ContentPolicyTriggerWord,
    string? TaskFailureTriggerWord = null,
    RateLimitHeaders? RateLimitHeaders = null);

/// <summary>Test controls outside /v1, without authentication, for tests that run the emulator out of process.</summary>
internal sealed class ControlEndpoints(
    EmulatorOptions options,
    EmulatorClock clock,
    EmulatorStats stats,
    FaultInjector faults,
    TaskStore tasks,
    TaskResponses responses)
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        var control = routes.MapGroup("/_emulator").WithEmulatorRoute(EmulatorRoute.Control);
        control.MapGet("/stats", (ControlEndpoints endpoints) => endpoints.Snapshot());
        control.MapDelete("/stats", (ControlEndpoints endpoints) => endpoints.ResetStats());
        control.MapGet("/tasks", (ControlEndpoints endpoints) => endpoints.ListTasks());
        control.MapPost("/clock/advance", (double seconds, ControlEndpoints endpoints) => endpoints.AdvanceClock(seconds));
        control.MapPost("/faults", (FaultRequest request, ControlEndpoints endpoints) => endpoints.AddFault(request));
        control.MapDelete("/faults", (ControlEndpoints endpoints) => endpoints.ClearFaults());
        control.MapPatch("/options", (OptionsPatch patch, ControlEndpoints endpoints) => endpoints.PatchOptions(patch));
    }

    private StatsSnapshot Snapshot() => stats.Snapshot();

    private IResult ResetStats()
    {
        stats.Reset();
        return Results.NoContent();
    }

    private IEnumerable<TaskListing> ListTasks()
    {
        var now = clock.UtcNow;
        return tasks.All.OrderBy(task => task.CreatedAt).Select(task => new TaskListing(task.UserId, responses.At(task, now)));
    }

    private IResult AdvanceClock(double seconds)
    {
        if (!(seconds >= 0) || double.IsInfinity(seconds))
        {
            return Results.BadRequest(new { message = "seconds must be a non-negative number" });
        }

        clock.Advance(TimeSpan.FromSeconds(seconds));
        return Results.Json(new ClockReading(clock.UnixSeconds));
    }

    private IResult AddFault(FaultRequest request)
    {
        try
        {
            if (request.DelaySeconds is { } delaySeconds)
            {
                faults.Delay = TimeSpan.FromSeconds(delaySeconds);
            }

            if (request.Rate is { } rate)
            {
                faults.SetRate(request.Target, request.Kind, rate);
            }
            else
            {
                faults.Add(request.Target, request.Kind, request.Count ?? 1);
            }
        }
        catch (ArgumentException exception)
        {
            return Results.BadRequest(new { message = exception.Message });
        }

        return Results.NoContent();
    }

    private IResult ClearFaults()
    {
        faults.Clear();
        return Results.NoContent();
    }

    private IResult PatchOptions(OptionsPatch patch)
    {
        if (patch.TimeScale is <= 0 or double.NaN || patch.FailureRate is < 0 or > 1 or double.NaN)
        {
            return Results.BadRequest(new { message = "time_scale must be positive and failure_rate between 0 and 1" });
        }

        options.TimeScale = patch.TimeScale ?? options.TimeScale;
        options.FailureRate = patch.FailureRate ?? options.FailureRate;
        options.RateLimitsEnabled = patch.RateLimitsEnabled ?? options.RateLimitsEnabled;
        options.RateLimitHeaders = patch.RateLimitHeaders ?? options.RateLimitHeaders;
        options.SubmitLimiterUnavailable = patch.SubmitLimiterUnavailable ?? options.SubmitLimiterUnavailable;
        options.Outage = patch.Outage ?? options.Outage;
        options.Quirks = patch.Quirks ?? options.Quirks;
        options.Credits = patch.UnlimitedCredits is true ? null : patch.Credits ?? options.Credits;
        options.CreditsPerImage = patch.CreditsPerImage ?? options.CreditsPerImage;
        options.BalanceEndpointFails = patch.BalanceEndpointFails ?? options.BalanceEndpointFails;
        options.ExpiredResultsAnswer403 = patch.ExpiredResultsAnswer403 ?? options.ExpiredResultsAnswer403;
        options.WebhookFaults = patch.WebhookFaults ?? options.WebhookFaults;
        options.ContentPolicyTriggerWord = patch.ContentPolicyTriggerWord ?? options.ContentPolicyTriggerWord;
        options.TaskFailureTriggerWord = patch.TaskFailureTriggerWord ?? options.TaskFailureTriggerWord;
        return Results.NoContent();
    }
}
