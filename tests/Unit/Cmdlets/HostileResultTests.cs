using System.Collections;
using System.Management.Automation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using ToApis.Client.Webhooks;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Cmdlets;

/// <summary>
/// Results and deliveries whose size or shape a hostile sender chooses, and a folder that vanishes mid-save: each is
/// one error with its own ErrorId that names the row's file, the folder or the URL, and costs one download at most.
/// </summary>
public sealed class HostileResultTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static ScriptResult Save(EmulatedService service, string url, string folder) => service.Run("""
        param($url, $out)
        $task = [ToApis.Models.ToApisTask]::new()
        $task.Id = 'tsk_img_hostile'; $task.Status = 'completed'; $task.ImageUrls = @($url)
        $task | Save-ToApisImage -Path $out -FileName 'fox'
        """, new Hashtable { ["url"] = url, ["out"] = folder });

    [Fact]
    public async Task A_whole_body_that_starts_like_an_image_but_is_not_one_is_fetched_once()
    {
        var fetches = 0;
        var body = SampleImages.Png.Take(16).Concat(new byte[3 * 1024 * 1024]).ToArray();
        await using var files = await StubServer.StartAsync(app => app.MapGet("/fake.png", () =>
        {
            Interlocked.Increment(ref fetches);
            return Results.Bytes(body, "image/png");
        }));
        await using var service = await EmulatedService.StartAsync(connectParameters: EmulatedService.FastRetries + " -MaximumRetryCount 4");

        var result = Save(service, files.Urls.First() + "/fake.png", _temp.Path);

        var error = ErrorAssert.Is(Assert.Single(result.Errors), "ToApis.UnsupportedImageType", ErrorCategory.InvalidData);
        Assert.Contains("/fake.png", error.Exception.Message);
        Assert.Equal(1, fetches);
        Assert.Empty(_temp.Files());
    }

    [Theory]
    [InlineData("javascript:alert(document.cookie)", "javascript")]
    [InlineData("file:///etc/passwd", "file")]
    public async Task A_result_url_that_is_not_a_web_address_has_its_own_error(string url, string scheme)
    {
        await using var service = await EmulatedService.StartAsync();

        var result = Save(service, url, _temp.Path);

        var error = ErrorAssert.Is(Assert.Single(result.Errors), "ToApis.UnsupportedResultUrl", ErrorCategory.SecurityError);
        Assert.Contains(scheme + ":", error.Exception.Message);
        Assert.Contains("fox", error.Exception.Message);
        Assert.False(string.IsNullOrEmpty(error.ErrorDetails?.RecommendedAction));
        Assert.Empty(_temp.Files());
    }

    [Fact]
    public async Task A_folder_removed_mid_save_is_named_with_the_image_not_a_hidden_temporary_file()
    {
        var folder = Path.Combine(_temp.Path, "out");
        await using var files = await StubServer.StartAsync(app => app.MapGet("/image.png", () =>
        {
            Directory.Delete(folder, recursive: true); // removed while the download is under way
            return Results.Bytes(SampleImages.Png, "image/png");
        }));
        await using var service = await EmulatedService.StartAsync();

        var result = Save(service, files.Urls.First() + "/image.png", folder);

        var error = ErrorAssert.Is(Assert.Single(result.Errors), "ToApis.OutputFolderMissing", ErrorCategory.ObjectNotFound);
        Assert.Contains($"'{folder}'", error.Exception.Message);
        Assert.Contains("'fox'", error.Exception.Message);
        Assert.DoesNotContain(".toapis-partial", error.Exception.Message);
        Assert.Contains("create it again", error.ErrorDetails!.RecommendedAction);
    }

    [Fact]
    public void A_webhook_body_above_the_cap_is_refused_before_it_is_read()
    {
        using var shell = new PowerShellHost();
        var body = "{\"id\":\"" + new string('x', WebhookVerifier.MaxBodyBytes) + "\"}";

        var result = shell.Run(
            "param($b) ConvertFrom-ToApisWebhook -Body $b -Secret 'whsec_test' -Header @{ 'X-ToAPIs-Webhook-Id' = 'evt_1'; 'X-ToAPIs-Webhook-Timestamp' = '1'; 'X-ToAPIs-Webhook-Signature' = 'v1=00' }",
            new Hashtable { ["b"] = body });

        var error = ErrorAssert.Is(Assert.Single(result.Errors), "ToApis.WebhookTooLarge", ErrorCategory.LimitsExceeded);
        Assert.Contains("1024 KB", error.Exception.Message);
        Assert.Contains("413", error.ErrorDetails!.RecommendedAction);
    }

    [Fact]
    public void A_signed_webhook_body_above_the_cap_is_refused_whatever_its_signature()
    {
        var body = new byte[WebhookVerifier.MaxBodyBytes + 1];
        var secret = "whsec_test"u8.ToArray();
        var signature = Convert.ToHexString(WebhookSignature.Compute(secret, "evt_1", "1", body)).ToLowerInvariant();
        var verifier = new WebhookVerifier([secret], TimeSpan.FromMinutes(5), new ManualTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1)));

        var error = Assert.Throws<ToApisWebhookException>(() => verifier.Verify(body, new Dictionary<string, string?>
        {
            ["X-ToAPIs-Webhook-Id"] = "evt_1", ["X-ToAPIs-Webhook-Timestamp"] = "1", ["X-ToAPIs-Webhook-Signature"] = "v1=" + signature,
        }));

        Assert.Equal(WebhookProblem.TooLarge, error.Problem);
    }
}
