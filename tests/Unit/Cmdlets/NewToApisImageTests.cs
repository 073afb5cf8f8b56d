using System.Collections;
using System.Management.Automation;
using ToApis.Emulator;
using ToApis.Models;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Cmdlets;

public sealed class NewToApisImageTests
{
    private const string CsvRows = """
        $rows = 1..20 | ForEach-Object { [pscustomobject]@{ Name = "row$_"; Prompt = "A lighthouse number $_"; Size = '16:9'; Model = ''; Count = '' } }
        """;

    [Fact]
    public async Task Twenty_csv_rows_complete_with_urls_and_exactly_twenty_submits()
    {
        await using var service = await EmulatedService.StartAsync();

        var result = service.Run(CsvRows + $";\n$rows | New-ToApisImage | Wait-ToApisTask {EmulatedService.FastPolling}");

        Assert.Empty(result.Errors);
        var tasks = result.OutputOf<ToApisTask>().ToList();
        Assert.Equal(20, tasks.Count);
        Assert.All(tasks, task =>
        {
            Assert.Equal("completed", task.Status);
            Assert.NotEmpty(task.ImageUrls);
            Assert.StartsWith(service.Emulator.FilesBaseUri.ToString(), task.ImageUrls[0]);
            Assert.Equal("16:9", task.Size);
            Assert.NotNull(task.ExpiresAt);
        });
        // Each task still carries its row, so later cmdlets can use the other columns.
        var names = tasks.Select(t => ((PSObject)t.InputObject!).Properties["Name"].Value).OrderBy(n => n).ToList();
        Assert.Equal(Enumerable.Range(1, 20).Select(i => $"row{i}").OrderBy(n => n), names);
        // Exactly one task per row; any extra POSTs were 429s, which create nothing and are retried.
        Assert.Equal(20, service.Emulator.Stats.TasksCreated);
        Assert.Equal(20, service.Submits - service.Emulator.Stats.RateLimitedResponses);
    }

    [Fact]
    public async Task Prompts_bind_by_value_and_keep_the_prompt()
    {
        await using var service = await EmulatedService.StartAsync();

        var result = service.Run("'A red fox', 'A blue whale' | New-ToApisImage");

        Assert.Empty(result.Errors);
        var tasks = result.OutputOf<ToApisTask>().ToList();
        Assert.Equal(new[] { "A red fox", "A blue whale" }, tasks.Select(t => t.Prompt));
        Assert.Equal(new[] { "A red fox", "A blue whale" }, tasks.Select(t => t.InputObject));
        Assert.All(tasks, t => Assert.Equal("gemini-2.5-flash-image-official", t.Model));
        Assert.All(tasks, t => Assert.StartsWith("toapis-ps-", t.ClientBusinessId));
        Assert.Equal(2, service.Submits);
    }

    [Fact]
    public async Task WhatIf_submits_nothing()
    {
        await using var service = await EmulatedService.StartAsync();

        var result = service.Run(CsvRows + ";\n$rows | New-ToApisImage -WhatIf");

        Assert.Empty(result.Output);
        Assert.Empty(result.Errors);
        Assert.Equal(0, service.Emulator.Stats.TasksCreated);
        Assert.Equal(0, service.Submits);
    }

