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
        // One more: Connect-ToApis checked the key with the same list.
        Assert.Equal(3, service.Emulator.Stats.RequestCount(RouteKeys.ListModels));
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

    [Fact]
    public async Task A_model_name_that_matches_nothing_is_an_error_with_suggestions_and_a_pattern_is_not()
    {
        await using var service = await EmulatedService.StartAsync();

        var result = service.Run("Get-ToApisModel -Name nope, 'gpt-image', 'gpt-image-2', 'zz*'");

        Assert.Equal(["gpt-image-2"], result.OutputOf<ToApisModel>().Select(m => m.Id));
        Assert.Equal(2, result.Errors.Count);
        var nope = ErrorAssert.Is(result.Errors[0], "ToApis.ModelNotFound", ErrorCategory.ObjectNotFound);
        Assert.Equal("nope", nope.TargetObject);
        Assert.Contains("'nope'", nope.Exception.Message);
        Assert.Contains("gpt-image-2-vip", ErrorAssert.Is(result.Errors[1], "ToApis.ModelNotFound", ErrorCategory.ObjectNotFound).ErrorDetails.RecommendedAction);
    }

    /// <summary>
    /// A service that accepts connections and never answers: each Tab must still answer at once, from the documented
    /// list, and the Tabs after the first must not ask again while that request is out.
    /// </summary>
    [Fact]
    public async Task Model_completion_against_a_service_that_never_answers_falls_back_at_once_and_asks_once()
    {
        using var blackHole = new Loopback.SilentServer();
        using var shell = new PowerShellHost();
        shell.Run($"Connect-ToApis -BaseUri http://127.0.0.1:{blackHole.Port} -ApiKey 'sk-test-key-0000' -SkipValidation");

        var first = System.Diagnostics.Stopwatch.StartNew();
        var models = Complete(shell, "New-ToApisImage -Prompt x -Model doubao");
        first.Stop();
        var second = System.Diagnostics.Stopwatch.StartNew();
        var again = Complete(shell, "New-ToApisImage -Prompt x -Model gpt");
        second.Stop();

        Assert.Equal(new[] { "doubao-seedream-4-0", "doubao-seedream-4-5", "doubao-seedream-5-0", "doubao-seedream-5-0-pro" }, models);
        Assert.Contains("gpt-image-2", again);
        // Generous bounds against a loaded machine: the budget is 0.8 s, and the second Tab waits for nothing.
        Assert.True(first.Elapsed < TimeSpan.FromSeconds(2.5), $"first Tab took {first.Elapsed}");
        Assert.True(second.Elapsed < TimeSpan.FromSeconds(2.5), $"second Tab took {second.Elapsed}");
        Assert.Equal(1, blackHole.Connections);
        Assert.Equal(1, Session(shell).ImageModels.FetchesStarted);
    }

    [Fact]
    public void Model_completion_remembers_a_failed_lookup_and_does_not_ask_again_for_a_while()
    {
        using var shell = new PowerShellHost();
        shell.Run($"Connect-ToApis -BaseUri http://127.0.0.1:{Loopback.ClosedPort()} -ApiKey 'sk-test-key-0000' -SkipValidation -MaximumRetryCount 0");

        var first = Complete(shell, "New-ToApisImage -Prompt x -Model vidu");
        var second = Complete(shell, "New-ToApisImage -Prompt x -Model vidu");

        Assert.Equal(["vidu-image", "viduq2-fast", "viduq2-pro", "viduq3-fast"], first.Order());
        Assert.Equal(first, second);
        Assert.Equal(1, Session(shell).ImageModels.FetchesStarted);
    }

    [Fact]
    public void Model_id_cache_asks_again_once_the_failure_is_old_and_keeps_a_list_it_got()
    {
        var now = DateTimeOffset.UtcNow;
        var calls = 0;
        var fail = true;
        var cache = new ToApis.Session.ModelIdCache(
            _ =>
            {
                calls++;
                return fail ? Task.FromException<IReadOnlyList<string>>(new HttpRequestException("offline")) : Task.FromResult<IReadOnlyList<string>>(["m1"]);
            },
            () => now);

        Assert.Null(cache.Get(TimeSpan.FromSeconds(5)));
        Assert.Null(cache.Get(TimeSpan.FromSeconds(5)));
        now += ToApis.Session.ModelIdCache.FailureMemory;
        fail = false;
        Assert.Equal(["m1"], cache.Get(TimeSpan.FromSeconds(5))!);
        Assert.Equal(["m1"], cache.Get(TimeSpan.FromSeconds(5))!);

        Assert.Equal(2, calls);
        Assert.Equal(2, cache.FetchesStarted);
    }

    private static ToApis.Session.ToApisSession Session(PowerShellHost shell) =>
        shell.Run("Get-ToApisSession").OutputOf<ToApis.Session.ToApisSession>().Single();

    private static List<string> Complete(PowerShellHost shell, string input)
    {
        var result = shell.Run("param($text) (TabExpansion2 -inputScript $text -cursorColumn $text.Length).CompletionMatches | ForEach-Object { $_.CompletionText }",
            new System.Collections.Hashtable { ["text"] = input });
        Assert.Empty(result.Errors);
        return result.Output.Select(o => o.ToString()).ToList();
    }
}
