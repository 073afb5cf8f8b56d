using ToApis.Emulator.Errors;
using ToApis.Emulator.Hosting;

namespace ToApis.Emulator.Auth;

/// <summary>Maps <c>Authorization: Bearer &lt;key&gt;</c> to a user on every route that needs a key; 401 otherwise.</summary>
internal sealed class ApiKeyAuthentication(EmulatorOptions options)
{
    private const string BearerPrefix = "Bearer ";

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.GetEmulatorRoute() is { RequiresApiKey: true })
        {
            var apiKey = BearerKey(context.Request.Headers.Authorization.ToString());
            if (options.Users.GetValueOrDefault(apiKey) is not { } user)
            {
                await ApiErrors.Unauthorized(options.Quirks).ExecuteAsync(context);
                return;
            }

            context.Features.Set(user);
            context.Features.Set(new ApiToken(apiKey));
        }

        await next(context);
    }

    private static string BearerKey(string authorization) =>
        authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) ? authorization[BearerPrefix.Length..].Trim() : "";
}

/// <summary>The API key a request used: tokens, not users, own webhook settings.</summary>
internal sealed record ApiToken(string Key);

internal static class AuthenticatedUserExtensions
{
    public static string GetApiKey(this HttpContext context) =>
        context.Features.Get<ApiToken>()?.Key
        ?? throw new InvalidOperationException("This route does not authenticate its caller.");

    /// <summary>The user behind the request's API key; only on routes that require one.</summary>
    public static EmulatorUser GetEmulatorUser(this HttpContext context) =>
        context.Features.Get<EmulatorUser>()
        ?? throw new InvalidOperationException("This route does not authenticate its caller.");
}