    [Theory]
    [InlineData("[pscustomobject]@{ Prompt = '   ' }", "Prompt")]
    [InlineData("[pscustomobject]@{ Name = 'no prompt column' }", "Prompt")]
    [InlineData("[pscustomobject]@{ Prompt = 'p'; Model = 'gpt-4o-image'; Count = '3' }", "Count")]
    [InlineData("[pscustomobject]@{ Prompt = 'p'; Model = 'gpt-4o-imag' }", "Model")]
    [InlineData("[pscustomobject]@{ Prompt = 'p'; ImageUrl = 'C:\\refs\\cat.png' }", "ImageUrl")]
    [InlineData("[pscustomobject]@{ Prompt = 'p'; ImageUrl = 'data:image/png;base64,iVBORw0KGgo=' }", "ImageUrl")]
    [InlineData("[pscustomobject]@{ Prompt = 'p'; Url = @('https://a/1.png','https://a/2.png','https://a/3.png','https://a/4.png') }", "ImageUrl")]
    [InlineData("[pscustomobject]@{ Prompt = 'p'; Count = '2' }", "Count")]
    [InlineData("[pscustomobject]@{ Prompt = ('x' * 1001); Model = 'gpt-4o-image' }", "Prompt")]
    public async Task Bad_rows_get_one_error_each_naming_the_field_and_the_rest_go_on(string badRow, string field)
    {
        await using var service = await EmulatedService.StartAsync();

        var result = service.Run($"$bad = {badRow}; [pscustomobject]@{{ Prompt = 'good one' }}, $bad, [pscustomobject]@{{ Prompt = 'good two' }} | New-ToApisImage");

        var error = ErrorAssert.Is(Assert.Single(result.Errors), "ToApis.InvalidParameter", ErrorCategory.InvalidArgument);
        Assert.Contains(field, error.ErrorDetails.RecommendedAction);
        Assert.IsType<PSCustomObject>(ErrorAssert.Target(error));
        Assert.Equal(new[] { "good one", "good two" }, result.OutputOf<ToApisTask>().Select(t => t.Prompt));
        Assert.Equal(2, service.Submits);
    }

