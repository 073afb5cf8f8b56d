using System.Collections;
using System.Management.Automation;
using ToApis.Emulator;
using ToApis.Models;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Cmdlets;

public sealed class GetAndWaitToApisTaskTests
{
    [Fact]
    public async Task Get_binds_ids_by_value_by_property_name_and_task_objects()
    {
        await using var service = await EmulatedService.StartAsync();

        var result = service.Run("""
            $task = New-ToApisImage 'A whale' -ClientBusinessId 'whale-1'
            Get-ToApisTask -Id $task.Id
            $task.Id | Get-ToApisTask
            [pscustomobject]@{ TaskId = $task.Id } | Get-ToApisTask
            $task | Get-ToApisTask
            Get-ToApisTask 'whale-1'
            """);

        Assert.Empty(result.Errors);
        var tasks = result.OutputOf<ToApisTask>().ToList();
        Assert.Equal(5, tasks.Count);
        Assert.All(tasks, t => Assert.Equal(tasks[0].Id, t.Id));
        // Only a task object carries the prompt (the service does not echo it).
        Assert.Equal("A whale", tasks[3].Prompt);
        Assert.Null(tasks[1].Prompt);
        Assert.Equal("whale-1", tasks[4].ClientBusinessId);
    }

    [Theory]
    [InlineData(EmulatorQuirks.None)]
    [InlineData(EmulatorQuirks.TaskNotExistAs400)]
    [InlineData(EmulatorQuirks.IntegerErrorCodes)]
    public async Task Unknown_task_is_not_found_in_every_documented_form(EmulatorQuirks quirks)
    {
        await using var service = await EmulatedService.StartAsync(o => o.Quirks = quirks);

        var result = service.Run("'tsk_img_missing', 'tsk_img_also missing/x' | Get-ToApisTask");

        Assert.Equal(2, result.Errors.Count);
        var error = ErrorAssert.Is(result.Errors[0], "ToApis.TaskNotFound", ErrorCategory.ObjectNotFound);
        Assert.Equal("tsk_img_missing", ErrorAssert.Target(error));
        // The id is escaped into the path, so a slash cannot reach another route.
        Assert.Equal(2, service.Emulator.Stats.RequestCount(RouteKeys.QueryGeneration));
    }

    [Fact]
    public async Task Another_users_task_is_not_found()
    {
        await using var service = await EmulatedService.StartAsync(o => o.Users["sk-other-user"] = new EmulatorUser("user-2"));

        var result = service.Run("""
            param($uri, $otherKey)
            $mine = New-ToApisImage 'mine'
            Connect-ToApis -BaseUri $uri -ApiKey $otherKey
            Get-ToApisTask -Id $mine.Id
            """, new Hashtable { ["uri"] = service.Emulator.BaseUri.ToString(), ["otherKey"] = PowerShellHost.Secure("sk-other-user") });

        ErrorAssert.Is(Assert.Single(result.Errors), "ToApis.TaskNotFound", ErrorCategory.ObjectNotFound);
    }

    [Theory]
    [InlineData(EmulatorQuirks.None)]
    [InlineData(EmulatorQuirks.SubmittedStatus | EmulatorQuirks.ProcessingStatus)]
    [InlineData(EmulatorQuirks.TopLevelUrlOnly)]
    public async Task Wait_completes_whatever_the_status_vocabulary_and_result_schema(EmulatorQuirks quirks)
    {
        await using var service = await EmulatedService.StartAsync(o => o.Quirks = quirks);

        var result = service.Run($"'one', 'two', 'three' | New-ToApisImage | Wait-ToApisTask {EmulatedService.FastPolling}");

        Assert.Empty(result.Errors);
        var tasks = result.OutputOf<ToApisTask>().ToList();
        Assert.Equal(3, tasks.Count);
        Assert.All(tasks, t => Assert.Single(t.ImageUrls));
        Assert.Equal(new[] { "one", "three", "two" }, tasks.Select(t => t.Prompt).Order());
    }

    [Fact]
    public async Task Wait_accepts_ids_by_value_and_by_property_name()
    {
        await using var service = await EmulatedService.StartAsync();

        var result = service.Run($$"""
            $a = New-ToApisImage 'a'; $b = New-ToApisImage 'b' -ClientBusinessId 'biz-b'
            $a.Id | Wait-ToApisTask {{EmulatedService.FastPolling}}
            [pscustomobject]@{ TaskId = 'biz-b' } | Wait-ToApisTask {{EmulatedService.FastPolling}}
            """);

        Assert.Empty(result.Errors);
        Assert.Equal(2, result.OutputOf<ToApisTask>().Count(t => t.IsCompleted));
    }

