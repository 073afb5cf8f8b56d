using System.Collections;
using System.Management.Automation;
using System.Text.RegularExpressions;
using ToApis.Emulator;
using ToApis.Session;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Cmdlets;

/// <summary>Connect-ToApis takes the key as users hold it, checks it once, and Get-ToApisSession shows the session without it.</summary>
[Collection(nameof(EnvironmentCollection))]
public sealed class SessionViewTests : IDisposable
{
    public SessionViewTests() => Environment.SetEnvironmentVariable("TOAPIS_API_KEY", null);

    public void Dispose() => Environment.SetEnvironmentVariable("TOAPIS_API_KEY", null);

    [Theory]
    [InlineData("$key")]
    [InlineData("(ConvertTo-SecureString $key -AsPlainText -Force)")]
    [InlineData("([pscredential]::new('anyone', (ConvertTo-SecureString $key -AsPlainText -Force)))")]
    public async Task The_key_may_be_text_a_SecureString_or_a_PSCredential_and_is_checked_with_one_request(string key)
    {
        await using var emulator = await ToApisEmulator.StartAsync(new EmulatorOptions { TimeScale = 0.001 });
        using var shell = new PowerShellHost();

        var result = shell.Run($"param($uri, $key) Connect-ToApis -BaseUri $uri -ApiKey {key}; New-ToApisImage 'p' | Out-Null; Get-ToApisSession",
            new Hashtable { ["uri"] = emulator.BaseUri.ToString(), ["key"] = emulator.ApiKey });

        Assert.Empty(result.Errors);
        var session = Assert.Single(result.OutputOf<ToApisSession>());
        Assert.Equal(1, emulator.Stats.TasksCreated);
        Assert.Equal(1, emulator.Stats.RequestCount(RouteKeys.ListModels));
        Assert.StartsWith("accepted", session.KeyCheck);
        Assert.Equal("\u2026" + emulator.ApiKey[^4..], session.KeyHint);
    }

    [Fact]
    public async Task A_refused_key_ends_Connect_at_once_and_keeps_the_session_that_was_connected()
    {
        await using var emulator = await ToApisEmulator.StartAsync(new EmulatorOptions { TimeScale = 0.001 });
        using var shell = new PowerShellHost();
        shell.Connect(emulator.BaseUri, emulator.ApiKey);

        var result = shell.Run("param($uri) try { Connect-ToApis -BaseUri $uri -ApiKey 'sk-not-a-real-key-1234' } catch { $_ }; (Get-ToApisSession).KeyHint",
            new Hashtable { ["uri"] = emulator.BaseUri.ToString() });

        var error = ErrorAssert.Is(ErrorAssert.Caught(result), "ToApis.Unauthorized", ErrorCategory.AuthenticationError);
        Assert.Contains("-SkipValidation", error.ErrorDetails.RecommendedAction);
        Assert.DoesNotContain("sk-not-a-real-key", error.ToString() + error.ErrorDetails.RecommendedAction);
        Assert.Equal("\u2026" + emulator.ApiKey[^4..], result.Output.Last().ToString());
    }

    [Fact]
    public async Task SkipValidation_connects_without_a_request_and_an_unreachable_service_is_a_warning()
    {
        await using var emulator = await ToApisEmulator.StartAsync(new EmulatorOptions { TimeScale = 0.001 });
        using var shell = new PowerShellHost();
        var unreachable = $"http://127.0.0.1:{Loopback.ClosedPort()}";

        var skipped = shell.Run("param($uri, $key) Connect-ToApis -BaseUri $uri -ApiKey $key -SkipValidation -PassThru",
            new Hashtable { ["uri"] = emulator.BaseUri.ToString(), ["key"] = emulator.ApiKey });
        var offline = shell.Run("param($uri) Connect-ToApis -BaseUri $uri -ApiKey 'sk-some-key-0000' -MaximumRetryCount 0 -PassThru",
            new Hashtable { ["uri"] = unreachable });

        Assert.Equal(0, emulator.Stats.RequestCount(RouteKeys.ListModels));
        Assert.Equal("skipped (-SkipValidation)", Assert.Single(skipped.OutputOf<ToApisSession>()).KeyCheck);
        Assert.Empty(offline.Errors);
        Assert.Contains("without checking the key", Assert.Single(offline.Warnings).Message);
        Assert.StartsWith("could not check", Assert.Single(offline.OutputOf<ToApisSession>()).KeyCheck);
    }

