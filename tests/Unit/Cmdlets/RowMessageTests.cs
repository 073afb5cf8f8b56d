using System.Management.Automation;
using ToApis.Emulator;
using ToApis.Models;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Cmdlets;

/// <summary>Every per-row error and warning says which row it is about, by number and by a name-like column.</summary>
public sealed class RowMessageTests
{
    [Fact]
    public async Task Each_rows_error_names_its_number_and_its_Name_column()
    {
        await using var service = await EmulatedService.StartAsync();

        var result = service.Run("""
            [pscustomobject]@{ Name = 'lighthouse'; Prompt = 'A lighthouse' },
            [pscustomobject]@{ Name = 'empty'; Prompt = '' },
            [pscustomobject]@{ Name = 'fox'; Prompt = ' ' },
            [pscustomobject]@{ Title = 'Whale'; Prompt = 'A whale'; Model = 'gpt-4o-image'; Count = '3' } | New-ToApisImage
            """);

        Assert.Single(result.OutputOf<ToApisTask>());
        Assert.Equal(3, result.Errors.Count);
        Assert.Equal("Row 2 (Name=empty): the prompt is empty.", result.Errors[0].ErrorDetails.Message);
        Assert.Equal("Row 3 (Name=fox): the prompt is empty.", result.Errors[1].ErrorDetails.Message);
        Assert.StartsWith("Row 4 (Title=Whale): count 3 is not allowed for gpt-4o-image: it makes 1, 2 or 4 image(s) per task.", result.Errors[2].ErrorDetails.Message);
        Assert.Contains("Row 2 (Name=empty): the prompt is empty.", result.Errors[0].ToString());
        Assert.All(result.Errors, e => ErrorAssert.Is(e, "ToApis.InvalidParameter", ErrorCategory.InvalidArgument));
        // The row itself is still the TargetObject; the exception names the row too (scripts log $_.Exception.Message),
        // keeps its type for catch-by-type and holds the bare failure as its InnerException.
        Assert.Equal("empty", ((PSObject)result.Errors[0].TargetObject).Properties["Name"].Value);
        var exception = Assert.IsType<ToApis.Client.ToApisValidationException>(result.Errors[0].Exception);
        Assert.Equal("Row 2 (Name=empty): the prompt is empty.", exception.Message);
        Assert.Equal("The prompt is empty.", Assert.IsType<ToApis.Client.ToApisValidationException>(exception.InnerException).Message);
        Assert.Equal("Prompt", exception.Field);
        Assert.NotNull(result.Errors[0].ErrorDetails.RecommendedAction);
    }

    [Fact]
    public async Task The_exceptions_own_message_names_the_row_under_Stop_and_under_Continue()
    {
        await using var service = await EmulatedService.StartAsync(o => o.FailureRate = 1);

        // A runbook under 'Stop': the first bad row ends up in catch, caught by the module's exception type.
        var stopped = service.Run("""
            $ErrorActionPreference = 'Stop'
            try {
                [pscustomobject]@{ Name = 'fine'; Prompt = 'A fox' },
                [pscustomobject]@{ Name = '04-teapot'; Prompt = '' } | New-ToApisImage | Out-Null
                'not reached'
            }
            catch [ToApis.Client.ToApisValidationException] {
                "caught: $($_.Exception.Message) | $($_.FullyQualifiedErrorId) | $($_.TargetObject.Name)"
            }
            """);
        // A run under 'Continue' that collects its errors: New's refusal and Wait's failed task.
        var continued = service.Run($$"""
            $ErrorActionPreference = 'Continue'
            [pscustomobject]@{ Name = 'fox'; Prompt = 'A fox' },
            [pscustomobject]@{ Name = 'empty'; Prompt = '' } |
                New-ToApisImage -ErrorVariable refused |
                Wait-ToApisTask {{EmulatedService.FastPolling}} -ErrorVariable failed | Out-Null
            @($refused) + @($failed) | ForEach-Object { $_.Exception.Message }
            """);

        Assert.Equal(
            "caught: Row 2 (Name=04-teapot): the prompt is empty. | ToApis.InvalidParameter,ToApis.Commands.NewToApisImageCommand | 04-teapot",
            Assert.Single(stopped.OutputOf<string>()));
        var messages = continued.OutputOf<string>().ToList();
        Assert.Equal(2, messages.Count);
        Assert.Equal("Row 2 (Name=empty): the prompt is empty.", messages[0]);
        Assert.StartsWith("Row 1 (Name=fox): task tsk_", messages[1]);
        // Named once: what is shown is the exception's message, not the row prefixed a second time.
        Assert.All(continued.Errors, e => Assert.Equal(e.Exception.Message, e.ErrorDetails.Message));
    }

