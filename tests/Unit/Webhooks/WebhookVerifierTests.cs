using System.Text;
using ToApis.Client.Webhooks;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Webhooks;

// Theory data stays in plain types: discovery reads it before the module assembly can be resolved.

/// <summary>The verifier against the contract's own example and signatures computed independently (Python's hmac, openssl).</summary>
public sealed class WebhookVerifierTests
{
    private const string Secret = "whsec_test_secret_0123456789abcdef";
    private const string PreviousSecret = "whsec_previous_secret_fedcba9876543210";
    private const string EventId = "evt_01abcdef";
    private const string Timestamp = "1783953302";

    /// <summary>The documented generation.completed example, byte for byte as signed below.</summary>
    private const string CompletedBody =
        """{"id":"evt_01abcdef","type":"generation.completed","api_version":"v1","created_at":1783953302,"data":{"task_id":"tsk_01abcdef","client_business_id":"order_123","task_type":"image","model":"model-name","status":"SUCCESS","progress":"100%","result":{"type":"image","data":[{"url":"https://cdn.example/result.png"}]},"error":null,"submitted_at":1783953000,"finished_at":1783953300}}""";

    // python3: hmac.new(secret.encode(), b"evt_01abcdef.1783953302." + body, hashlib.sha256).hexdigest()
    private const string CompletedSignature = "a2cf26c680619e45c49fe38c27c911029b744798b869519ca0795b8fe60dd626";
    private const string CompletedSignatureByPreviousSecret = "3f81c2e0586dbc0dda37e1be4e80daa745dd3637753d52e6bfb6cf3e3c789b0c";

    private static readonly DateTimeOffset SignedAt = DateTimeOffset.FromUnixTimeSeconds(long.Parse(Timestamp));

    [Fact]
    public void Signature_matches_independent_vectors()
    {
        // openssl dgst -sha256 -hmac "$secret" over 'evt_01abcdef.1783953302.{"id":"evt_01abcdef"}'
        Assert.Equal(
            "e20cbde8405dfe39c1618c4cd39349a6af99467be42d49c2d7f259e654816ecf",
            Hex(WebhookSignature.Compute(Utf8(Secret), EventId, Timestamp, Utf8("""{"id":"evt_01abcdef"}"""))));
        Assert.Equal(CompletedSignature, Hex(WebhookSignature.Compute(Utf8(Secret), EventId, Timestamp, Utf8(CompletedBody))));
    }

