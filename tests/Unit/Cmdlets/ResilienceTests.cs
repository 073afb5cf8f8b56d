using System.Management.Automation;
using ToApis.Emulator;
using ToApis.Models;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Cmdlets;

/// <summary>Faults the network and the service really produce, injected by the emulator.</summary>
public sealed class ResilienceTests(Xunit.Abstractions.ITestOutputHelper log)
{
    private readonly Xunit.Abstractions.ITestOutputHelper _log = log;

    /// <summary>
    /// After an ambiguous submit the client looks the task up by client_business_id: a task the server
    /// created is recovered (one POST); only when none exists is the POST sent again. One task either way.
    /// </summary>
    [Theory]
    [InlineData(FaultKind.ResetAfterProcessing, 1)]
    [InlineData(FaultKind.Status500AfterProcessing, 1)]
    [InlineData(FaultKind.MalformedJson, 1)]
    [InlineData(FaultKind.TruncatedBody, 1)]
    [InlineData(FaultKind.ResetBeforeProcessing, 2)]
    [InlineData(FaultKind.Status503, 2)]
    [InlineData(FaultKind.Status502HtmlPage, 2)]
    [InlineData(FaultKind.Status500, 2)]
    public async Task Ambiguous_submit_is_looked_up_before_it_is_sent_again(FaultKind fault, int expectedPosts)
    {
        await using var service = await EmulatedService.StartAsync();
        service.Emulator.Faults.Add(FaultTarget.Submit, fault);

        var result = service.Run("New-ToApisImage 'A lighthouse' -ClientBusinessId 'row-7'");

        Assert.Empty(result.Errors);
        var task = Assert.Single(result.OutputOf<ToApisTask>());
        Assert.Equal("row-7", task.ClientBusinessId);
        Assert.Equal("A lighthouse", task.Prompt);
        Assert.Equal(expectedPosts, service.Submits);
        Assert.Equal(1, service.Emulator.Stats.TasksForClientBusinessId("row-7"));
        Assert.Contains(result.Warnings, w => w.Message.Contains("looking the task up"));
    }

    [Fact]
    public async Task Submit_that_outlives_the_request_timeout_is_recovered_not_resent()
    {
        await using var service = await EmulatedService.StartAsync(connectParameters: EmulatedService.FastRetries + " -TimeoutSec 1");
        service.Emulator.Faults.Delay = TimeSpan.FromSeconds(30);
        service.Emulator.Faults.Add(FaultTarget.Submit, FaultKind.DelayResponse);

        var result = service.Run("New-ToApisImage 'slow answer'");

        Assert.Empty(result.Errors);
        Assert.Single(result.OutputOf<ToApisTask>());
        Assert.Equal(1, service.Submits);
        Assert.Equal(1, service.Emulator.Stats.TasksCreated);
    }

    [Fact]
    public async Task Persistent_server_failure_gives_up_with_what_was_tried_and_nothing_charged()
    {
        await using var service = await EmulatedService.StartAsync();
        service.Emulator.Faults.Add(FaultTarget.Submit, FaultKind.Status500, count: 100);

        var result = service.Run("'first', 'second' | New-ToApisImage");

        Assert.Equal(2, result.Errors.Count);
        var error = ErrorAssert.Is(result.Errors[0], "ToApis.ConnectionFailed", ErrorCategory.ConnectionError);
        // One attempt and -MaximumRetryCount (5) retries, each after a lookup found no task.
        Assert.Contains("failed 6 time", error.Exception.Message);
        Assert.Contains("nothing was charged", error.Exception.Message);
        Assert.Equal("first", ErrorAssert.Target(error));
        Assert.Equal(0, service.Emulator.Stats.TasksCreated);
    }

    [Fact]
    public async Task Submit_limiter_outage_is_waited_out_beyond_the_retry_count()
    {
        await using var service = await EmulatedService.StartAsync(
            o => o.SubmitLimiterUnavailable = true,
            EmulatedService.FastRetries + " -MaximumRetryCount 1");

        using var shell = service.Shell.Start("New-ToApisImage 'p'");
        var running = shell.BeginInvoke();
        // 503 rate_limit_unavailable is an explicit "not accepted": safe to repeat however long the outage lasts.
        Assert.True(SpinWait.SpinUntil(() => service.Emulator.Stats.ServiceUnavailableResponses >= 5, TimeSpan.FromSeconds(60)));
        service.Emulator.Options.SubmitLimiterUnavailable = false;
        var output = shell.EndInvoke(running);

        Assert.Empty(shell.Streams.Error);
        Assert.IsType<ToApisTask>(Assert.Single(output).BaseObject);
        Assert.Equal(1, service.Emulator.Stats.TasksCreated);
        Assert.True(service.Submits >= 6, "more attempts than -MaximumRetryCount 1 allows for other failures");
    }

