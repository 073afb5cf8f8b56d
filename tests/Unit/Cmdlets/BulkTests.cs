using System.Collections;
using System.Management.Automation;
using ToApis.Emulator;
using ToApis.Models;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Cmdlets;

/// <summary>Many rows at the speed the account allows: pacing, concurrency, order and progress.</summary>
[Collection(nameof(PacingCollection))]
public sealed class BulkTests
{
    [Fact]
    public async Task Client_side_pacing_provokes_no_429()
    {
        await using var service = await EmulatedService.StartAsync();

        // Twelve rows are more than the default tier's burst of five: only pacing avoids 429s.
        var result = service.Run($"1..12 | ForEach-Object {{ \"prompt $_\" }} | New-ToApisImage | Wait-ToApisTask {EmulatedService.FastPolling}");

        Assert.Empty(result.Errors);
        Assert.Equal(12, result.OutputOf<ToApisTask>().Count());
        Assert.Equal(0, service.Emulator.Stats.RateLimitedResponses);
        Assert.Equal(12, service.Submits);
    }

    [Fact]
    public async Task Runspaces_sharing_a_key_share_its_budget()
    {
        await using var service = await EmulatedService.StartAsync();
        using var second = new PowerShellHost();
        second.Connect(service.Emulator.BaseUri, service.Emulator.ApiKey);
        const string Script = "1..8 | ForEach-Object { \"prompt $_\" } | New-ToApisImage";

        using var first = service.Shell.Start(Script);
        using var other = second.Start(Script);
        var running = new[] { first.BeginInvoke(), other.BeginInvoke() };
        var outputs = new[] { first.EndInvoke(running[0]), other.EndInvoke(running[1]) };

        Assert.All(outputs, output => Assert.Equal(8, output.Count));
        Assert.Equal(16, service.Emulator.Stats.TasksCreated);
        Assert.Equal(0, service.Emulator.Stats.RateLimitedResponses);
    }

    [Fact]
    public async Task A_tier_above_the_account_is_corrected_by_the_server_headers()
    {
        await using var service = await EmulatedService.StartAsync(connectParameters: EmulatedService.FastRetries + " -RateTier Svip");

        var result = service.Run("1..12 | ForEach-Object { \"prompt $_\" } | New-ToApisImage");

        Assert.Empty(result.Errors);
        Assert.Contains(result.Warnings, w => w.Message.Contains("submit limit of 5 per second"));
        Assert.Equal(12, service.Emulator.Stats.TasksCreated);
        Assert.Equal(0, service.Emulator.Stats.RateLimitedResponses);
    }

    [Fact]
    public async Task Tasks_come_out_in_input_order_even_when_submits_finish_out_of_order()
    {
        await using var service = await EmulatedService.StartAsync();
        service.Emulator.Faults.Delay = TimeSpan.FromMilliseconds(300);
        // The first submit goes alone (recovered through a lookup); of the five sent together next, the one
        // that reaches the server first is answered last, so completions are out of input order.
        service.Emulator.Faults.Add(FaultTarget.Submit, FaultKind.MalformedJson);
        service.Emulator.Faults.Add(FaultTarget.Submit, FaultKind.DelayResponse);

        var result = service.Run("'one', 'two', 'three', 'four', 'five', 'six' | New-ToApisImage");

        Assert.Empty(result.Errors);
        Assert.Equal(new[] { "one", "two", "three", "four", "five", "six" }, result.OutputOf<ToApisTask>().Select(t => t.Prompt));
        Assert.Equal(1, service.Emulator.Stats.FaultsInjected(FaultKind.DelayResponse));
    }

    [Fact]
    public async Task Progress_reports_submits_and_waits_and_closes_its_bars()
    {
        await using var service = await EmulatedService.StartAsync();

        var shown = service.Run($"'one', 'two', 'three' | New-ToApisImage | Wait-ToApisTask {EmulatedService.FastPolling}");
        var silenced = service.Run($"$ProgressPreference = 'SilentlyContinue'; 'four' | New-ToApisImage | Wait-ToApisTask {EmulatedService.FastPolling}");

        Assert.Contains(shown.Progress, p => p.ActivityId == 1 && p.StatusDescription.Contains("submitted"));
        Assert.Contains(shown.Progress, p => p.ActivityId == 2 && p.StatusDescription.Contains("completed") && p.StatusDescription.Contains("pending"));
        Assert.Equal(ProgressRecordType.Completed, shown.Progress.Last(p => p.ActivityId == 1).RecordType);
        Assert.Equal(ProgressRecordType.Completed, shown.Progress.Last(p => p.ActivityId == 2).RecordType);
        Assert.Empty(silenced.Progress);
    }

    [Fact]
    public async Task Session_shows_its_pacing()
    {
        await using var service = await EmulatedService.StartAsync();

        var session = service.Run("param($uri, $key) Connect-ToApis -BaseUri $uri -ApiKey $key -RateTier Vip -QueryRateLimit 20 -PassThru",
            new Hashtable { ["uri"] = service.Emulator.BaseUri.ToString(), ["key"] = PowerShellHost.Secure(service.Emulator.ApiKey) }).Output.Single();

        Assert.Equal(16.7, session.Properties["SubmitRateLimit"].Value);
        Assert.Equal(20.0, session.Properties["QueryRateLimit"].Value);
    }
}
