using ToApis.Emulator.RateLimiting;

namespace ToApis.Emulator.Hosting;

/// <summary>
/// Endpoint metadata that tells the shared middleware what a route is: its stats key, which faults may hit it,
/// its rate-limit category and whether it needs an API key.
/// </summary>
internal sealed record EmulatorRoute(
    string Key,
    FaultTarget? FaultTarget = null,
    RateLimitCategory? RateLimitCategory = null,
    bool RequiresApiKey = false,
    bool IsFilesHost = false,
    bool IsControl = false)
{
    public static EmulatorRoute Api(string key, FaultTarget? faultTarget = null, RateLimitCategory? rateLimitCategory = null) =>
        new(key, faultTarget, rateLimitCategory, RequiresApiKey: true);

    public static EmulatorRoute Files { get; } = new(RouteKeys.Files, ToApis.Emulator.FaultTarget.Files, IsFilesHost: true);

    public static EmulatorRoute Control { get; } = new("control", IsControl: true);

    public static EmulatorRoute Unmatched { get; } = new(RouteKeys.Unmatched);
}

internal static class EmulatorRouteExtensions
{
    public static TBuilder WithEmulatorRoute<TBuilder>(this TBuilder builder, EmulatorRoute route)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(route);

    public static EmulatorRoute? GetEmulatorRoute(this HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<EmulatorRoute>();
}
