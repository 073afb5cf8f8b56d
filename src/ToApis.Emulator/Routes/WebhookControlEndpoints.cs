using ToApis.Emulator.Hosting;
using ToApis.Emulator.Webhooks;

namespace ToApis.Emulator.Routes;

/// <summary>Sets a token's webhook up as the console would (<c>api_key</c> absent: the first key).</summary>
internal sealed record WebhookSetup(string? ApiKey, string Url, string Secret, bool? Enabled);

internal sealed record WebhookRotation(string? ApiKey, string Secret);

internal sealed record WebhookTestRequest(string? ApiKey);

internal sealed record WebhookTestSent(string EventId);

/// <summary>Test controls for Task Webhooks, beside the other <c>/_emulator</c> controls: for out-of-process tests.</summary>
internal sealed class WebhookControlEndpoints(EmulatorWebhooks webhooks)
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        var control = routes.MapGroup("/_emulator/webhooks").WithEmulatorRoute(EmulatorRoute.Control);
        control.MapPut("", (WebhookSetup setup, WebhookControlEndpoints endpoints) => endpoints.Configure(setup));
        control.MapDelete("", (string? apiKey, WebhookControlEndpoints endpoints) => endpoints.Remove(apiKey));
        control.MapPost("/rotate", (WebhookRotation rotation, WebhookControlEndpoints endpoints) => endpoints.Rotate(rotation));
        control.MapPost("/test", (WebhookTestRequest? request, WebhookControlEndpoints endpoints) => endpoints.SendTest(request?.ApiKey));
        control.MapGet("/deliveries", (WebhookControlEndpoints endpoints) => endpoints.Deliveries());
    }

    private IReadOnlyList<WebhookDelivery> Deliveries() => webhooks.Deliveries;

    private IResult Configure(WebhookSetup setup) =>
        Refusing(() => Results.Json(webhooks.Configure(setup.Url, setup.Secret, setup.Enabled ?? true, setup.ApiKey) with { Secret = "***" }));

    private IResult Remove(string? apiKey) =>
        Refusing(() => webhooks.Remove(apiKey) ? Results.NoContent() : Results.NotFound(new { message = "no webhook configured for that key" }));

    private IResult Rotate(WebhookRotation rotation) =>
        Refusing(() => Results.Json(webhooks.Rotate(rotation.Secret, rotation.ApiKey) with { Secret = "***", PreviousSecret = "***" }));

    private IResult SendTest(string? apiKey) =>
        Refusing(() => Results.Json(new WebhookTestSent(webhooks.SendTest(apiKey)), statusCode: StatusCodes.Status202Accepted));

    /// <summary>A bad request is a 400 with the reason, never a 500.</summary>
    private static IResult Refusing(Func<IResult> action)
    {
        try
        {
            return action();
        }
        catch (Exception refused) when (refused is ArgumentException or InvalidOperationException)
        {
            return Results.BadRequest(new { message = refused.Message });
        }
    }
}
