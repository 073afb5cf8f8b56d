using System.Management.Automation;
using ToApis.Emulator;
using ToApis.Models;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Cmdlets;

public sealed class DiscoveryTests
{
    [Fact]
    public async Task Models_come_from_the_service_with_their_documented_limits()
    {
        await using var service = await EmulatedService.StartAsync();

        var all = service.Run("Get-ToApisModel");
        var filtered = service.Run("Get-ToApisModel -Name 'gemini-2.5*', 'gpt-4o-image'");

        Assert.Empty(all.Errors);
        var models = all.OutputOf<ToApisModel>().ToList();
        Assert.Contains(models, m => m.Id == "gpt-image-2");
        var gemini = models.Single(m => m.Id == "gemini-2.5-flash-image-official");
        Assert.Equal(3, gemini.MaxReferenceImages);
        Assert.Contains("16:9", gemini.Sizes);
        Assert.NotEmpty(gemini.SupportedEndpointTypes);
        Assert.Equal(
            new[] { "gemini-2.5-flash-image-official", "gemini-2.5-flash-image-preview", "gpt-4o-image" },
            filtered.OutputOf<ToApisModel>().Select(m => m.Id).Order());
        Assert.Equal(2, service.Emulator.Stats.RequestCount(RouteKeys.ListModels));
    }

    [Fact]
    public async Task Balance_reads_the_key_and_the_account()
    {
        await using var service = await EmulatedService.StartAsync(o => o.Credits = 1000);

        var result = service.Run("New-ToApisImage 'p' | Out-Null; Get-ToApisBalance; Get-ToApisBalance -Scope User");

        Assert.Empty(result.Errors);
        var balances = result.OutputOf<ToApisBalance>().ToList();
        Assert.Equal(new[] { "Token", "User" }, balances.Select(b => b.Scope));
        Assert.Equal(990m, balances[0].RemainCredits);
        Assert.Equal(200m, balances[0].CreditsPerUsd);
        Assert.False(balances[0].UnlimitedQuota);
    }

    [Fact]
    public async Task Balance_failure_reported_on_HTTP_200_is_still_an_error()
    {
        await using var service = await EmulatedService.StartAsync(o => o.BalanceEndpointFails = true);

        var result = service.Run("Get-ToApisBalance");

        Assert.Empty(result.Output);
        var error = ErrorAssert.Is(Assert.Single(result.Errors), "ToApis.ServerError", ErrorCategory.ResourceUnavailable);
        Assert.Contains("success:false", error.Exception.Message);
    }

    [Fact]
    public async Task Model_completes_from_the_service_and_size_from_the_chosen_model()
    {
        await using var service = await EmulatedService.StartAsync();

        var models = Complete(service.Shell, "New-ToApisImage -Prompt x -Model gpt-image");
        var sizes = Complete(service.Shell, "New-ToApisImage -Prompt x -Model gpt-4o-image -Size ");
        var defaultSizes = Complete(service.Shell, "New-ToApisImage -Prompt x -Size 21");

        Assert.Contains("gpt-image-2-vip", models);
        Assert.All(models, m => Assert.StartsWith("gpt-image", m));
        Assert.Equal(new[] { "1:1", "2:3", "3:2" }, sizes);
        Assert.Equal(new[] { "21:9" }, defaultSizes);
        // Cached per session: a second completion asks nothing.
        Complete(service.Shell, "New-ToApisImage -Prompt x -Model gem");
        Assert.Equal(1, service.Emulator.Stats.RequestCount(RouteKeys.ListModels));
    }

    [Fact]
    public void Model_completion_falls_back_to_the_documented_list_without_a_session()
    {
        using var shell = new PowerShellHost();

        var models = Complete(shell, "New-ToApisImage -Prompt x -Model doubao");

        Assert.Equal(new[] { "doubao-seedream-4-0", "doubao-seedream-4-5", "doubao-seedream-5-0", "doubao-seedream-5-0-pro" }, models);
    }

    private static List<string> Complete(PowerShellHost shell, string input)
    {
        var result = shell.Run("param($text) (TabExpansion2 -inputScript $text -cursorColumn $text.Length).CompletionMatches | ForEach-Object { $_.CompletionText }",
            new System.Collections.Hashtable { ["text"] = input });
        Assert.Empty(result.Errors);
        return result.Output.Select(o => o.ToString()).ToList();
    }
}
