using System.Collections;
using System.Management.Automation;
using ToApis.Client.RateLimiting;
using ToApis.Emulator;
using ToApis.Models;
using ToApis.Tests.Infrastructure;
using Xunit;
using RateTier = ToApis.Emulator.RateTier;

namespace ToApis.Tests.Cmdlets;

/// <summary>Pacing read from the service, remembered per account, quiet when right, and 429s that never fail a row.</summary>
[Collection(nameof(PacingCollection))]
public sealed class LearnedPacingTests
{
    private static EmulatorOptions Account(RateTier tier, double scale = 1) => new()
    {
        TimeScale = 0.001,
        Seed = 7,
        Users = { [EmulatorOptions.DefaultApiKey] = new EmulatorUser(EmulatorOptions.DefaultUserId, tier, scale) },
    };

    private static PSObject Connect(PowerShellHost shell, ToApisEmulator emulator, string parameters = "") =>
        shell.Run("param($uri, $key) Connect-ToApis -BaseUri $uri -ApiKey $key -RetryIntervalSec 0.01 -PassThru " + parameters,
            new Hashtable { ["uri"] = emulator.BaseUri.ToString(), ["key"] = PowerShellHost.Secure(emulator.ApiKey) }).Output.Single();

    [Fact]
    public async Task An_untold_session_reads_a_faster_account_s_limit_quietly_and_the_next_run_starts_there()
    {
        await using var emulator = await ToApisEmulator.StartAsync(Account(RateTier.Default, scale: 4)); // 20 submits a second
        using (var first = new PowerShellHost())
        {
            var session = Connect(first, emulator);
            Assert.False((bool)session.Properties["RateLimitsPinned"].Value);

            var run = first.Run("1..60 | ForEach-Object { \"prompt $_\" } | New-ToApisImage -Verbose");

            Assert.Empty(run.Errors);
            Assert.Empty(run.Warnings);
            Assert.Equal(60, run.OutputOf<ToApisTask>().Count());
            Assert.Contains(run.Verbose, v => v.Message.StartsWith("Submit pace starts at the documented default, 5 per second"));
            Assert.Contains(run.Verbose, v => v.Message.StartsWith("Submit pace raised from 4.85 to 19.4 per second: the service reports a limit of 20 per second"));
            Assert.Equal(20.0, session.Properties["SubmitRateLimit"].Value);
            first.Run("Disconnect-ToApis"); // the last user of the account writes what it learned
        }

        var memory = File.ReadAllText(LearnedPaceFile.ForCurrentUser()!.Path);
        Assert.Contains(LearnedPaceFile.AccountId(emulator.BaseUri, emulator.ApiKey), memory);
        Assert.DoesNotContain(emulator.ApiKey, memory);

        using var next = new PowerShellHost();
        var nextSession = Connect(next, emulator);
        var rerun = next.Run("New-ToApisImage 'one more' -Verbose");

        Assert.Empty(rerun.Errors);
        Assert.Contains(rerun.Verbose, v => v.Message.StartsWith("Submit pace starts at 20 per second, the account's limit a run found"));
        Assert.Equal(20.0, nextSession.Properties["SubmitRateLimit"].Value);
        Assert.Equal(0, emulator.Stats.RateLimitedResponses);
    }

    [Theory]
    [InlineData(RateTier.Svip, "-RateTier Svip")] // the service's header says 33, the tier 33.3: agreement
    [InlineData(RateTier.Vip, "-RateTier Vip")]
    [InlineData(RateTier.Default, "")]
    public async Task A_right_configuration_runs_without_a_warning(RateTier tier, string parameters)
    {
        await using var emulator = await ToApisEmulator.StartAsync(Account(tier));
        using var shell = new PowerShellHost();
        Connect(shell, emulator, parameters);

        var result = shell.Run($"1..40 | ForEach-Object {{ \"prompt $_\" }} | New-ToApisImage | Wait-ToApisTask {EmulatedService.FastPolling}");

        Assert.Empty(result.Errors);
        Assert.Empty(result.Warnings);
        Assert.Equal(40, result.OutputOf<ToApisTask>().Count());
    }
}
