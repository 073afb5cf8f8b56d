using System.Management.Automation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Cmdlets;

/// <summary>A misbehaving "service" on loopback: redirects elsewhere, huge bodies. The client must stay safe.</summary>
public sealed class HostileServerTests
{
    [Fact]
    public async Task A_redirect_to_another_host_is_not_followed_so_the_key_stays_home()
    {
        var authorizationSeenElsewhere = 0;
        await using var elsewhere = await StubServer.StartAsync(app => app.MapGet("/{**path}", (HttpContext context) =>
        {
            if (context.Request.Headers.Authorization.Count > 0)
            {
                Interlocked.Increment(ref authorizationSeenElsewhere);
            }

            return Results.Ok();
        }));
        var elsewhereUrl = elsewhere.Urls.First();
        await using var api = await StubServer.StartAsync(app => app.MapGet("/v1/images/generations/{id}", () => Results.Redirect(elsewhereUrl + "/stolen")));
        using var shell = new PowerShellHost();
        shell.Connect(new Uri(api.Urls.First()), "sk-must-not-travel", EmulatedService.FastRetries);

        var result = shell.Run("Get-ToApisTask -Id 'tsk_img_x'");

        var error = Assert.Single(result.Errors);
        Assert.Contains("HTTP 302", error.Exception.Message);
        Assert.Equal(0, authorizationSeenElsewhere);
    }

    [Fact]
    public async Task An_endless_body_is_cut_off_with_a_clear_error()
    {
        var huge = new string('x', 5 * 1024 * 1024);
        await using var api = await StubServer.StartAsync(app => app.MapGet("/v1/images/generations/{id}", () => Results.Text("{\"id\":\"" + huge + "\"}", "application/json")));
        using var shell = new PowerShellHost();
        shell.Connect(new Uri(api.Urls.First()), "sk-test", EmulatedService.FastRetries + " -MaximumRetryCount 0");

        var result = shell.Run("Get-ToApisTask -Id 'tsk_img_x'");

        var error = ErrorAssert.Is(Assert.Single(result.Errors), "ToApis.ConnectionFailed", ErrorCategory.ConnectionError);
        Assert.Contains("exceeds 4 MB", error.Exception.Message);
    }

    [Theory]
    [InlineData(-3600, "tsk_new", 1)]
    [InlineData(3600, "tsk_old", 0)]
    public async Task A_rerun_reuses_a_completed_task_only_while_its_results_last(int expiresInSeconds, string expectedId, int expectedPosts)
    {
        var posts = 0;
        var expiresAt = DateTimeOffset.UtcNow.AddSeconds(expiresInSeconds).ToUnixTimeSeconds();
        await using var api = await StubServer.StartAsync(app =>
        {
            app.MapGet("/v1/images/generations/{id}", (string id) => Results.Text(
                $$$"""{"id":"tsk_old","client_business_id":"{{{id}}}","status":"completed","progress":100,"completed_at":{{{expiresAt - 86400}}},"expires_at":{{{expiresAt}}},"result":{"data":[{"url":"https://files.example/old.png"}]}}""",
                "application/json"));
            app.MapPost("/v1/images/generations", () =>
            {
                Interlocked.Increment(ref posts);
                return Results.Text("""{"id":"tsk_new","status":"queued","progress":0}""", "application/json");
            });
        });
        using var shell = new PowerShellHost();
        shell.Connect(new Uri(api.Urls.First()), "sk-test", EmulatedService.FastRetries);

        var result = shell.Run("'a fox' | New-ToApisImage -RunKey 'expiring'");

        Assert.Empty(result.Errors);
        Assert.Equal(expectedId, Assert.Single(result.OutputOf<ToApis.Models.ToApisTask>()).Id);
        Assert.Equal(expectedPosts, posts);
    }

