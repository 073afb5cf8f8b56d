using System.Collections;
using System.Management.Automation;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using ToApis.Models;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Cmdlets;

/// <summary>
/// A hostile or misplaced "service" on loopback: answers about another task, web pages instead of JSON, the key
/// echoed back in every encoding. Each answer that is not the documented one is ToApis.UnexpectedResponse for its
/// row, saying what came back; the key is shown nowhere, and what the client parses is never altered by masking.
/// </summary>
public sealed class HostileAnswerTests : IDisposable
{
    private const string Portal = "<!DOCTYPE html><html><head><title>Hotel WiFi - Sign in</title></head><body>Accept the terms</body></html>";

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static PowerShellHost Connected(WebApplication api, string key, string extra = "")
    {
        var shell = new PowerShellHost();
        shell.Connect(new Uri(api.Urls.First()), key, EmulatedService.FastRetries + " -SkipValidation -RateTier None " + extra);
        return shell;
    }

    private static IResult Json(string json) => Results.Text(json, "application/json");

    private static ErrorRecord AssertUnexpected(ScriptResult result, params string[] saying)
    {
        var error = Assert.Single(result.Errors);
        ErrorAssert.Is(error, "ToApis.UnexpectedResponse", ErrorCategory.ProtocolError);
        foreach (var text in saying)
        {
            Assert.Contains(text, error.Exception.Message);
        }

        return error;
    }

    [Fact]
    public async Task A_status_answer_about_another_task_is_refused_and_nothing_is_saved()
    {
        await using var api = await StubServer.StartAsync(app => app.MapGet("/v1/images/generations/{id}", () => Json(
            """{"id":"tsk_img_someone_else","status":"completed","progress":100,"result":{"data":[{"url":"http://127.0.0.1:9/other.png"}]}}""")));
        using var shell = Connected(api, "sk-test-0123456789");
        var folder = Path.Combine(_temp.Path, "out");

        var result = shell.Run(
            "param($out) [pscustomobject]@{ Id = 'tsk_img_mine'; Status = 'queued' } | Wait-ToApisTask -PollIntervalSec 0.02 | Save-ToApisImage -Path $out",
            new Hashtable { ["out"] = folder });

        Assert.Empty(result.Output);
        AssertUnexpected(result, "tsk_img_someone_else", "tsk_img_mine");
        Assert.False(Directory.Exists(folder) && Directory.EnumerateFiles(folder).Any());
    }

    [Fact]
    public async Task A_lookup_by_client_business_id_is_answered_by_the_task_that_carries_it()
    {
        await using var api = await StubServer.StartAsync(app => app.MapGet("/v1/images/generations/{id}", (string id) => Json(
            $$"""{"id":"tsk_img_found","client_business_id":"{{id}}","status":"queued","progress":0}""")));
        using var shell = Connected(api, "sk-test-0123456789");

        var result = shell.Run("Get-ToApisTask -Id 'order-17'");

        Assert.Empty(result.Errors);
        Assert.Equal("tsk_img_found", Assert.Single(result.OutputOf<ToApisTask>()).Id);
    }

    [Fact]
    public async Task A_captive_portal_fails_Connect_and_says_what_came_back()
    {
        await using var api = await StubServer.StartAsync(app => app.MapFallback(() => Results.Text(Portal, "text/html")));
        using var shell = new PowerShellHost();

        var result = shell.Run(
            "param($uri, $key) try { Connect-ToApis -BaseUri $uri -ApiKey $key -RetryIntervalSec 0.01 } catch { $_ }; Get-ToApisSession",
            new Hashtable { ["uri"] = api.Urls.First(), ["key"] = PowerShellHost.Secure("sk-test-0123456789") });

        var error = Assert.IsType<ErrorRecord>(Assert.Single(result.Output).BaseObject);
        ErrorAssert.Is(error, "ToApis.UnexpectedResponse", ErrorCategory.ProtocolError);
        Assert.Contains("HTTP 200", error.Exception.Message);
        Assert.Contains("text/html", error.Exception.Message);
        Assert.Contains("Hotel WiFi", error.Exception.Message);
    }

    [Theory]
    [InlineData("'a fox' | New-ToApisImage", "POST")]
    [InlineData("Get-ToApisTask -Id 'tsk_img_x'", "GET")]
    public async Task A_web_page_instead_of_a_task_is_one_unexpected_answer_not_retried_and_says_what_came_back(string command, string method)
    {
        var requests = 0;
        await using var api = await StubServer.StartAsync(app => app.MapFallback((HttpContext context) =>
        {
            if (context.Request.Method == method)
            {
                Interlocked.Increment(ref requests);
            }

            return Results.Text(Portal, "text/html");
        }));
        using var shell = Connected(api, "sk-test-0123456789", "-MaximumRetryCount 3");

        var result = shell.Run(command);

        AssertUnexpected(result, "HTTP 200", "text/html", "Hotel WiFi");
        Assert.Equal(1, requests);
    }