    [Fact]
    public void Documented_completed_event_becomes_a_completed_task()
    {
        var verified = Verifier().Verify(Utf8(CompletedBody), Headers($"v1={CompletedSignature}"));

        Assert.Equal(EventId, verified.EventId);
        Assert.Equal("generation.completed", verified.EventType);
        var task = Assert.IsType<ToApis.Models.ToApisTask>(verified.Output);
        Assert.Equal("tsk_01abcdef", task.Id);
        Assert.Equal("completed", task.Status);
        Assert.True(task.IsCompleted);
        Assert.Equal(100, task.Progress);
        Assert.Equal("model-name", task.Model);
        Assert.Equal("order_123", task.ClientBusinessId);
        Assert.Equal(["https://cdn.example/result.png"], task.ImageUrls);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1783953000), task.CreatedAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1783953300), task.CompletedAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1783953300 + 86400), task.ExpiresAt);
    }

    [Theory]
    [InlineData("v1={0},v1={1}")]
    [InlineData("v1={1},v1={0}")]
    [InlineData("v1={1}, v1={0}")]
    public void During_a_rotation_either_signature_verifies(string header)
    {
        var both = string.Format(header, CompletedSignature, CompletedSignatureByPreviousSecret);

        Assert.Equal(EventId, Verifier(Secret).Verify(Utf8(CompletedBody), Headers(both)).EventId);
        Assert.Equal(EventId, Verifier(PreviousSecret).Verify(Utf8(CompletedBody), Headers(both)).EventId);
        Assert.Equal(EventId, Verifier("some-other-secret", PreviousSecret).Verify(Utf8(CompletedBody), Headers($"v1={CompletedSignatureByPreviousSecret}")).EventId);
    }

    [Theory]
    [InlineData("V1=A2CF26C680619E45C49FE38C27C911029B744798B869519CA0795B8FE60DD626")]
    [InlineData(" v1=a2cf26c680619e45c49fe38c27c911029b744798b869519ca0795b8fe60dd626 ")]
    [InlineData("a2cf26c680619e45c49fe38c27c911029b744798b869519ca0795b8fe60dd626")]
    [InlineData("v0=0000,v1=a2cf26c680619e45c49fe38c27c911029b744798b869519ca0795b8fe60dd626")]
    public void Signature_header_variants_are_accepted(string header) =>
        Assert.Equal(EventId, Verifier().Verify(Utf8(CompletedBody), Headers(header)).EventId);

    [Fact]
    public void Header_names_are_matched_in_any_case_as_Azure_Functions_lower_cases_them()
    {
        var headers = new Dictionary<string, string?>
        {
            ["x-toapis-webhook-id"] = EventId,
            ["X-TOAPIS-WEBHOOK-TIMESTAMP"] = Timestamp,
            ["x-ToAPIs-webhook-signature"] = "v1=" + CompletedSignature,
        };

        Assert.Equal(EventId, Verifier().Verify(Utf8(CompletedBody), headers).EventId);
    }

    [Fact]
    public void A_wrong_secret_is_a_mismatch_that_echoes_neither_the_secret_nor_the_expected_signature()
    {
        var refused = Refused(() => Verifier("not-the-secret").Verify(Utf8(CompletedBody), Headers("v1=" + CompletedSignature)), WebhookProblem.SignatureMismatch);

        var expectedUnderWrongSecret = Hex(WebhookSignature.Compute(Utf8("not-the-secret"), EventId, Timestamp, Utf8(CompletedBody)));
        Assert.DoesNotContain("not-the-secret", refused.Message);
        Assert.DoesNotContain(expectedUnderWrongSecret, refused.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(EventId, refused.Message);
    }

    [Fact]
    public void A_body_changed_by_one_byte_is_a_mismatch()
    {
        var tampered = CompletedBody.Replace("result.png", "resulT.png");

        Refused(() => Verifier().Verify(Utf8(tampered), Headers("v1=" + CompletedSignature)), WebhookProblem.SignatureMismatch);
    }

    [Fact]
    public void A_signature_for_another_event_id_or_timestamp_is_a_mismatch()
    {
        var headers = Headers("v1=" + CompletedSignature);
        headers["X-ToAPIs-Webhook-Id"] = "evt_other";
        Refused(() => Verifier().Verify(Utf8(CompletedBody), headers), WebhookProblem.SignatureMismatch);

        headers = Headers("v1=" + CompletedSignature);
        headers["X-ToAPIs-Webhook-Timestamp"] = "1783953303";
        Refused(() => Verifier(now: SignedAt.AddSeconds(1)).Verify(Utf8(CompletedBody), headers), WebhookProblem.SignatureMismatch);
    }

    [Theory]
    [InlineData("X-ToAPIs-Webhook-Id")]
    [InlineData("X-ToAPIs-Webhook-Timestamp")]
    [InlineData("X-ToAPIs-Webhook-Signature")]
    public void A_missing_header_means_the_delivery_is_not_signed(string header)
    {
        var headers = Headers("v1=" + CompletedSignature);
        headers.Remove(header);

        var refused = Refused(() => Verifier().Verify(Utf8(CompletedBody), headers), WebhookProblem.SignatureMissing);
        Assert.Contains(header, refused.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("v0=abc")]
    [InlineData(" , ")]
    public void A_signature_header_without_a_v1_value_means_not_signed(string header) =>
        Refused(() => Verifier().Verify(Utf8(CompletedBody), Headers(header)), WebhookProblem.SignatureMissing);

    [Theory]
    [InlineData(301)]
    [InlineData(-301)]
    [InlineData(86400)]
    public void A_timestamp_more_than_five_minutes_off_is_stale(int secondsAfterSigning)
    {
        var refused = Refused(
            () => Verifier(now: SignedAt.AddSeconds(secondsAfterSigning)).Verify(Utf8(CompletedBody), Headers("v1=" + CompletedSignature)),
            WebhookProblem.TimestampStale);

        Assert.Contains(secondsAfterSigning > 0 ? "ago" : "in the future", refused.Message);
    }

    [Theory]
    [InlineData(299)]
    [InlineData(-299)]
    public void A_timestamp_within_five_minutes_is_fresh(int secondsAfterSigning) =>
        Assert.Equal(EventId, Verifier(now: SignedAt.AddSeconds(secondsAfterSigning)).Verify(Utf8(CompletedBody), Headers("v1=" + CompletedSignature)).EventId);

    [Fact]
    public void The_tolerance_can_be_narrowed()
    {
        var verifier = new WebhookVerifier([Utf8(Secret)], TimeSpan.FromSeconds(60), new ManualTimeProvider(SignedAt.AddSeconds(61)));

        Refused(() => verifier.Verify(Utf8(CompletedBody), Headers("v1=" + CompletedSignature)), WebhookProblem.TimestampStale);
    }

    [Fact]
    public void A_timestamp_that_is_not_a_number_is_malformed()
    {
        var headers = Headers("v1=" + CompletedSignature);
        headers["X-ToAPIs-Webhook-Timestamp"] = "yesterday";

        Refused(() => Verifier().Verify(Utf8(CompletedBody), headers), WebhookProblem.Malformed);
    }

    [Fact]
    public void Documented_failed_event_becomes_a_failed_task_with_its_error()
    {
        const string body = """{"id":"evt_01failure","type":"generation.failed","api_version":"v1","created_at":1783953302,"data":{"task_id":"tsk_01failure","client_business_id":"order_456","task_type":"video","model":"model-name","status":"FAILURE","progress":"100%","result":null,"error":{"code":"generation_failed","message":"Generation failed after retries"},"submitted_at":1783953000,"finished_at":1783953300}}""";

        var task = Assert.IsType<ToApis.Models.ToApisTask>(VerifySigned(body, "evt_01failure").Output);

        Assert.Equal("failed", task.Status);
        Assert.True(task.IsFailed);
        Assert.Equal(100, task.Progress);
        Assert.Equal("generation_failed", task.ErrorCode);
        Assert.Equal("Generation failed after retries", task.ErrorMessage);
        Assert.Empty(task.ImageUrls);
        Assert.Null(task.ExpiresAt);
    }

    [Fact]
    public void Documented_endpoint_test_comes_out_as_a_test_event_not_a_task()
    {
        const string body = """{"id":"evt_01test","type":"endpoint.test","api_version":"v1","created_at":1783953302,"data":{"task_id":"endpoint_test","task_type":"image","status":"SUCCESS","progress":"100%","result":{"message":"ToAPIs webhook endpoint test"},"error":null,"submitted_at":0,"finished_at":0}}""";

        var verified = VerifySigned(body, "evt_01test");

        Assert.Null(verified.Task);
        var test = Assert.IsType<ToApis.Models.ToApisWebhookEvent>(verified.Output);
        Assert.True(test.IsEndpointTest);
        Assert.Equal("evt_01test", test.EventId);
        Assert.Equal("v1", test.ApiVersion);
        Assert.Equal("ToAPIs webhook endpoint test", test.Message);
        Assert.Equal(SignedAt, test.CreatedAt);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("[1,2,3]")]
    [InlineData("""{"id":"evt_x","api_version":"v1"}""")]
    [InlineData("""{"id":"evt_x","type":"generation.completed"}""")]
    [InlineData("""{"id":"evt_x","type":"generation.completed","data":{"status":"SUCCESS"}}""")]
    public void A_signed_body_that_is_not_the_documented_event_is_malformed(string body) =>
        Refused(() => VerifySigned(body, "evt_x"), WebhookProblem.Malformed);

    [Fact]
    public void The_timestamp_is_signed_as_sent_or_as_the_number_it_is()
    {
        var headers = Headers("v1=" + CompletedSignature);
        headers["X-ToAPIs-Webhook-Timestamp"] = "0" + Timestamp; // signed as 1783953302, the docs' Python sample's way

        Assert.Equal(EventId, Verifier().Verify(Utf8(CompletedBody), headers).EventId);
    }

    [Fact]
    public void Fixed_time_comparison_compares_whole_arrays()
    {
        byte[] signature = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];

        Assert.True(WebhookSignature.FixedTimeEquals(signature, [.. signature]));
        Assert.False(WebhookSignature.FixedTimeEquals(signature, [.. signature[..31], 0xFF]));
        Assert.False(WebhookSignature.FixedTimeEquals(signature, [0xFF, .. signature[1..]]));
        Assert.False(WebhookSignature.FixedTimeEquals(signature, signature[..31]));
        Assert.False(WebhookSignature.Matches(signature, "zz" + new string('0', 62)));
        Assert.False(WebhookSignature.Matches(signature, "00"));
    }

    private static WebhookEvent VerifySigned(string body, string eventId)
    {
        var signature = Hex(WebhookSignature.Compute(Utf8(Secret), eventId, Timestamp, Utf8(body)));
        var headers = Headers("v1=" + signature);
        headers["X-ToAPIs-Webhook-Id"] = eventId;
        return Verifier().Verify(Utf8(body), headers);
    }

    private static WebhookVerifier Verifier(params string[] secrets) => Verifier(SignedAt, secrets);

    private static WebhookVerifier Verifier(DateTimeOffset now, params string[] secrets) =>
        new(secrets.Length == 0 ? [Utf8(Secret)] : secrets.Select(Utf8), WebhookVerifier.DefaultTolerance, new ManualTimeProvider(now));

    private static Dictionary<string, string?> Headers(string signature) => new()
    {
        ["X-ToAPIs-Webhook-Id"] = EventId,
        ["X-ToAPIs-Webhook-Timestamp"] = Timestamp,
        ["X-ToAPIs-Webhook-Signature"] = signature,
        ["User-Agent"] = "ToAPIs-Webhook/1.0",
    };

    private static ToApisWebhookException Refused(Action verify, WebhookProblem problem)
    {
        var refused = Assert.Throws<ToApisWebhookException>(verify);
        Assert.Equal(problem, refused.Problem);
        Assert.DoesNotContain(Secret, refused.Message);
        return refused;
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