    [Fact]
    public async Task Wait_names_the_row_New_read_the_task_from_even_after_an_Export_Csv_round_trip()
    {
        await using var service = await EmulatedService.StartAsync(o => o.FailureRate = 1);
        using var folder = new TempFolder();
        var csv = Path.Combine(folder.Path, "tasks.csv");

        var result = service.Run(
            $"@([pscustomobject]@{{ Name = 'bad'; Prompt = '' }}, [pscustomobject]@{{ Name = 'fox'; Prompt = 'a fox' }}) | New-ToApisImage | Export-Csv -LiteralPath '{csv}'; " +
            $"Import-Csv -LiteralPath '{csv}' | Wait-ToApisTask {EmulatedService.FastPolling}");

        var failed = Assert.Single(result.Errors, e => e.FullyQualifiedErrorId.StartsWith("ToApis.TaskFailed,"));
        Assert.StartsWith("Row 2 (Name=fox)", failed.ErrorDetails.Message);
    }

    [Fact]
    public async Task Prompts_without_a_row_are_named_by_number_and_failed_tasks_by_their_row()
    {
        await using var service = await EmulatedService.StartAsync(o => o.FailureRate = 1);

        var empty = service.Run("'a', '', 'c' | New-ToApisImage -WhatIf");
        var failed = service.Run($"[pscustomobject]@{{ Id = 'sku-7'; Prompt = 'A cat' }} | New-ToApisImage | Wait-ToApisTask {EmulatedService.FastPolling}");

        Assert.StartsWith("Row 2: the prompt is empty.", Assert.Single(empty.Errors).ErrorDetails.Message);
        var error = ErrorAssert.Is(Assert.Single(failed.Errors), "ToApis.TaskFailed", ErrorCategory.InvalidResult);
        Assert.StartsWith("Row 1 (Id=sku-7): task tsk_", error.ErrorDetails.Message);
        Assert.Contains(" failed", error.ErrorDetails.Message);
    }

    [Fact]
    public async Task Text_read_with_the_wrong_encoding_is_sent_with_a_warning_that_names_the_row_and_the_fix()
    {
        await using var service = await EmulatedService.StartAsync();
        var csv = Path.Combine(Path.GetTempPath(), $"latin1-{Guid.NewGuid():N}.csv");
        File.WriteAllBytes(csv, System.Text.Encoding.Latin1.GetBytes("Name,Prompt\ncafe,Un caf\u00e9 cr\u00e8me\nplain,A plain prompt\n"));
        try
        {
            var result = service.Run("param($csv) Import-Csv $csv -Encoding utf8 | New-ToApisImage", new System.Collections.Hashtable { ["csv"] = csv });

            Assert.Empty(result.Errors);
            Assert.Equal(2, result.OutputOf<ToApisTask>().Count());
            var warning = Assert.Single(result.Warnings).Message;
            Assert.StartsWith("Row 1 (Name=cafe): ", warning);
            Assert.Contains("U+FFFD", warning);
            Assert.Contains("Import-Csv", warning);
            Assert.Contains("-Encoding", warning);
        }
        finally
        {
            File.Delete(csv);
        }
    }
}
