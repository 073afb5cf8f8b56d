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
            if (FindUser(context.Request.Headers.Authorization.ToString()) is not { } user)
            {
                await ApiErrors.Unauthorized(options.Quirks).ExecuteAsync(context);
                return;
            }

            context.Features.Set(user);
        }

        await next(context);
    }

    private EmulatorUser? FindUser(string authorization)
    {
        if (!authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var apiKey = authorization[BearerPrefix.Length..].Trim();
        return options.Users.GetValueOrDefault(apiKey);
    }
}

internal static class AuthenticatedUserExtensions
{
    /// <summary>The user behind the request's API key; only on routes that require one.</summary>
    public static EmulatorUser GetEmulatorUser(this HttpContext context) =>
        context.Features.Get<EmulatorUser>()
        ?? throw new InvalidOperationException("This route does not authenticate its caller.");
}