    /// <summary>A server that echoes the Authorization header in its errors: the key is masked before any stream sees it.</summary>
    [Fact]
    public async Task A_key_the_server_echoes_back_reaches_no_stream()
    {
        const string Key = "sk-echoed-back-by-the-server-0123456789";
        await using var api = await StubServer.StartAsync(app =>
        {
            app.MapPost("/v1/images/generations", (HttpContext context) => Results.Json(
                new { error = new { code = "invalid_request", message = $"Bad token {context.Request.Headers.Authorization} for this model", param = "model" } },
                statusCode: 400));
            app.MapGet("/v1/images/generations/{id}", (HttpContext context) => Results.Text(
                $"upstream rejected {context.Request.Headers.Authorization}", "text/plain", statusCode: 502));
            app.MapGet("/v1/balance", (HttpContext context) => Results.Json(new { success = false, message = $"token {context.Request.Headers.Authorization} has no quota" }));
        });
        using var shell = new PowerShellHost();
        shell.Connect(new Uri(api.Urls.First()), Key, EmulatedService.FastRetries + " -MaximumRetryCount 1");

        var result = shell.Run("New-ToApisImage 'p' -Verbose; Get-ToApisTask -Id 'tsk_img_x' -Verbose; Get-ToApisBalance -Verbose");

        Assert.Equal(3, result.Errors.Count);
        var everything = result.Errors.Select(e => $"{e} {e.Exception} {e.ErrorDetails?.Message} {e.ErrorDetails?.RecommendedAction}")
            .Concat(result.Verbose.Select(v => v.Message)).Concat(result.Warnings.Select(w => w.Message)).ToList();
        Assert.DoesNotContain(everything, text => text.Contains(Key, StringComparison.Ordinal));
        // The key's place shows "***" and its last four characters only.
        Assert.Contains(everything, text => System.Text.RegularExpressions.Regex.IsMatch(text, @"Bad token Bearer \*\*\*\S{0,5} for this model"));
    }

    /// <summary>Redirects from a result host are followed by hand: at most five hops, http(s) only, never to a link-local address.</summary>
    [Theory]
    [InlineData("/hop/4", null)] // five redirects
    [InlineData("/hop/5", "redirected more than 5 times")]
    [InlineData("/metadata", "the link-local address 169.254.169.254")]
    [InlineData("/scheme", "the file scheme")]
    public async Task Redirects_of_a_result_download_are_checked_at_every_hop(string start, string? refusal)
    {
        var png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");
        await using var files = await StubServer.StartAsync(app =>
        {
            app.MapGet("/hop/{n:int}", (int n) => Results.Redirect(n == 0 ? "/image.png" : $"/hop/{n - 1}"));
            app.MapGet("/metadata", () => Results.Redirect("http://169.254.169.254/latest/meta-data/"));
            app.MapGet("/scheme", () => Results.Redirect("file:///etc/passwd"));
            app.MapGet("/image.png", () => Results.Bytes(png, "image/png"));
        });
        await using var service = await EmulatedService.StartAsync();
        using var temp = new TempFolder();

        var result = service.Run("""
            param($url, $out)
            $task = [ToApis.Models.ToApisTask]::new()
            $task.Id = 'tsk_img_redirected'; $task.Status = 'completed'; $task.ImageUrls = @($url)
            $task | Save-ToApisImage -Path $out
            """, new System.Collections.Hashtable { ["url"] = files.Urls.First() + start, ["out"] = temp.Path });

        if (refusal is null)
        {
            Assert.Empty(result.Errors);
            Assert.Equal(png, File.ReadAllBytes(Assert.IsType<FileInfo>(Assert.Single(result.Output).BaseObject).FullName));
            return;
        }

        var error = ErrorAssert.Is(Assert.Single(result.Errors), "ToApis.DownloadFailed", start == "/hop/5" ? ErrorCategory.ResourceUnavailable : ErrorCategory.SecurityError);
        Assert.Contains(refusal, error.Exception.Message);
        Assert.Empty(temp.Files());
    }
}