    [Fact]
    public async Task Rate_limited_submits_are_retried_after_retry_after_and_all_succeed_even_with_no_retries_allowed()
    {
        // Without client-side pacing, ten at once exceed the default tier's 5 per second. A 429 is an explicit
        // "not now": it is retried whatever -MaximumRetryCount says (here: no retry for any other failure).
        await using var service = await EmulatedService.StartAsync(connectParameters: EmulatedService.FastRetries + " -RateTier None -MaximumRetryCount 0");

        var result = service.Run("1..10 | ForEach-Object { \"prompt $_\" } | New-ToApisImage -ThrottleLimit 10");

        Assert.Empty(result.Errors);
        Assert.Equal(10, result.OutputOf<ToApisTask>().Count());
        Assert.Equal(10, service.Emulator.Stats.TasksCreated);
        Assert.True(service.Emulator.Stats.RateLimitedResponses > 0, "the test needs the limit to be hit");
    }

    [Theory]
    [InlineData(FaultKind.Status502HtmlPage)]
    [InlineData(FaultKind.Status503)]
    [InlineData(FaultKind.ResetBeforeProcessing)]
    [InlineData(FaultKind.TruncatedBody)]
    public async Task Polls_survive_transient_failures(FaultKind fault)
    {
        await using var service = await EmulatedService.StartAsync();
        service.Emulator.Faults.Add(FaultTarget.Query, fault, count: 2);

        var result = service.Run($"'a', 'b' | New-ToApisImage | Wait-ToApisTask {EmulatedService.FastPolling}");

        Assert.Empty(result.Errors);
        Assert.Equal(2, result.OutputOf<ToApisTask>().Count());
    }

    [Fact]
    public async Task Verbose_shows_method_url_status_and_latency_but_never_the_key()
    {
        await using var service = await EmulatedService.StartAsync();
        service.Emulator.Faults.Add(FaultTarget.Query, FaultKind.Status503);

        var result = service.Run($"New-ToApisImage 'p' -Verbose | Wait-ToApisTask -Verbose {EmulatedService.FastPolling}");

        var lines = result.Verbose.Select(v => v.Message).ToList();
        Assert.Contains(lines, l => l.StartsWith($"POST {service.Emulator.BaseUri}v1/images/generations -> 200 OK in ") && l.EndsWith(" ms"));
        Assert.Contains(lines, l => l.Contains("-> 503"));
        Assert.Contains(lines, l => l.Contains("retry 1 of 5"));
        var everything = string.Join("\n", lines.Concat(result.Warnings.Select(w => w.Message)).Concat(result.Output.Select(o => o.ToString())));
        Assert.DoesNotContain(service.Emulator.ApiKey, everything);
    }

