using System.Text.Json;
using ToApis.Client;
using ToApis.Client.Webhooks;
using ToApis.Client.Wire;
using Xunit;

namespace ToApis.Tests.Webhooks;

/// <summary>callback_url: what may be sent, where it may come from, and that it does not change which task a -RunKey finds.</summary>
public sealed class CallbackUrlTests
{
    [Theory]
    [InlineData("https://hooks.example.com/toapis")]
    [InlineData("https://hooks.example.com:8443/toapis/images?batch=7")]
    [InlineData("http://127.0.0.1:5080/hook")]
    [InlineData("http://localhost/hook")]
    [InlineData("http://[::1]:9000/hook")]
    public void Absolute_https_urls_and_loopback_http_urls_are_accepted(string url) =>
        Assert.Equal(url, CallbackUrls.Resolve(url, new Dictionary<string, object?>()));

    [Theory]
    [InlineData("hooks.example.com/toapis", "absolute https")]
    [InlineData("/toapis", "absolute https")]
    [InlineData("ftp://hooks.example.com/toapis", "absolute https")]
    [InlineData("http://hooks.example.com/toapis", "only over https")]
    [InlineData("https://hooks.example.com/toapis#top", "fragment")]
    public void Other_urls_are_refused_before_anything_is_sent(string url, string reason)
    {
        var refused = Assert.Throws<ToApisValidationException>(() => CallbackUrls.Resolve(url, new Dictionary<string, object?>()));

        Assert.Equal("CallbackUrl", refused.Field);
        Assert.Contains(reason, refused.Message);
        Assert.Contains("path and query", refused.Message);
    }

    [Fact]
    public void A_password_in_the_url_is_refused_without_being_repeated()
    {
        var refused = Assert.Throws<ToApisValidationException>(
            () => CallbackUrls.Resolve("https://admin:hunter2@hooks.example.com/toapis", new Dictionary<string, object?>()));

        Assert.Contains("user name or password", refused.Message);
        Assert.DoesNotContain("hunter2", refused.Message);
        Assert.DoesNotContain("admin", refused.Message);
    }

    [Fact]
    public void Blank_means_none()
    {
        Assert.Null(CallbackUrls.Resolve("  ", new Dictionary<string, object?>()));
        Assert.Null(CallbackUrls.Resolve(null, new Dictionary<string, object?> { ["callback_url"] = "" }));
    }

    [Fact]
    public void A_callback_url_in_ExtraBody_is_checked_and_moved_out_of_it()
    {
        var extra = new Dictionary<string, object?> { ["Callback_URL"] = "https://hooks.example.com/a", ["seed"] = 7 };

        Assert.Equal("https://hooks.example.com/a", CallbackUrls.Resolve(null, extra));
        Assert.Equal(["seed"], extra.Keys);

        var bad = new Dictionary<string, object?> { ["callback_url"] = "http://hooks.example.com/a" };
        Assert.Throws<ToApisValidationException>(() => CallbackUrls.Resolve(null, bad));
    }

    [Fact]
    public void Two_different_callback_urls_are_refused()
    {
        var extra = new Dictionary<string, object?> { ["callback_url"] = "https://hooks.example.com/b" };

        var refused = Assert.Throws<ToApisValidationException>(() => CallbackUrls.Resolve("https://hooks.example.com/a", extra));
        Assert.Contains("Give one", refused.Message);
    }

    [Fact]
    public void The_request_sends_callback_url_only_when_there_is_one()
    {
        var request = new GenerationRequest { Model = "m", Prompt = "p", CallbackUrl = "https://hooks.example.com/a?x=1" };
        using (var json = JsonDocument.Parse(request.ToJson()))
        {
            Assert.Equal("https://hooks.example.com/a?x=1", json.RootElement.GetProperty("callback_url").GetString());
        }

        request.CallbackUrl = null;
        using (var json = JsonDocument.Parse(request.ToJson()))
        {
            Assert.False(json.RootElement.TryGetProperty("callback_url", out _));
        }
    }

    [Fact]
    public void The_callback_url_is_not_part_of_the_RunKey_fingerprint()
    {
        // Where the result is announced does not change the image: a rerun with another callback URL must find
        // (and not pay again for) the task the first run made.
        static GenerationRequest Request(string? callbackUrl, Dictionary<string, object?> extra) => new()
        {
            Model = "gemini-2.5-flash-image-official",
            Prompt = "A lighthouse",
            Size = "16:9",
            CallbackUrl = CallbackUrls.Resolve(callbackUrl, extra),
            ExtraBody = extra,
        };

        var first = new RequestFingerprint("run-1").BusinessIdFor(Request("https://hooks.example.com/a", []), []);
        var second = new RequestFingerprint("run-1").BusinessIdFor(Request("https://hooks.example.com/b?retry=1", []), []);
        var none = new RequestFingerprint("run-1").BusinessIdFor(Request(null, []), []);
        var viaExtra = new RequestFingerprint("run-1").BusinessIdFor(Request(null, new() { ["callback_url"] = "https://hooks.example.com/c" }), []);
        var otherPrompt = new RequestFingerprint("run-1").BusinessIdFor(new GenerationRequest { Model = "gemini-2.5-flash-image-official", Prompt = "A lighthouse at night", Size = "16:9" }, []);

        Assert.Equal(first, second);
        Assert.Equal(first, none);
        Assert.Equal(first, viaExtra);
        Assert.NotEqual(first, otherPrompt);
    }
}
