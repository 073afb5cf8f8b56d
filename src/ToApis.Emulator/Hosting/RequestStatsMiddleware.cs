namespace ToApis.Emulator.Hosting;

/// <summary>Counts every request before anything can drop it, and every response that is actually sent.</summary>
internal sealed class RequestStatsMiddleware(EmulatorStats stats)
{
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var route = context.GetEmulatorRoute() ?? EmulatorRoute.Unmatched;
        if (route.IsControl)
        {
            await next(context);
            return;
        }

        stats.RecordRequest(route.Key);
        using var inFlight = stats.TrackInFlight(route.Key);
        if (route.IsFilesHost && context.Request.Headers.Authorization.Count > 0)
        {
            stats.RecordAuthorizedFileRequest(context.Request.Path);
        }

        try
        {
            await next(context);
        }
        catch when (!context.Response.HasStarted)
        {
            stats.RecordResponse(StatusCodes.Status500InternalServerError);
            throw;
        }

        if (!context.RequestAborted.IsCancellationRequested)
        {
            stats.RecordResponse(context.Response.StatusCode);
        }
    }
}
