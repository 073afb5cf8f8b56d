using ToApis.Client;
using ToApis.Client.Wire;
using Xunit;

namespace ToApis.Tests;

// Theory data stays in plain types: discovery reads it before the module assembly can be resolved.

/// <summary>Every JSON example in the contract, including the variants where the docs contradict themselves.</summary>
public sealed class WireFormatTests
{
    private const string Request = "GET /v1/images/generations/x";

    [Fact]
    public void Submit_response_is_a_queued_task()
    {
        var task = TaskParser.Parse("""
            { "id": "task_img_abc123def456", "object": "generation.task", "model": "gemini-2.5-flash-image-official",
              "status": "queued", "progress": 0, "created_at": 1703884800, "metadata": {} }
            """, Request);
        Assert.Equal("task_img_abc123def456", task.Id);
        Assert.Equal("queued", task.Status);
        Assert.False(task.IsTerminal);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1703884800), task.CreatedAt);
        Assert.Empty(task.ImageUrls);
    }

    [Fact]
    public void Task_id_falls_back_to_task_id_field()
    {
        var task = TaskParser.Parse("""{ "task_id": "tsk_img_01KSWX9YZJREDY9Q5W361KR8QW", "status": "submitted" }""", Request);
        Assert.Equal("tsk_img_01KSWX9YZJREDY9Q5W361KR8QW", task.Id);
    }

    [Theory]
    [InlineData("queued")]
    [InlineData("submitted")]
    [InlineData("in_progress")]
    [InlineData("processing")]
    [InlineData("some_future_status")]
    [InlineData("IN_PROGRESS")]
    public void Only_completed_and_failed_are_terminal(string status)
    {
        var task = TaskParser.Parse($$"""{ "id": "t", "status": "{{status}}", "progress": 50 }""", Request);
        Assert.False(task.IsTerminal);
        Assert.Equal(50, task.Progress);
    }

    [Fact]
    public void Completed_task_reads_result_data_urls_and_expiry()
    {
        var task = TaskParser.Parse("""
            { "id": "img_5b8b19afe5c24ab3a92df996f1a33931", "client_business_id": "order_20260428_001",
              "object": "generation.task", "model": "gemini-3-pro-image-preview", "status": "completed", "progress": 100,
              "created_at": 1768381010, "completed_at": 1768381063, "expires_at": 1768467463,
              "result": { "type": "image", "data": [ { "url": "https://files.toapis.com/generated/1768381061_c55c1bbb.jpg" },
                                                      { "url": "https://cdn.toapis.com/generated/2.png", "size": "1600x2848", "output_format": "png" } ] } }
            """, Request);
        Assert.True(task.IsCompleted);
        Assert.Equal("order_20260428_001", task.ClientBusinessId);
        Assert.Equal(new[] { "https://files.toapis.com/generated/1768381061_c55c1bbb.jpg", "https://cdn.toapis.com/generated/2.png" }, task.ImageUrls);
        Assert.Equal(TimeSpan.FromHours(24), task.ExpiresAt - task.CompletedAt);
    }

    [Fact]
    public void Old_schema_top_level_url_is_the_fallback()
    {
        var task = TaskParser.Parse("""
            { "id": "x", "object": "image.generation", "status": "completed", "url": "https://files.toapis.com/a.png",
              "revised_prompt": "r", "expires_at": 1768467463 }
            """, Request);
        Assert.Equal(new[] { "https://files.toapis.com/a.png" }, task.ImageUrls);
    }

    [Fact]
    public void Result_data_wins_over_top_level_url()
    {
        var task = TaskParser.Parse("""
            { "id": "x", "status": "completed", "url": "https://old/a.png", "result": { "data": [ { "url": "https://new/b.png" } ] } }
            """, Request);
        Assert.Equal(new[] { "https://new/b.png" }, task.ImageUrls);
    }

    [Fact]
    public void Failed_task_carries_code_and_message()
    {
        var task = TaskParser.Parse("""
            { "id": "img_73c450923a9a43e4aabf426e1c681d64", "object": "generation.task", "model": "gemini-3-pro-image-preview",
              "status": "failed", "progress": 0, "created_at": 1768215312,
              "error": { "code": "generation_failed", "message": "call upstream API failed: upstream returned status 422" } }
            """, Request);
        Assert.True(task.IsFailed);
        Assert.Equal("generation_failed", task.ErrorCode);
        Assert.Equal("call upstream API failed: upstream returned status 422", task.ErrorMessage);
    }

    [Fact]
    public void Failed_task_with_progress_100_and_upstream_code()
    {
        var task = TaskParser.Parse("""
            { "id": "v", "status": "failed", "progress": 100, "completed_at": 1768215400,
              "error": {"code": "InvalidParameter", "message": "resolution 4K is not supported for viduq2-fast"} }
            """, Request);
        Assert.True(task.IsFailed);
        Assert.Equal("InvalidParameter", task.ErrorCode);
        Assert.Equal(100, task.Progress);
        Assert.NotNull(task.CompletedAt);
    }

    [Fact]
    public void Failure_reason_falls_back_to_fail_reason()
    {
        var task = TaskParser.Parse("""{ "id": "f", "status": "failed", "fail_reason": "upstream timeout" }""", Request);
        Assert.Equal("upstream timeout", task.ErrorMessage);
        Assert.Null(task.ErrorCode);
    }

    [Fact]
    public void Integer_error_code_is_kept_as_text()
    {
        var task = TaskParser.Parse("""{ "id": "f", "status": "failed", "error": { "code": 500, "message": "boom" } }""", Request);
        Assert.Equal("500", task.ErrorCode);
    }

    [Theory]
    [InlineData("<html><body>502 Bad Gateway</body></html>")]
    [InlineData("{\"id\": \"x\", \"status\"")]
    [InlineData("")]
    [InlineData("{ \"status\": \"queued\" }")]
    [InlineData("{ \"id\": \"x\" }")]
    [InlineData("[1,2]")]
    public void Unusable_bodies_are_a_clear_protocol_error(string body)
    {
        var error = Assert.Throws<ToApisApiException>(() => TaskParser.Parse(body, Request));
        Assert.Equal(ApiErrorKind.UnexpectedResponse, error.Kind);
        Assert.Contains(Request, error.Message);
    }

    [Theory]
    [InlineData(400, """{ "error": { "code": "invalid_request", "message": "The 'prompt' field is required.", "param": "prompt", "type": "invalid_request_error" } }""", "InvalidRequest", "invalid_request", "The 'prompt' field is required.")]
    [InlineData(401, """{ "error": { "code": "unauthorized", "message": "Invalid API key", "type": "authentication_error" } }""", "Unauthorized", "unauthorized", "Invalid API key")]
    [InlineData(401, """{ "error": { "code": 401, "message": "Authentication failed, please check your API key", "type": "authentication_error" } }""", "Unauthorized", "401", "Authentication failed, please check your API key")]
    [InlineData(401, """{"error":{"message":"无效的令牌"}}""", "Unauthorized", null, "无效的令牌")]
    [InlineData(401, """{"error":{"message":"invalid token (request id: 2026)","type":"new_api_error","code":""}}""", "Unauthorized", "", "invalid token (request id: 2026)")]
    [InlineData(404, """{ "error": { "code": 404, "message": "Task not found", "type": "not_found_error" } }""", "NotFound", "404", "Task not found")]
    [InlineData(400, """{"code":"task_not_exist","message":"task_not_exist","data":null}""", "NotFound", "task_not_exist", "task_not_exist")]
    [InlineData(400, """{"message":"task_not_exist"}""", "NotFound", null, "task_not_exist")]
    [InlineData(402, """{ "error": { "code": "insufficient_quota", "message": "Balance too low" } }""", "InsufficientQuota", "insufficient_quota", "Balance too low")]
    [InlineData(403, """{ "error": { "message": "no access to this model" } }""", "Forbidden", null, "no access to this model")]
    [InlineData(422, """{ "error": { "code": "content_policy_violation", "message": "Content policy violation" } }""", "ContentPolicy", "content_policy_violation", "Content policy violation")]
    [InlineData(429, """{ "error": { "code": "rate_limit_exceeded", "message": "Async task request rate exceeded" } }""", "RateLimited", "rate_limit_exceeded", "Async task request rate exceeded")]
    [InlineData(429, """{ "error": { "code": 429, "message": "Too many requests, please try again later", "type": "rate_limit_error" } }""", "RateLimited", "429", "Too many requests, please try again later")]
    [InlineData(503, """{ "error": { "code": "rate_limit_unavailable", "message": "The async task submit limiter is temporarily unavailable" } }""", "LimiterUnavailable", "rate_limit_unavailable", "The async task submit limiter is temporarily unavailable")]
    [InlineData(500, """{ "error": { "code": "internal_error", "message": "Server error" } }""", "ServerError", "internal_error", "Server error")]
    [InlineData(400, """{ "success": false, "message": "Image too large. Maximum size is 10MB" }""", "InvalidRequest", null, "Image too large. Maximum size is 10MB")]
    [InlineData(400, """{"message":"invalid request body","success":false}""", "InvalidRequest", null, "invalid request body")]
    [InlineData(400, """{"error":{"code":"xxx.PrivacyInformation","message":"may contain real person","param":"","type":"BadRequest"}}""", "InvalidRequest", "xxx.PrivacyInformation", "may contain real person")]
    [InlineData(400, """{"error":"plain string error"}""", "InvalidRequest", null, "plain string error")]
    [InlineData(502, "<html><body><h1>502 Bad Gateway</h1></body></html>", "ServerError", null, "<html><body><h1>502 Bad Gateway</h1></body></html>")]
    public void Every_documented_error_envelope_is_understood(int status, string body, string kind, string? code, string message)
    {
        var error = new ApiResponse(status, "", body, null).ToException("POST /v1/images/generations");
        Assert.Equal(kind, error.Kind.ToString());
        Assert.Equal(code, error.Code);
        Assert.Contains(message, error.Message);
        Assert.Contains($"HTTP {status}", error.Message);
    }

    [Fact]
    public void Error_param_is_kept_and_empty_param_is_dropped()
    {
        Assert.Equal("prompt", new ApiResponse(400, "", """{ "error": { "code": "invalid_request", "message": "m", "param": "prompt" } }""", null).ToException("r").Param);
        Assert.Null(new ApiResponse(400, "", """{ "error": { "code": "x", "message": "m", "param": "" } }""", null).ToException("r").Param);
    }

    [Theory]
    [InlineData(401, true)]
    [InlineData(402, true)]
    [InlineData(403, true)]
    [InlineData(400, false)]
    [InlineData(404, false)]
    [InlineData(422, false)]
    public void Only_key_quota_and_permission_errors_end_the_session(int status, bool fatal) =>
        Assert.Equal(fatal, new ApiResponse(status, "", "{}", null).ToException("r").IsFatalForSession);

    [Fact]
    public void Submit_body_sends_n_as_a_number_and_urls_as_strings()
    {
        var request = new GenerationRequest
        {
            Model = "m",
            Prompt = "p",
            Size = "16:9",
            Count = 2,
            ImageUrls = new List<string> { "https://files.toapis.com/uploads/1/a.jpg" },
            Metadata = new Dictionary<string, object?> { ["temperature"] = 0.5, ["imageOutputOptions"] = new Dictionary<string, object?> { ["mimeType"] = "image/jpeg" } },
            ExtraBody = new Dictionary<string, object?> { ["resolution"] = "2k", ["seed"] = 42L },
            ClientBusinessId = "row-1",
        };
        using var json = System.Text.Json.JsonDocument.Parse(request.ToJson());
        var root = json.RootElement;
        Assert.Equal(System.Text.Json.JsonValueKind.Number, root.GetProperty("n").ValueKind);
        Assert.Equal("https://files.toapis.com/uploads/1/a.jpg", root.GetProperty("image_urls")[0].GetString());
        Assert.Equal(0.5, root.GetProperty("metadata").GetProperty("temperature").GetDouble());
        Assert.Equal("image/jpeg", root.GetProperty("metadata").GetProperty("imageOutputOptions").GetProperty("mimeType").GetString());
        Assert.Equal("2k", root.GetProperty("resolution").GetString());
        Assert.Equal(42, root.GetProperty("seed").GetInt32());
        Assert.Equal("row-1", root.GetProperty("client_business_id").GetString());
        Assert.Equal("v1/images/generations", request.Path);
    }

    [Theory]
    [InlineData("https://toapis.com", "https://toapis.com/")]
    [InlineData("https://toapis.com/", "https://toapis.com/")]
    [InlineData("https://toapis.com/v1", "https://toapis.com/")]
    [InlineData("https://toapis.cn/v1/", "https://toapis.cn/")]
    [InlineData("http://127.0.0.1:5080", "http://127.0.0.1:5080/")]
    [InlineData("http://localhost:5080/v1", "http://localhost:5080/")]
    [InlineData("https://gateway.example/toapis/v1", "https://gateway.example/toapis/")]
    public void Base_uri_accepts_every_documented_spelling(string given, string expected) =>
        Assert.Equal(expected, ToApisConnectionSettings.NormalizeBaseUri(given).ToString());

    [Theory]
    [InlineData("http://toapis.com")]
    [InlineData("ftp://toapis.com")]
    [InlineData("toapis.com")]
    public void Base_uri_refuses_clear_text_and_nonsense(string given)
    {
        var error = Assert.Throws<ToApisValidationException>(() => ToApisConnectionSettings.NormalizeBaseUri(given));
        Assert.Equal("BaseUri", error.Field);
    }
}
