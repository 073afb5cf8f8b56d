using System.Management.Automation;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Cmdlets;

/// <summary>-Debug shows each HTTP exchange in full, and never the key, even where the text quotes it.</summary>
public sealed class DebugTests
{
    [Fact]
    public async Task Debug_shows_method_url_status_headers_and_bodies_with_the_key_masked()
    {
        await using var service = await EmulatedService.StartAsync();
        var key = service.Emulator.ApiKey;

        var result = service.Run($"param($key) New-ToApisImage \"a prompt that quotes $key\" -Debug 5>&1", new System.Collections.Hashtable { ["key"] = key });

        Assert.Empty(result.Errors);
        var debug = result.Output.Select(o => o.BaseObject).OfType<DebugRecord>().Select(d => d.Message).ToList();
        var exchange = Assert.Single(debug, d => d.StartsWith("POST ", StringComparison.Ordinal));
        Assert.Contains("/v1/images/generations", exchange);
        Assert.Contains("Content-Type: application/json", exchange);
        Assert.Contains("\"prompt\":\"a prompt that quotes ***\u2026" + key[^4..] + "\"", exchange);
        Assert.Matches(@"HTTP/\S+ 200 OK \(\d+ ms\)", exchange);
        Assert.Contains("X-RateLimit-Limit:", exchange);
        Assert.Contains("\"status\":\"queued\"", exchange);
        Assert.DoesNotContain("Authorization", exchange, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(debug, d => d.Contains(key, StringComparison.Ordinal));
        // -Debug alone must not turn verbose lines into prompts (the engine would ask before each one).
        Assert.DoesNotContain(result.Output, o => o.BaseObject is VerboseRecord);
    }

    [Fact]
    public async Task Without_Debug_no_exchange_is_described()
    {
        await using var service = await EmulatedService.StartAsync();

        var result = service.Run("New-ToApisImage 'p' -Verbose 5>&1 4>&1");

        Assert.DoesNotContain(result.Output, o => o.BaseObject is DebugRecord);
        Assert.Contains(result.Output, o => o.BaseObject is VerboseRecord v && v.Message.StartsWith("POST ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_long_response_body_is_cut_and_a_download_shows_its_headers_only()
    {
        await using var service = await EmulatedService.StartAsync();
        using var temp = new TempFolder();

        var result = service.Run($"param($out) Get-ToApisModel -Debug 5>&1 | Where-Object {{ $_ -is [System.Management.Automation.DebugRecord] }}; New-ToApisImage 'p' | Wait-ToApisTask {EmulatedService.FastPolling} | Save-ToApisImage -Path $out -Debug 5>&1",
            new System.Collections.Hashtable { ["out"] = temp.Path });

        var debug = result.Output.Select(o => o.BaseObject).OfType<DebugRecord>().Select(d => d.Message).ToList();
        var models = Assert.Single(debug, d => d.StartsWith("GET ", StringComparison.Ordinal) && d.Contains("/v1/models"));
        Assert.Contains("more characters not shown)", models);
        var download = Assert.Single(debug, d => d.StartsWith("GET " + service.Emulator.FilesBaseUri, StringComparison.Ordinal));
        Assert.Contains("Content-Type: image/png", download);
        Assert.DoesNotContain("PNG", download);
    }
}
