using System.Management.Automation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Cmdlets;

/// <summary>A misbehaving "service" on loopback: redirects elsewhere, huge bodies. The client must stay safe.</summary>
public sealed class HostileServerTests
{
    private static async Task<WebApplication> StartAsync(Action<WebApplication> routes)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        routes(app);
        await app.StartAsync();
        return app;
    }

    [Fact]
    public async Task A_redirect_to_another_host_is_not_followed_so_the_key_stays_home()
    {
        var authorizationSeenElsewhere = 0;
        await using var elsewhere = await StartAsync(app => app.MapGet("/{**path}", (HttpContext context) =>
        {
            if (context.Request.Headers.Authorization.Count > 0)
            {
                Interlocked.Increment(ref authorizationSeenElsewhere);
            }

            return Results.Ok();
        }));
        var elsewhereUrl = elsewhere.Urls.First();
        await using var api = await StartAsync(app => app.MapGet("/v1/images/generations/{id}", () => Results.Redirect(elsewhereUrl + "/stolen")));
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
        await using var api = await StartAsync(app => app.MapGet("/v1/images/generations/{id}", () => Results.Text("{\"id\":\"" + huge + "\"}", "application/json")));
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
        await using var api = await StartAsync(app =>
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
}