    [Fact]
    public async Task Get_ToApisSession_shows_where_the_key_came_from_the_pace_and_timeouts_but_never_the_key()
    {
        await using var emulator = await ToApisEmulator.StartAsync(new EmulatorOptions { TimeScale = 0.001 });
        var capture = new TextCaptureHost(80);
        using var shell = new PowerShellHost(capture);
        shell.Connect(emulator.BaseUri, emulator.ApiKey, "-RateTier Vip -TimeoutSec 90");

        var result = shell.Run("Get-ToApisSession | Out-Host; Get-ToApisSession | Format-List * | Out-Host; Get-ToApisSession | ConvertTo-Json");

        Assert.Empty(result.Errors);
        var shown = Regex.Replace(capture.Text, "\u001b\\[[0-9;]*m", "") + result.Output.Single();
        Assert.DoesNotContain(emulator.ApiKey, shown);
        Assert.Matches(@"Key\s+: \u2026" + Regex.Escape(emulator.ApiKey[^4..]), shown);
        Assert.Matches(@"KeySource\s+: parameter", shown);
        Assert.Matches(@"SubmitRateLimit\s+: 16\.7", shown);
        Assert.Matches(@"RateLimitSource\s+: RateTier Vip", shown);
        Assert.Matches(@"RequestTimeout\s+: 00:01:30", shown);
    }

    [Fact]
    public void Without_a_session_Get_ToApisSession_says_how_to_get_one()
    {
        using var shell = new PowerShellHost();

        var result = shell.Run("Get-ToApisSession");

        Assert.Empty(result.Output);
        var error = ErrorAssert.Is(Assert.Single(result.Errors), "ToApis.MissingApiKey", ErrorCategory.AuthenticationError);
        Assert.Contains("Connect-ToApis", error.ErrorDetails.RecommendedAction);
    }

    [Fact]
    public async Task A_parallel_runspace_is_told_that_sessions_are_per_runspace_and_how_to_pass_one_in()
    {
        await using var emulator = await ToApisEmulator.StartAsync(new EmulatorOptions { TimeScale = 0.001 });
        using var shell = new PowerShellHost();

        var result = shell.Run("""
            param($uri, $key)
            $s = Connect-ToApis -BaseUri $uri -ApiKey $key -PassThru
            # A module on the PSModulePath loads by itself in the new runspace; this one is imported from a folder.
            $manifest = (Get-Module ToApis).Path
            1 | ForEach-Object -Parallel { Import-Module $using:manifest; try { New-ToApisImage 'in parallel' } catch { $_ } }
            1 | ForEach-Object -Parallel { Import-Module $using:manifest; (New-ToApisImage 'with the session' -Session $using:s).Status }
            """, new Hashtable { ["uri"] = emulator.BaseUri.ToString(), ["key"] = emulator.ApiKey });

        var error = ErrorAssert.Is(Assert.Single(result.OutputOf<ErrorRecord>()), "ToApis.MissingApiKey", ErrorCategory.AuthenticationError);
        Assert.Contains("sessions are per runspace", error.Exception.Message);
        Assert.Contains("-Session $using:s", error.ErrorDetails.RecommendedAction);
        Assert.Contains("queued", result.Output.Select(o => o.ToString()));
        Assert.Equal(1, emulator.Stats.TasksCreated);
    }
}