    /// <summary>A CSV cell is text: "abc", "1.5" or "-1" is this row's error naming the value, never dropped, rounded or a binding failure.</summary>
    [Theory]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("-1")]
    public async Task A_count_that_is_not_a_whole_number_is_refused_naming_the_value(string count)
    {
        await using var service = await EmulatedService.StartAsync();

        var result = service.Run(
            $"[pscustomobject]@{{ Prompt = 'empty count'; Count = '' }}, [pscustomobject]@{{ Prompt = 'bad'; Count = '{count}' }}, [pscustomobject]@{{ Prompt = 'one'; Count = '1' }} | New-ToApisImage");

        var error = ErrorAssert.Is(Assert.Single(result.Errors), "ToApis.InvalidParameter", ErrorCategory.InvalidArgument);
        Assert.Contains($"'{count}'", error.Exception.Message);
        Assert.Contains("Count", error.ErrorDetails.RecommendedAction);
        Assert.Equal("bad", ((PSObject)error.TargetObject).Properties["Prompt"].Value);
        Assert.Equal(new[] { "empty count", "one" }, result.OutputOf<ToApisTask>().Select(t => t.Prompt));
        Assert.Equal(2, service.Submits);
    }

    [Theory]
    [InlineData("New-ToApisImage 'p' -SafetySetting @{ category = 'HARM_CATEGORY_HATE_SPEECH' }", "threshold")]
    [InlineData("New-ToApisImage 'p' -ExtraBody @{ n = '1' }", "-Count")]
    [InlineData("New-ToApisImage 'p' -ExtraBody @{ model = 'other' }", "-Model")]
    public async Task Parameters_that_cannot_be_sent_are_refused_before_sending(string script, string advice)
    {
        await using var service = await EmulatedService.StartAsync();

        var result = service.Run(script);

        var error = ErrorAssert.Is(Assert.Single(result.Errors), "ToApis.InvalidParameter", ErrorCategory.InvalidArgument);
        Assert.Contains(advice, error.Exception.Message);
        Assert.Equal(0, service.Submits);
    }

    [Fact]
    public async Task Undocumented_size_warns_and_is_sent()
    {
        await using var service = await EmulatedService.StartAsync();

        var result = service.Run("New-ToApisImage 'p' -Model 'some-new-model' -SkipModelCheck -Size '7:3'; New-ToApisImage 'p' -Size '2:1'");

        Assert.Contains(result.Warnings, w => w.Message.Contains("'2:1' is not documented"));
        Assert.Equal(2, service.Submits);
    }

    /// <summary>Sizes are passed through: a documented 1K (seedream 5.0 pro with layer_decomposition) silently, pixels with a warning.</summary>
    [Theory]
    [InlineData("-Model doubao-seedream-5-0-pro -Size 1K -ExtraBody @{ layer_decomposition = $true }", "1K", null)]
    [InlineData("-Model doubao-seedream-5-0-pro -ExtraBody @{ size = '2K'; layer_decomposition = $true }", "2K", null)]
    [InlineData("-Size 1024x1024", "1024x1024", "not pixels")]
    [InlineData("-Model doubao-seedream-5-0-pro -Size 1920x1080", "1920x1080", "1K and 2K with layer_decomposition")]
    public async Task Sizes_are_sent_as_given_with_at_most_a_warning(string parameters, string size, string? warning)
    {
        await using var service = await EmulatedService.StartAsync();

        var result = service.Run($"New-ToApisImage 'p' {parameters}");

        var body = System.Text.Json.JsonDocument.Parse(Assert.Single(service.Emulator.Stats.SubmitBodies).Json).RootElement;
        Assert.Equal(size, body.GetProperty("size").GetString());
        Assert.DoesNotContain(result.Errors, e => e.FullyQualifiedErrorId.StartsWith("ToApis.InvalidParameter"));
        if (warning is null)
        {
            Assert.Empty(result.Warnings);
            Assert.Empty(result.Errors);
        }
        else
        {
            Assert.Contains(warning, Assert.Single(result.Warnings).Message);
        }
    }

    /// <summary>A model missing from the list Connect-ToApis read is refused with close names; -SkipModelCheck sends it.</summary>
    [Fact]
    public async Task An_unknown_model_is_refused_before_sending_unless_the_check_is_skipped()
    {
        await using var service = await EmulatedService.StartAsync();

        var refused = service.Run("New-ToApisImage 'p' -Model 'doubao-seedream-4.5'");
        var sent = service.Run("New-ToApisImage 'p' -Model 'doubao-seedream-4.5' -SkipModelCheck");

        var error = ErrorAssert.Is(Assert.Single(refused.Errors), "ToApis.InvalidParameter", ErrorCategory.InvalidArgument);
        Assert.Contains("Did you mean doubao-seedream-4-5", error.Exception.Message);
        Assert.Contains("-SkipModelCheck", error.Exception.Message);
        ErrorAssert.Is(Assert.Single(sent.Errors), "ToApis.InvalidRequest", ErrorCategory.InvalidArgument);
        Assert.Equal(1, service.Submits);
    }

    /// <summary>The caller's metadata client_business_id is the task's id: the task is found by it, and no other id is sent.</summary>
    [Fact]
    public async Task A_client_business_id_in_metadata_finds_the_task()
    {
        await using var service = await EmulatedService.StartAsync();

        var result = service.Run("New-ToApisImage 'p' -Metadata @{ client_business_id = 'order-77' } | Out-Null; Get-ToApisTask -Id 'order-77'");

        Assert.Empty(result.Errors);
        Assert.Equal("order-77", Assert.Single(result.OutputOf<ToApisTask>()).ClientBusinessId);
        var body = System.Text.Json.JsonDocument.Parse(Assert.Single(service.Emulator.Stats.SubmitBodies).Json).RootElement;
        Assert.Equal("order-77", body.GetProperty("client_business_id").GetString());
        Assert.Equal("order-77", body.GetProperty("metadata").GetProperty("client_business_id").GetString());
    }

    [Fact]
    public async Task The_edit_model_sends_its_documented_body_and_names_what_its_route_does_not_take()
    {
        await using var service = await EmulatedService.StartAsync();

        var result = service.Run("New-ToApisImage 'p' -Model grok-imagine-1.0-edit -ImageUrl 'https://images.example/a.png' -Count 2 -Size 16:9");

        Assert.Contains("-Size '16:9'", Assert.Single(result.Warnings).Message);
        var submitted = Assert.Single(service.Emulator.Stats.SubmitBodies);
        Assert.Equal("/v1/images/edits", submitted.Path);
        var body = System.Text.Json.JsonDocument.Parse(submitted.Json).RootElement;
        Assert.Equal(
            new[] { "client_business_id", "image_urls", "model", "n", "prompt", "size" },
            body.EnumerateObject().Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal));
        Assert.Single(result.OutputOf<ToApisTask>());
    }

    [Fact]
    public async Task Reference_images_are_sent_as_a_list_of_url_strings()
    {
        await using var service = await EmulatedService.StartAsync();

        var result = service.Run("New-ToApisImage 'p' -Model gpt-image-2 -ExtraBody @{ reference_images = 'https://images.example/a.png' }");

        Assert.Empty(result.Errors);
        Assert.Empty(result.Warnings);
        var body = System.Text.Json.JsonDocument.Parse(Assert.Single(service.Emulator.Stats.SubmitBodies).Json).RootElement;
        Assert.Equal(new[] { "https://images.example/a.png" }, body.GetProperty("reference_images").EnumerateArray().Select(u => u.GetString()));
    }

    [Fact]
    public async Task Metadata_parameters_and_extra_fields_reach_the_service()
    {
        await using var service = await EmulatedService.StartAsync();

        var result = service.Run("""
            New-ToApisImage 'p' -Temperature 0.4 -TopP 0.9 -MaxOutputTokens 1000 -PersonGeneration ALLOW_NONE `
                -OutputMimeType image/png -CompressionQuality 80 -SafetySetting @{ category = 'HARM_CATEGORY_HATE_SPEECH'; threshold = 'BLOCK_NONE' } `
                -Metadata @{ custom = @{ nested = 1 } } -ClientBusinessId 'order-42' | Wait-ToApisTask -PollIntervalSec 0.02
            """);

        Assert.Empty(result.Errors);
        var task = Assert.Single(result.OutputOf<ToApisTask>());
        Assert.Equal("order-42", task.ClientBusinessId);
        Assert.Equal(1, service.Emulator.Stats.TasksForClientBusinessId("order-42"));
    }

    [Fact]
    public async Task Server_validation_error_is_per_row_with_the_server_message()
    {
        await using var service = await EmulatedService.StartAsync();

        var result = service.Run("'first', 'second' | New-ToApisImage -Model 'no-such-model' -SkipModelCheck; New-ToApisImage 'third'");

        Assert.Equal(2, result.Errors.Count);
        var error = ErrorAssert.Is(result.Errors[0], "ToApis.InvalidRequest", ErrorCategory.InvalidArgument);
        Assert.Equal("first", ErrorAssert.Target(error));
        Assert.Contains("HTTP 400", error.Exception.Message);
        Assert.Single(result.OutputOf<ToApisTask>());
    }

    [Fact]
    public async Task Content_policy_rejection_is_per_row()
    {
        await using var service = await EmulatedService.StartAsync();

        var result = service.Run("'fine', 'this has forbidden-content in it', 'also fine' | New-ToApisImage");

        var error = ErrorAssert.Is(Assert.Single(result.Errors), "ToApis.ContentPolicyViolation", ErrorCategory.SecurityError);
        Assert.Equal("this has forbidden-content in it", ErrorAssert.Target(error));
        Assert.Equal(2, result.OutputOf<ToApisTask>().Count());
    }

    [Fact]
    public async Task One_client_business_id_names_one_task_a_different_request_under_it_is_refused_before_sending()
    {
        await using var service = await EmulatedService.StartAsync();

        var result = service.Run(
            "@([pscustomobject]@{ Prompt = 'a cat'; ClientBusinessId = 'pet-0001'; Name = 'cat' }, " +
            "[pscustomobject]@{ Prompt = 'a dog'; ClientBusinessId = 'pet-0001'; Name = 'dog' }, " +
            "[pscustomobject]@{ Prompt = 'a cat'; ClientBusinessId = 'pet-0001'; Name = 'cat again' }) | New-ToApisImage");

        Assert.Single(result.OutputOf<ToApisTask>());
        var error = ErrorAssert.Is(Assert.Single(result.Errors), "ToApis.DuplicateClientBusinessId", ErrorCategory.InvalidData);
        Assert.StartsWith("Row 2 (Name=dog)", error.ErrorDetails.Message);
        Assert.Contains("row 1", error.ErrorDetails.Message);
        Assert.Contains(result.Warnings, w => w.Message.StartsWith("Row 3 (Name=cat again)") && w.Message.Contains("reuses"));
        Assert.Equal(1, service.Submits);
    }

    [Fact]
    public async Task Empty_balance_stops_submitting_once_instead_of_failing_every_row()
    {
        await using var service = await EmulatedService.StartAsync(o => { o.Credits = 10; o.CreditsPerImage = 10; });

        var result = service.Run("try { 'one', 'two', 'three', 'four' | New-ToApisImage } catch { $_ }");

        Assert.Single(result.OutputOf<ToApisTask>());
        var error = ErrorAssert.Is(Assert.Single(result.Errors), "ToApis.InsufficientQuota", ErrorCategory.QuotaExceeded);
        Assert.Equal("two", ErrorAssert.Target(error));
        Assert.Contains("3 row(s) from this one on were not submitted", error.ErrorDetails.Message);
        Assert.StartsWith("Row 2", error.ErrorDetails.Message);
        Assert.Empty(result.OutputOf<ErrorRecord>());
        Assert.Equal(1, service.Emulator.Stats.TasksCreated);
    }

    [Fact]
    public async Task Running_out_of_credit_mid_run_still_delivers_every_task_already_paid_for()
    {
        await using var service = await EmulatedService.StartAsync(o => { o.Credits = 50; o.CreditsPerImage = 10; });
        using var folder = new TempFolder();

        var result = service.Run(
            $"param($out) 1..12 | ForEach-Object {{ \"p$_\" }} | New-ToApisImage | Wait-ToApisTask {EmulatedService.FastPolling} | Save-ToApisImage -Path $out",
            new Hashtable { ["out"] = folder.Path });

        Assert.Equal(5, service.Emulator.Stats.TasksCreated);
        Assert.Equal(5, Directory.GetFiles(folder.Path).Length);
        Assert.Equal(5, result.Output.Count);
        var error = ErrorAssert.Is(Assert.Single(result.Errors), "ToApis.InsufficientQuota", ErrorCategory.QuotaExceeded);
        Assert.Contains("7 row(s) from this one on were not submitted", error.ErrorDetails.Message);
        Assert.Contains("same -RunKey", error.ErrorDetails.RecommendedAction);
    }

    [Theory]
    [InlineData(EmulatorQuirks.None)]
    [InlineData(EmulatorQuirks.IntegerErrorCodes)]
    public async Task Wrong_key_ends_the_command_with_an_authentication_error(EmulatorQuirks quirks)
    {
        await using var service = await EmulatedService.StartAsync(o => o.Quirks = quirks);
        service.Shell.Connect(service.Emulator.BaseUri, "sk-wrong-key", "-SkipValidation");

        var result = service.Run("try { 'one', 'two' | New-ToApisImage } catch { $_ }");

        var error = ErrorAssert.Is(ErrorAssert.Caught(result), "ToApis.Unauthorized", ErrorCategory.AuthenticationError);
        Assert.Contains("HTTP 401", error.Exception.Message);
        Assert.DoesNotContain("sk-wrong-key", error.ToString());
        Assert.Equal(1, service.Submits);
    }
}