    /// <summary>
    /// The server creates the task and drops the connection, and every lookup by client_business_id then fails:
    /// the outcome is unknown, and the user is told so (with the id), not "server error, run it again".
    /// </summary>
    [Fact]
    public async Task A_created_then_dropped_submit_whose_lookups_fail_is_reported_as_unknown_and_journaled()
    {
        await using var service = await EmulatedService.StartAsync();
        using var temp = new TempFolder();
        var journal = Path.Combine(temp.Path, "run.jsonl");
        service.Emulator.Faults.Add(FaultTarget.Submit, FaultKind.ResetAfterProcessing);
        service.Emulator.Faults.SetRate(FaultTarget.BusinessIdLookup, FaultKind.Status500, 1.0);

        var result = service.Run($"New-ToApisImage 'A lighthouse' -Journal '{journal}'");

        var error = ErrorAssert.Is(Assert.Single(result.Errors), "ToApis.SubmitOutcomeUnknown", ErrorCategory.ResourceUnavailable);
        var businessId = Assert.Single(service.Emulator.Stats.ClientBusinessIdsCreated);
        Assert.Contains("the task may have been created", error.Exception.Message);
        Assert.Contains($"Get-ToApisTask -Id {businessId}", error.Exception.Message);
        Assert.Contains("-RunKey", error.ErrorDetails.RecommendedAction);
        Assert.Equal(1, service.Submits);
        var events = File.ReadAllLines(journal).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement)
            .Where(l => l.TryGetProperty("client_business_id", out var id) && id.GetString() == businessId).Select(l => l.GetProperty("event").GetString());
        Assert.Equal(new[] { "submitting", "unknown" }, events);
    }

    /// <summary>
    /// Every request answers 500: the breaker stops the command as a whole within seconds and a few requests,
    /// with the default retry settings, instead of each row waiting through its own retries.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Two_hundred_rows_into_a_dead_service_give_up_as_a_whole_within_thirty_requests(bool runKey)
    {
        await using var service = await EmulatedService.StartAsync(o => o.Outage = true, connectParameters: "");
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var result = service.Run(EmulatedService.CsvRows(200) + $"try {{ $rows | New-ToApisImage {(runKey ? "-RunKey 'outage'" : "")} }} catch {{ $_ }}");

        clock.Stop();
        var stats = service.Emulator.Stats;
        var requests = stats.RequestCount(RouteKeys.SubmitGeneration) + stats.RequestCount(RouteKeys.QueryGeneration);
        _log.WriteLine($"outage, 200 rows, default retries, {(runKey ? "-RunKey" : "no run key")}: gave up after {clock.Elapsed.TotalSeconds:0.0} s and {requests} requests");
        var stopped = ErrorAssert.Is(ErrorAssert.Caught(result), "ToApis.ServiceUnavailable", ErrorCategory.ResourceUnavailable);
        Assert.Contains("requests in a row failed", stopped.ErrorDetails.Message);
        Assert.Contains("0 done", stopped.ErrorDetails.Message);
        Assert.Contains("never tried", stopped.ErrorDetails.Message);
        Assert.Contains("same -RunKey", stopped.ErrorDetails.RecommendedAction);
        Assert.InRange(requests, 1, 30);
        Assert.Equal(0, stats.TasksCreated);
        if (!runKey)
        {
            // The one submit sent has an unknown outcome (a 500 may follow a created task): said once, with its id.
            ErrorAssert.Is(Assert.Single(result.Errors), "ToApis.SubmitOutcomeUnknown", ErrorCategory.ResourceUnavailable);
        }
    }

    [Fact]
    public async Task Waiting_on_a_service_that_went_down_stops_as_a_whole_and_a_later_command_tries_again()
    {
        await using var service = await EmulatedService.StartAsync();
        var tasks = service.Run("1..20 | ForEach-Object { \"prompt $_\" } | New-ToApisImage").Output;
        service.Emulator.Options.Outage = true;
        service.Emulator.Stats.Reset();

        var waited = service.Run($"param($tasks) try {{ $tasks | Wait-ToApisTask {EmulatedService.FastPolling} }} catch {{ $_ }}", new System.Collections.Hashtable { ["tasks"] = tasks });

        var stopped = ErrorAssert.Is(ErrorAssert.Caught(waited), "ToApis.ServiceUnavailable", ErrorCategory.ResourceUnavailable);
        Assert.Contains("20 still running on the service", stopped.ErrorDetails.Message);
        Assert.InRange(service.Emulator.Stats.RequestCount(RouteKeys.QueryGeneration), 1, 60);

        service.Emulator.Options.Outage = false;
        var later = service.Run($"param($tasks) $tasks | Get-ToApisTask", new System.Collections.Hashtable { ["tasks"] = tasks });
        Assert.Empty(later.Errors);
        Assert.Equal(20, later.Output.Count);
    }

    /// <summary>An upload answered 200 with a body cut short is sent again (uploads cost nothing), not reported as done.</summary>
    [Fact]
    public async Task An_upload_answered_with_an_unreadable_200_is_sent_again()
    {
        await using var service = await EmulatedService.StartAsync();
        using var temp = new TempFolder();
        var file = temp.Write("ref.png", SampleImages.Png);
        service.Emulator.Faults.Add(FaultTarget.Upload, FaultKind.MalformedJson);

        var result = service.Run($"Send-ToApisFile -LiteralPath '{file}'");

        Assert.Empty(result.Errors);
        Assert.Single(result.Output);
        Assert.Equal(2, service.Emulator.Stats.RequestCount(RouteKeys.UploadImage));
    }

    /// <summary>A 2xx that is valid JSON but no task (a misbehaving gateway) is asked again, like any transient failure.</summary>
    [Fact]
    public async Task A_well_formed_answer_that_is_no_task_is_asked_again()
    {
        await using var service = await EmulatedService.StartAsync();
        var task = Assert.Single(service.Run("New-ToApisImage 'p'").OutputOf<ToApisTask>());
        service.Emulator.Faults.Add(FaultTarget.Query, FaultKind.EmptyJsonObject, count: 2);

        var result = service.Run($"Get-ToApisTask -Id '{task.Id}'");

        Assert.Empty(result.Errors);
        Assert.Equal(task.Id, Assert.Single(result.OutputOf<ToApisTask>()).Id);
        Assert.Equal(3, service.Emulator.Stats.RequestCount(RouteKeys.QueryGeneration));
    }
}
