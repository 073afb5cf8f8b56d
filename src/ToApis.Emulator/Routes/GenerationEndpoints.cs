using System.Text.Json;
using System.Text.Json.Nodes;
using ToApis.Emulator.Auth;
using ToApis.Emulator.Credits;
using ToApis.Emulator.Errors;
using ToApis.Emulator.Generation;
using ToApis.Emulator.Hosting;
using ToApis.Emulator.RateLimiting;
using ToApis.Emulator.Tasks;
using ToApis.Emulator.Webhooks;

namespace ToApis.Emulator.Routes;

/// <summary>Submit (§1, §4) and query (§2) of image tasks.</summary>
internal sealed class GenerationEndpoints(
    EmulatorOptions options,
    EmulatorClock clock,
    TaskPlanner planner,
    TaskStore tasks,
    TaskResponses responses,
    CreditLedger credits,
    EmulatorStats stats,
    EmulatorWebhooks webhooks)
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/images/generations", (HttpContext context, GenerationEndpoints endpoints) =>
                endpoints.SubmitAsync(context, ImageEndpoint.Generations))
            .WithEmulatorRoute(EmulatorRoute.Api(RouteKeys.SubmitGeneration, FaultTarget.Submit, RateLimitCategory.AsyncSubmit));

        routes.MapPost("/v1/images/edits", (HttpContext context, GenerationEndpoints endpoints) =>
                endpoints.SubmitAsync(context, ImageEndpoint.Edits))
            .WithEmulatorRoute(EmulatorRoute.Api(RouteKeys.SubmitEdit, FaultTarget.Submit, RateLimitCategory.AsyncSubmit));

        // A catch-all, so a client_business_id containing "/" still reaches the lookup.
        routes.MapGet("/v1/images/generations/{**taskId}", (HttpContext context, string taskId, GenerationEndpoints endpoints) =>
                endpoints.Query(context, taskId))
            .WithEmulatorRoute(EmulatorRoute.Api(RouteKeys.QueryGeneration, FaultTarget.Query, RateLimitCategory.AsyncQuery));
    }

    private async Task<IResult> SubmitAsync(HttpContext context, ImageEndpoint endpoint)
    {
        var user = context.GetEmulatorUser();
        GenerationRequest request;
        try
        {
            var body = await ReadJsonAsync(context.Request, stats, context.RequestAborted);
            request = GenerationRequestParser.Parse(body, endpoint, options.Webhooks.GetValueOrDefault(context.GetApiKey()));
        }
        catch (RequestRejectedException rejection)
        {
            return ApiErrors.InvalidRequest(rejection.Code, rejection.Message, rejection.Param);
        }

        var triggerWord = options.ContentPolicyTriggerWord;
        if (triggerWord.Length > 0 && request.Prompt.Contains(triggerWord, StringComparison.OrdinalIgnoreCase))
        {
            return ApiErrors.ContentPolicyViolation();
        }

        var task = planner.Plan(user.UserId, request);
        var cost = options.CreditsPerImage * request.ImageCount;
        if (!credits.TryCharge(user.UserId, cost, refundAt: task.Succeeds ? null : task.FinishedAt))
        {
            return ApiErrors.InsufficientQuota(cost, credits.BalanceOf(user.UserId).RemainingCredits);
        }

        tasks.Add(task);
        stats.RecordTaskCreated(task.ClientBusinessId);
        webhooks.TaskSubmitted(context.GetApiKey(), task, request.CallbackUrl);
        return Results.Json(responses.Submitted(task));
    }

    private IResult Query(HttpContext context, string taskId)
    {
        // Kestrel leaves an encoded "/" encoded in the path; every other escape is already decoded.
        var idOrClientBusinessId = taskId.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        var task = tasks.FindForUser(
            context.GetEmulatorUser().UserId, idOrClientBusinessId, !options.Quirks.HasFlag(EmulatorQuirks.NoBusinessIdLookup));
        return task is null ? ApiErrors.TaskNotFound(options.Quirks) : Results.Json(responses.At(task, clock.UtcNow));
    }

    private static async Task<JsonNode?> ReadJsonAsync(HttpRequest request, EmulatorStats stats, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(cancellationToken);
        stats.RecordSubmitBody(request.Path, text);
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            throw new RequestRejectedException("invalid_request", "The request body must be valid JSON.", null);
        }
    }
}
