using System.Text;
using ToApis.Emulator.Errors;
using ToApis.Emulator.Hosting;

namespace ToApis.Emulator.Faults;

/// <summary>
/// Breaks requests as <see cref="FaultInjector"/> says. Faults "before processing" answer in place of the emulator,
/// like a failing proxy. The others let the request be processed (a submit does create its task) into a buffer,
/// then damage or withhold the answer: the ambiguous failures a client must reconcile without resubmitting.
/// <see cref="EmulatorOptions.Outage"/> answers every request of both hosts with 500 before any fault is drawn.
/// </summary>
internal sealed class FaultMiddleware(EmulatorOptions options, FaultInjector faults, EmulatorStats stats, CancellationToken stopping)
{
    /// <summary>The prefix of every task id the emulator makes; any other id in a status path is a client_business_id.</summary>
    private const string TaskIdPrefix = "tsk_img_";

    private const string BadGatewayPage =
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n"
        + "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.GetEmulatorRoute()?.FaultTarget is not { } routeTarget)
        {
            await next(context);
            return;
        }

        if (options.Outage)
        {
            await ApiErrors.InternalError().ExecuteAsync(context);
            return;
        }

        if (faults.Next(TargetOf(context, routeTarget)) is not { } fault)
        {
            await next(context);
            return;
        }

        stats.RecordFault(fault);
        switch (fault)
        {
            case FaultKind.Status500:
                await ApiErrors.InternalError().ExecuteAsync(context);
                return;
            case FaultKind.Status400:
                await ApiErrors.InvalidRequest("invalid_request", "The task id is not valid.", "task_id").ExecuteAsync(context);
                return;
            case FaultKind.Status403:
                await WriteAsync(context, StatusCodes.Status403Forbidden, "text/plain", "Forbidden"u8.ToArray());
                return;
            case FaultKind.Status404:
                await WriteAsync(context, StatusCodes.Status404NotFound, "text/plain", "Not Found"u8.ToArray());
                return;
            case FaultKind.EmptyJsonObject:
                await WriteAsync(context, StatusCodes.Status200OK, "application/json", "{}"u8.ToArray());
                return;
            case FaultKind.DelayBeforeProcessing:
                if (await DelayAsync(context))
                {
                    await next(context);
                }

                return;
            case FaultKind.Status502HtmlPage:
                await WriteAsync(context, StatusCodes.Status502BadGateway, "text/html", Encoding.UTF8.GetBytes(BadGatewayPage));
                return;
            case FaultKind.Status503:
                await WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "text/plain", "Service Unavailable"u8.ToArray());
                return;
            case FaultKind.ResetBeforeProcessing:
                context.Abort();
                return;
        }

        var processedBody = await ProcessIntoBufferAsync(context, next);
        switch (fault)
        {
            case FaultKind.ResetAfterProcessing:
                context.Abort();
                break;
            case FaultKind.Status500AfterProcessing:
                context.Response.Clear();
                await ApiErrors.InternalError().ExecuteAsync(context);
                break;
            case FaultKind.DelayResponse:
                await DelayThenAnswerAsync(context, processedBody);
                break;
            case FaultKind.MalformedJson:
                context.Response.Clear();
                var cutOff = processedBody.Length >= 2 ? processedBody[..(processedBody.Length / 2)] : "{\"id\":"u8.ToArray();
                await WriteAsync(context, StatusCodes.Status200OK, "application/json", cutOff);
                break;
            case FaultKind.TruncatedBody:
                await SendHalfAsync(context, processedBody);
                context.Abort();
                break;
            case FaultKind.CutBodyNoLength:
                // No Content-Length: the body is chunked, and its clean end hides that half of it is missing.
                context.Response.ContentLength = null;
                await context.Response.Body.WriteAsync(processedBody.AsMemory(0, processedBody.Length / 2));
                break;
            case FaultKind.StallMidBody:
                var sent = await SendHalfAsync(context, processedBody);
                if (await DelayAsync(context))
                {
                    await context.Response.Body.WriteAsync(processedBody.AsMemory(sent), context.RequestAborted);
                }

                break;
            default:
                throw new InvalidOperationException($"Unhandled fault {fault}.");
        }
    }

    /// <summary>A status request that names no task id is a lookup by client_business_id.</summary>
    private static FaultTarget TargetOf(HttpContext context, FaultTarget routeTarget) =>
        routeTarget == FaultTarget.Query
        && context.Request.RouteValues.TryGetValue("taskId", out var id)
        && id is string idOrClientBusinessId
        && !idOrClientBusinessId.StartsWith(TaskIdPrefix, StringComparison.Ordinal)
            ? FaultTarget.BusinessIdLookup
            : routeTarget;

    private static async Task<byte[]> ProcessIntoBufferAsync(HttpContext context, RequestDelegate next)
    {
        var responseBody = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = responseBody;
        }

        return buffer.ToArray();
    }

    private async Task DelayThenAnswerAsync(HttpContext context, byte[] processedBody)
    {
        if (await DelayAsync(context))
        {
            await context.Response.Body.WriteAsync(processedBody, context.RequestAborted);
        }
    }

    /// <summary>Waits <see cref="FaultInjector.Delay"/>; false (and the connection aborted) if the client or the emulator gave up first.</summary>
    private async Task<bool> DelayAsync(HttpContext context)
    {
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        try
        {
            await Task.Delay(faults.Delay, cancellation.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            context.Abort();
            return false;
        }
    }

    /// <summary>Declares the full length, sends the first half and flushes it; returns the bytes sent.</summary>
    private static async Task<int> SendHalfAsync(HttpContext context, byte[] processedBody)
    {
        var declaredLength = Math.Max(processedBody.Length, 2);
        var half = Math.Min(processedBody.Length, declaredLength / 2);
        context.Response.ContentLength = declaredLength;
        await context.Response.Body.WriteAsync(processedBody.AsMemory(0, half));
        await context.Response.Body.FlushAsync();
        return half;
    }

    private static async Task WriteAsync(HttpContext context, int statusCode, string contentType, byte[] body)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body);
    }
}
