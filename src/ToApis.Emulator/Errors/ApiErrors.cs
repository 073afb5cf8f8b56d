namespace ToApis.Emulator.Errors;

/// <summary>Every error answer of the API host, in the shapes of contract §2, §3 and §5.</summary>
internal static class ApiErrors
{
    public static IResult Unauthorized(EmulatorQuirks quirks) => UsesIntegerCodes(quirks)
        ? Error(StatusCodes.Status401Unauthorized, 401, "Authentication failed, please check your API key", type: "authentication_error")
        : Error(StatusCodes.Status401Unauthorized, "unauthorized", "Invalid API key", type: "authentication_error");

    public static IResult InvalidRequest(string code, string message, string? param) =>
        Error(StatusCodes.Status400BadRequest, code, message, param, "invalid_request_error");

    public static IResult ContentPolicyViolation() =>
        Error(StatusCodes.Status422UnprocessableEntity, "content_policy_violation",
            "The request was rejected because the prompt violates the content policy.");

    public static IResult InsufficientQuota(decimal cost, decimal? remaining) =>
        Error(StatusCodes.Status402PaymentRequired, "insufficient_quota",
            $"Insufficient balance: this task costs {cost} credits but only {remaining ?? 0} remain.");

    public static IResult TaskNotFound(EmulatorQuirks quirks)
    {
        if (quirks.HasFlag(EmulatorQuirks.TaskNotExistAs400))
        {
            return Results.Json(new TaskNotExistBody("task_not_exist", "task_not_exist", null), statusCode: StatusCodes.Status400BadRequest);
        }

        return Error(StatusCodes.Status404NotFound, UsesIntegerCodes(quirks) ? 404 : "task_not_found", "Task not found", type: "not_found_error");
    }

    public static IResult RateLimited(EmulatorQuirks quirks) => UsesIntegerCodes(quirks)
        ? Error(StatusCodes.Status429TooManyRequests, 429, "Too many requests, please try again later", type: "rate_limit_error")
        : Error(StatusCodes.Status429TooManyRequests, "rate_limit_exceeded", "Async task request rate exceeded");

    public static IResult SubmitLimiterUnavailable() =>
        Error(StatusCodes.Status503ServiceUnavailable, "rate_limit_unavailable",
            "The async task submit limiter is temporarily unavailable");

    public static IResult InternalError() =>
        Error(StatusCodes.Status500InternalServerError, "internal_error", "Internal server error", type: "server_error");

    public static IResult UnknownRoute(HttpRequest request) =>
        Error(StatusCodes.Status404NotFound, "not_found", $"Invalid URL ({request.Method} {request.Path})", type: "invalid_request_error");

    /// <summary>Upload rejections: HTTP 400 <c>{"success":false,"message":…}</c>.</summary>
    public static IResult UploadRejected(string message) =>
        Results.Json(new FailureBody(false, message), statusCode: StatusCodes.Status400BadRequest);

    /// <summary>Account endpoints fail with HTTP 200 and <c>success:false</c> (contract §8).</summary>
    public static IResult AccountFailure(string message) => Results.Json(new FailureBody(false, message));

    private static bool UsesIntegerCodes(EmulatorQuirks quirks) => quirks.HasFlag(EmulatorQuirks.IntegerErrorCodes);

    private static IResult Error(int statusCode, object code, string message, string? param = null, string? type = null) =>
        Results.Json(new ErrorEnvelope(new ErrorDetail(code, message, param, type)), statusCode: statusCode);
}