    [Fact]
    public async Task An_upload_answered_by_a_web_page_is_an_unexpected_answer_naming_the_file()
    {
        await using var api = await StubServer.StartAsync(app => app.MapFallback(() => Results.Text(Portal, "text/html")));
        using var shell = Connected(api, "sk-test-0123456789");
        var image = _temp.Write("ref.png", SampleImages.Png);

        var result = shell.Run("param($p) Send-ToApisFile -Path $p", new Hashtable { ["p"] = image });

        AssertUnexpected(result, "text/html", "ref.png");
    }

    /// <summary>A short key must never turn a task id into "tsk_***…": the id is data, masking is for output.</summary>
    [Fact]
    public async Task A_short_key_inside_task_ids_leaves_the_ids_and_the_journal_intact()
    {
        const string Key = "38";
        const string Id = "tsk_img_01J38X38";
        await using var api = await StubServer.StartAsync(app =>
        {
            app.MapPost("/v1/images/generations", () => Json($$"""{"id":"{{Id}}","status":"queued","progress":0}"""));
            app.MapGet("/v1/images/generations/{id}", () => Json($$"""{"id":"{{Id}}","status":"queued","progress":0}"""));
        });
        using var shell = Connected(api, Key);
        var journal = Path.Combine(_temp.Path, "run.jsonl");

        var created = shell.Run("param($j) 'a fox' | New-ToApisImage -Journal $j", new Hashtable { ["j"] = journal });
        var read = shell.Run($"Get-ToApisTask -Id '{Id}'");

        Assert.Empty(created.Errors);
        Assert.Empty(read.Errors);
        Assert.Equal(Id, Assert.Single(created.OutputOf<ToApisTask>()).Id);
        Assert.Equal(Id, Assert.Single(read.OutputOf<ToApisTask>()).Id);
        Assert.Contains($"\"{Id}\"", File.ReadAllText(journal));
    }

    /// <summary>The key echoed in every encoding, in errors and failed tasks: not in any stream, $Error, the journal or the gallery.</summary>
    [Fact]
    public async Task A_key_echoed_in_any_encoding_reaches_no_stream_journal_or_gallery()
    {
        const string Key = "sk-Echoed/Key+0123456789abcdef";
        var forms = new[]
        {
            Key, Key.ToUpperInvariant(), Key.ToLowerInvariant(), Uri.EscapeDataString(Key), Uri.EscapeDataString(Key).ToLowerInvariant(),
            Convert.ToBase64String(Encoding.UTF8.GetBytes("Bearer " + Key)), Convert.ToBase64String(Encoding.UTF8.GetBytes("api:" + Key)).TrimEnd('='),
        };
        var echo = string.Join(" | ", forms);
        await using var api = await StubServer.StartAsync(app =>
        {
            app.MapPost("/v1/images/generations", () => Results.Json(
                new { error = new { code = "invalid_request", message = "bad token " + echo, param = "model" } }, statusCode: 400));
            app.MapGet("/v1/images/generations/{id}", (string id) => Results.Json(
                new { id, status = "failed", progress = 100, error = new { code = "upstream", message = "upstream refused " + echo } }));
        });
        using var shell = Connected(api, Key);
        var journal = Path.Combine(_temp.Path, "run.jsonl");
        var page = Path.Combine(_temp.Path, "gallery.html");

        var result = shell.Run(
            "param($j, $p) 'a fox' | New-ToApisImage -Journal $j -Verbose; "
            + "[pscustomobject]@{ Id = 'tsk_img_x'; Status = 'queued' } | Wait-ToApisTask -PollIntervalSec 0.02 -Journal $j -Verbose; "
            + "Export-ToApisGallery -Journal $j -Path $p; $Error | Out-String",
            new Hashtable { ["j"] = journal, ["p"] = page });

        Assert.Equal(2, result.Errors.Count);
        var shown = string.Join("\n", result.Errors.Select(e => $"{e} {e.Exception} {e.ErrorDetails?.Message}")
            .Concat(result.Verbose.Select(v => v.Message)).Concat(result.Warnings.Select(w => w.Message))
            .Concat(result.Output.Select(o => o.ToString())));
        var stored = File.ReadAllText(journal) + File.ReadAllText(page);
        foreach (var form in forms)
        {
            Assert.DoesNotContain(form, shown, StringComparison.Ordinal);
            Assert.DoesNotContain(form, stored, StringComparison.Ordinal);
        }

        Assert.Contains("bad token ***", shown);
        Assert.Contains("upstream refused ***", shown);
    }
}