    [Fact]
    public async Task Failed_task_is_a_per_task_error_with_the_server_code_and_message()
    {
        await using var service = await EmulatedService.StartAsync(o => o.FailureRate = 1.0);

        var result = service.Run($"'one', 'two' | New-ToApisImage | Wait-ToApisTask {EmulatedService.FastPolling}");

        Assert.Empty(result.Output);
        Assert.Equal(2, result.Errors.Count);
        Assert.All(result.Errors, error =>
        {
            ErrorAssert.Is(error, "ToApis.TaskFailed", ErrorCategory.InvalidResult);
            var task = Assert.IsType<ToApisTask>(ErrorAssert.Target(error));
            Assert.True(task.IsFailed);
            Assert.False(string.IsNullOrEmpty(task.ErrorCode));
            Assert.Contains(task.ErrorCode!, error.Exception.Message);
            Assert.Contains(task.ErrorMessage!, error.Exception.Message);
        });
    }

    [Fact]
    public async Task Task_that_outlives_the_timeout_is_a_timeout_error_and_others_still_arrive()
    {
        await using var service = await EmulatedService.StartAsync(o =>
        {
            o.MinLatency = TimeSpan.FromHours(1);
            o.MaxLatency = TimeSpan.FromHours(1);
        });

        var result = service.Run($"New-ToApisImage 'slow' | Wait-ToApisTask -TimeoutSec 1 {EmulatedService.FastPolling}");

        var error = ErrorAssert.Is(Assert.Single(result.Errors), "ToApis.TaskTimeout", ErrorCategory.OperationTimeout);
        var task = Assert.IsType<ToApisTask>(ErrorAssert.Target(error));
        Assert.Contains($"Wait-ToApisTask -Id {task.Id}", error.ErrorDetails.RecommendedAction);
        Assert.Empty(result.Output);
    }

    [Fact]
    public async Task Wait_emits_a_completed_task_while_input_is_still_arriving()
    {
        // Tasks never finish on their own; the test finishes them by moving the emulator's clock.
        await using var service = await EmulatedService.StartAsync(o =>
        {
            o.MinLatency = TimeSpan.FromHours(1);
            o.MaxLatency = TimeSpan.FromHours(1);
        });
        var emulator = service.Emulator;
        Action finishFirstAndLetItBePolled = () =>
        {
            emulator.Clock.Advance(TimeSpan.FromHours(2));
            var seen = emulator.Stats.RequestCount(RouteKeys.QueryGeneration);
            SpinWait.SpinUntil(() => emulator.Stats.RequestCount(RouteKeys.QueryGeneration) > seen, TimeSpan.FromSeconds(10));
        };
        Action finishTheRest = () => emulator.Clock.Advance(TimeSpan.FromHours(2));

        // The wait emits on the pipeline thread when it next gets input: more input arrives until the finished
        // task is out (at most 20 rows), and only then does the input end.
        var result = service.Run($$"""
            param($finish, $finishTheRest)
            $events = [System.Collections.Generic.List[string]]::new()
            & {
                New-ToApisImage 'first'
                $finish.Invoke()
                for ($n = 1; $n -le 20 -and -not $events.Contains('emitted first'); $n++) {
                    New-ToApisImage "more $n"
                }
                $events.Add('input ended')
                $finishTheRest.Invoke()
            } | Wait-ToApisTask {{EmulatedService.FastPolling}} | ForEach-Object { $events.Add("emitted $($_.Prompt)") }
            $events
            """, new Hashtable { ["finish"] = finishFirstAndLetItBePolled, ["finishTheRest"] = finishTheRest });

        Assert.Empty(result.Errors);
        var events = result.Output.Select(o => o.ToString()).ToList();
        Assert.Equal("emitted first", events[0]);
        Assert.Contains("input ended", events);
        var more = events.Count(e => e.StartsWith("emitted more", StringComparison.Ordinal));
        Assert.InRange(more, 1, 20);
        Assert.Equal(more + 2, events.Count);
    }

    [Fact]
    public async Task Stopping_a_wait_ends_it_at_once()
    {
        await using var service = await EmulatedService.StartAsync(o =>
        {
            o.MinLatency = TimeSpan.FromHours(1);
            o.MaxLatency = TimeSpan.FromHours(1);
        });
        var submitted = service.Run("New-ToApisImage 'never finishes'").OutputOf<ToApisTask>().Single();

        // Ids are looked at at once; the next look is ten minutes away, so ending within seconds means the stop
        // ended the wait itself rather than waiting for the next poll or the timeout.
        using var shell = service.Shell.Start("param($id) Wait-ToApisTask -Id $id -TimeoutSec 3600 -PollIntervalSec 600", new Hashtable { ["id"] = submitted.Id });
        shell.BeginInvoke();
        Assert.True(SpinWait.SpinUntil(() => service.Emulator.Stats.RequestCount(RouteKeys.QueryGeneration) >= 1, TimeSpan.FromSeconds(10)), "the wait never looked at the task");

        shell.StopWithin(TimeSpan.FromSeconds(10));

        Assert.Equal(1, service.Emulator.Stats.RequestCount(RouteKeys.QueryGeneration));
    }
}
