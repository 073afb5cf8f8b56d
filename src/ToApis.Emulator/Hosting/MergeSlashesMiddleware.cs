using System.Text.RegularExpressions;

namespace ToApis.Emulator.Hosting;

/// <summary>
/// Collapses repeated slashes before routing, as nginx does by default (merge_slashes), so a client that joins
/// <c>http://host:port/</c> and <c>/v1/...</c> into <c>//v1/...</c> reaches the same route as it would live.
/// </summary>
internal static partial class MergeSlashesMiddleware
{
    public static Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path.Value;
        if (path is not null && path.Contains("//", StringComparison.Ordinal))
        {
            context.Request.Path = RepeatedSlashes().Replace(path, "/");
        }

        return next(context);
    }

    [GeneratedRegex("/{2,}")]
    private static partial Regex RepeatedSlashes();
}
