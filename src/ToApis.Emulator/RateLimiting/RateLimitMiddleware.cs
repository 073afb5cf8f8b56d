using System.Globalization;
using ToApis.Emulator.Auth;
using ToApis.Emulator.Errors;
using ToApis.Emulator.Hosting;

namespace ToApis.Emulator.RateLimiting;

/// <summary>Applies the async-task limits after authentication and before the request is processed.</summary>
internal sealed class RateLimitMiddleware(EmulatorOptions options, UserRateLimiter limiter)
{
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.GetEmulatorRoute()?.RateLimitCategory is not { } category)
        {
            await next(context);
            return;
        }

        if (category == RateLimitCategory.AsyncSubmit && options.SubmitLimiterUnavailable)
        {
            await ApiErrors.SubmitLimiterUnavailable().ExecuteAsync(context);
            return;
        }

        if (!options.RateLimitsEnabled)
        {
            await next(context);
            return;
        }

        var user = context.GetEmulatorUser();
        var decision = limiter.TryAcquire(user, category);
        var headers = context.Response.Headers;
        if (!decision.Allowed || options.RateLimitHeaders == RateLimitHeaders.EveryAnswer)
        {
            headers["X-RateLimit-Limit"] = decision.Limit.ToString(CultureInfo.InvariantCulture);
            headers["X-RateLimit-Remaining"] = decision.Remaining.ToString(CultureInfo.InvariantCulture);
            headers["X-RateLimit-Reset"] = CeilingSeconds(decision.ResetAt.ToUnixTimeMilliseconds()).ToString(CultureInfo.InvariantCulture);
            headers["X-RateLimit-Category"] = category.HeaderValue();
        }

        if (!decision.Allowed)
        {
            var retryAfterSeconds = Math.Max(1, CeilingSeconds((long)Math.Ceiling(decision.RetryAfter.TotalMilliseconds)));
            headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            await ApiErrors.RateLimited(options.Quirks).ExecuteAsync(context);
            return;
        }

        await next(context);
    }

    private static long CeilingSeconds(long milliseconds) => (milliseconds + 999) / 1000;
}
