using System.Collections;
using System.Management.Automation;
using ToApis.Models;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Cmdlets;

/// <summary>Environment variables are process-wide, so these tests never run beside each other.</summary>
[CollectionDefinition(nameof(EnvironmentCollection), DisableParallelization = true)]
public sealed class EnvironmentCollection;

/// <summary>
/// Tests that count 429s depend on requests reaching the emulator about when they leave; they run alone,
/// after the parallel ones, so a busy neighbour cannot delay requests into a burst.
/// </summary>
[CollectionDefinition(nameof(PacingCollection), DisableParallelization = true)]
public sealed class PacingCollection;

/// <summary>
/// The runs in processes of their own, one after another: they take minutes, mostly waiting on their children,
/// so they run beside the other parallel tests rather than alone after them (nothing in them counts 429s).
/// </summary>
[CollectionDefinition(nameof(ProcessesCollection))]
public sealed class ProcessesCollection;

[Collection(nameof(EnvironmentCollection))]
public sealed class SessionTests : IDisposable
{
    public SessionTests()
    {
        Environment.SetEnvironmentVariable("TOAPIS_API_KEY", null);
        Environment.SetEnvironmentVariable("TOAPIS_BASE_URL", null);
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("TOAPIS_API_KEY", null);
        Environment.SetEnvironmentVariable("TOAPIS_BASE_URL", null);
    }

    [Fact]
    public void Missing_key_is_one_terminating_error_that_says_how_to_fix_it()
    {
        using var shell = new PowerShellHost();

        var result = shell.Run("try { 'a', 'b' | New-ToApisImage } catch { $_ }");

        var error = ErrorAssert.Is(ErrorAssert.Caught(result), "ToApis.MissingApiKey", ErrorCategory.AuthenticationError);
        Assert.Contains("Connect-ToApis", error.ErrorDetails.RecommendedAction);
        Assert.Contains("TOAPIS_API_KEY", error.ErrorDetails.RecommendedAction);
        Assert.Empty(result.Errors);
    }

    [Fact]
    public async Task Environment_variables_are_used_when_nothing_is_connected()
    {
        await using var emulator = await ToApis.Emulator.ToApisEmulator.StartAsync(new ToApis.Emulator.EmulatorOptions { TimeScale = 0.001 });
        Environment.SetEnvironmentVariable("TOAPIS_API_KEY", emulator.ApiKey);
        Environment.SetEnvironmentVariable("TOAPIS_BASE_URL", emulator.BaseUri + "v1");
        using var shell = new PowerShellHost();

        var result = shell.Run($"New-ToApisImage 'p' | Wait-ToApisTask {EmulatedService.FastPolling}");

        Assert.Empty(result.Errors);
        Assert.True(Assert.Single(result.OutputOf<ToApisTask>()).IsCompleted);
    }

    [Fact]
    public async Task Connect_overrides_the_environment_and_Disconnect_falls_back_to_it()
    {
        await using var connected = await ToApis.Emulator.ToApisEmulator.StartAsync();
        await using var fromEnvironment = await ToApis.Emulator.ToApisEmulator.StartAsync();
        Environment.SetEnvironmentVariable("TOAPIS_API_KEY", fromEnvironment.ApiKey);
        Environment.SetEnvironmentVariable("TOAPIS_BASE_URL", fromEnvironment.BaseUri.ToString());
        using var shell = new PowerShellHost();
        shell.Connect(connected.BaseUri, connected.ApiKey);

        shell.Run("New-ToApisImage 'to the connected one'");
        shell.Run("Disconnect-ToApis; New-ToApisImage 'to the environment one'");

        Assert.Equal(1, connected.Stats.TasksCreated);
        Assert.Equal(1, fromEnvironment.Stats.TasksCreated);
    }

    [Fact]
    public async Task Sessions_belong_to_their_runspace_and_Session_parameter_overrides()
    {
        await using var first = await ToApis.Emulator.ToApisEmulator.StartAsync();
        await using var second = await ToApis.Emulator.ToApisEmulator.StartAsync();
        using var shellA = new PowerShellHost();
        using var shellB = new PowerShellHost();
        shellA.Connect(first.BaseUri, first.ApiKey);
        shellB.Connect(second.BaseUri, second.ApiKey);

        shellA.Run("New-ToApisImage 'a'");
        shellB.Run("New-ToApisImage 'b'");
        var session = shellB.Run("param($uri, $key) Connect-ToApis -BaseUri $uri -ApiKey $key -PassThru",
            new Hashtable { ["uri"] = second.BaseUri.ToString(), ["key"] = PowerShellHost.Secure(second.ApiKey) }).Output.Single();
        shellA.Run("param($s) New-ToApisImage 'a via session' -Session $s", new Hashtable { ["s"] = session });

        Assert.Equal(1, first.Stats.TasksCreated);
        Assert.Equal(2, second.Stats.TasksCreated);
        Assert.DoesNotContain(second.ApiKey, session.ToString());
        Assert.DoesNotContain(session.Properties, p => p.Value?.ToString()?.Contains(second.ApiKey) == true);
    }

    [Theory]
    [InlineData("http://toapis.com")]
    [InlineData("not a uri")]
    public void Connect_refuses_a_base_uri_that_would_leak_the_key_or_make_no_sense(string baseUri)
    {
        using var shell = new PowerShellHost();

        var result = shell.Run("param($uri, $key) try { Connect-ToApis -BaseUri $uri -ApiKey $key } catch { $_ }",
            new Hashtable { ["uri"] = baseUri, ["key"] = PowerShellHost.Secure("sk-x") });

        var error = ErrorAssert.Is(ErrorAssert.Caught(result), "ToApis.InvalidBaseUri", ErrorCategory.InvalidArgument);
        Assert.Contains("-BaseUri", error.ErrorDetails.RecommendedAction);
    }

    [Fact]
    public void Poll_interval_under_five_seconds_is_refused_for_a_remote_service()
    {
        using var shell = new PowerShellHost();
        Environment.SetEnvironmentVariable("TOAPIS_API_KEY", "sk-never-sent");
        Environment.SetEnvironmentVariable("TOAPIS_BASE_URL", "https://toapis.invalid");

        // No input: the warning comes from choosing the cadence, before any request.
        var result = shell.Run("@() | Wait-ToApisTask -PollIntervalSec 0.5");

        Assert.Contains(result.Warnings, w => w.Message.Contains("polling every 5 s instead"));
    }
}
