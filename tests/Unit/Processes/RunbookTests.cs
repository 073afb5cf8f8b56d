using System.Text.RegularExpressions;
using ToApis.Emulator;
using ToApis.Tests.Cmdlets;
using ToApis.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace ToApis.Tests.Processes;

/// <summary>
/// examples/runbook.ps1 run as a scheduler runs it, <c>pwsh -NonInteractive -File</c>, each run on a machine of its
/// own (home, temp and application-data folders): bad rows named and the good ones saved, the exit code, a kill
/// and a restart on a fresh machine with the same run key, and credit running out midway.
/// </summary>
[Collection(nameof(PacingCollection))]
public sealed class RunbookTests(ITestOutputHelper log) : IDisposable
{
    private const int CreditsPerImage = 10;

    private static readonly string Runbook = Path.Combine(ModuleAssembly.RepoRoot(), "examples", "runbook.ps1");

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void The_runbook_documents_itself_and_every_parameter_for_Get_Help()
    {
        using var host = new PowerShellHost();
        var result = host.Run("""
            param($path)
            $help = Get-Help $path -Full
            $help.Synopsis
            @($help.parameters.parameter | Where-Object { -not (($_.description | ForEach-Object Text) -join '') } | ForEach-Object name)
            @($help.examples.example).Count
            """, new System.Collections.Hashtable { ["path"] = Runbook });

        Assert.Empty(result.Errors);
        var output = result.Output.Select(o => o.BaseObject).ToList();
        Assert.StartsWith("Makes one image per row of a CSV file", (string)output[0]);
        Assert.Equal(2, output[^1]); // no parameter without a description came between
        Assert.Equal(2, output.Count);
    }

    [Fact]
    public async Task Bad_rows_are_named_the_good_rows_saved_and_the_exit_code_is_1()
    {
        await using var service = await StartServiceAsync();
        var csv = WriteCsv(
            ("01-fox", "A fox asleep in the snow", ""),
            ("02-empty", "", ""),
            ("03-owl", "An owl on a branch", ""),
            ("04-banned", "A forbidden-content poster", ""),
            ("05-cat", "A cat on a windowsill", "huge"),
            ("06-whale", "A whale at dusk", ""));

        using var run = StartRunbook(service, "machine", csv, "bad-rows");
        var exitCode = run.WaitForExit(TimeSpan.FromMinutes(3));

        var output = string.Join("\n", run.Lines);
        Report("bad rows", exitCode, service, "machine", run);
        Assert.Equal(1, exitCode);
        Assert.Equal(["01-fox.png", "03-owl.png", "06-whale.png"], Images("machine"));
        Assert.Equal(3, service.Emulator.Stats.TasksCreated);
        // Each bad row is named by its own error as it happened and by ToApis.RunIncomplete at the end; the
        // undocumented size is also named by the warning it is sent with (the service then refuses it).
        foreach (var (bad, times) in new[] { ("02-empty", 2), ("04-banned", 2), ("05-cat", 3) })
        {
            Assert.Equal(times, Regex.Matches(output, Regex.Escape($"(Name={bad})")).Count);
        }

        Assert.Contains("did not finish every row: 3 failed and 0 pending of 6", Unwrapped(run));
        Assert.Contains($"{3 * CreditsPerImage} credits", Unwrapped(run));
    }

    [Fact]
    public async Task Clean_rows_exit_0_with_every_image_and_the_cost()
    {
        await using var service = await StartServiceAsync();
        var csv = WriteCsv(Rows(5));

        using var run = StartRunbook(service, "machine", csv, "clean");
        var exitCode = run.WaitForExit(TimeSpan.FromMinutes(3));

        Report("clean", exitCode, service, "machine", run);
        Assert.True(exitCode == 0, string.Join("\n", run.Lines));
        Assert.Equal(Enumerable.Range(1, 5).Select(i => $"row{i:00}.png"), Images("machine"));
        Assert.Equal(5, service.Emulator.Stats.TasksCreated);
        Assert.Contains($"Cost : {5 * CreditsPerImage} credits ($0.25) used by the key during the run", Unwrapped(run));
        // One balance request when the run began, one when it ended.
        Assert.Equal(2, service.Emulator.Stats.RequestCount(RouteKeys.TokenBalance));
    }

    [Fact]
    public async Task Killed_halfway_then_restarted_on_a_fresh_machine_with_the_run_key_pays_for_no_row_twice_and_saves_all()
    {
        const int RowCount = 30;
        await using var service = await StartServiceAsync();
        var csv = WriteCsv(Rows(RowCount));

        using (var killed = StartRunbook(service, "first-machine", csv, "nightly"))
        {
            // Submits are paced at the account's 5 a second: a third of the way through, the run is killed.
            Assert.True(SpinWait.SpinUntil(() => service.Emulator.Stats.TasksCreated >= RowCount / 3 || killed.HasExited, TimeSpan.FromMinutes(2)));
            killed.Kill();
        }

        var paidBeforeTheKill = service.Emulator.Stats.TasksCreated;
        using var restarted = StartRunbook(service, "fresh-machine", csv, "nightly");
        var exitCode = restarted.WaitForExit(TimeSpan.FromMinutes(3));

        var stats = service.Emulator.Stats.Snapshot();
        log.WriteLine($"killed after {paidBeforeTheKill} tasks paid, {Images("first-machine").Count} images saved");
        Report("killed and restarted", exitCode, service, "fresh-machine", restarted);
        Assert.InRange(paidBeforeTheKill, RowCount / 3, RowCount - 1);
        Assert.True(exitCode == 0, string.Join("\n", restarted.Lines));
        Assert.Equal(RowCount, stats.TasksCreated);
        Assert.All(stats.TasksByClientBusinessId.Values, count => Assert.Equal(1, count));
        Assert.Equal(Enumerable.Range(1, RowCount).Select(i => $"row{i:00}.png"), Images("fresh-machine"));
        // The restart found the tasks of the first run by their client_business_id and paid only for the rest.
        var tasks = Regex.Match(Unwrapped(restarted), @"Tasks : (\d+) submitted, (\d+) reused");
        var (paidByRestart, reused) = (int.Parse(tasks.Groups[1].Value), int.Parse(tasks.Groups[2].Value));
        Assert.Equal(RowCount, paidByRestart + reused);
        Assert.InRange(reused, RowCount / 3, RowCount - 1);
        Assert.Contains($"Cost : {paidByRestart * CreditsPerImage} credits", Unwrapped(restarted));
    }

    [Fact]
    public async Task Credit_running_out_midway_still_saves_every_image_paid_for_and_exits_1()
    {
        const int Affordable = 5;
        await using var service = await StartServiceAsync(credits: Affordable * CreditsPerImage);
        var csv = WriteCsv(Rows(12));

        using var run = StartRunbook(service, "machine", csv, "short-of-credit");
        var exitCode = run.WaitForExit(TimeSpan.FromMinutes(3));

        Report("out of credit", exitCode, service, "machine", run);
        Assert.Equal(1, exitCode);
        Assert.Equal(Affordable, service.Emulator.Stats.TasksCreated);
        // Submits run several at a time, so which rows the credit covered depends on their order of arrival:
        // every row that got a task has its image.
        var images = Images("machine");
        Assert.Equal(Affordable, images.Count);
        Assert.All(images, image => Assert.Matches(@"^row(0[1-9]|1[0-2])\.png$", image));
        Assert.Contains("insufficient_quota", Unwrapped(run));
        Assert.Contains($"Cost : {Affordable * CreditsPerImage} credits", Unwrapped(run));
    }

    private static Task<EmulatedService> StartServiceAsync(decimal? credits = null) =>
        EmulatedService.StartAsync(options => options.Credits = credits);

    private static (string Name, string Prompt, string Size)[] Rows(int count) =>
        Enumerable.Range(1, count).Select(i => ($"row{i:00}", $"A lighthouse number {i}", "")).ToArray();

    private string WriteCsv(params (string Name, string Prompt, string Size)[] rows)
    {
        var lines = rows.Select(row => $"{row.Name},\"{row.Prompt}\",{row.Size}").Prepend("Name,Prompt,Size");
        var path = Path.Combine(_temp.Path, "prompts.csv");
        File.WriteAllLines(path, lines);
        return path;
    }

    /// <summary>
    /// The runbook on a machine of its own: home, temp and application-data folders (where run-key locks and learned
    /// paces live) start empty, and the images and the journal go to its own folder, as on a fresh sandbox.
    /// </summary>
    private ModuleHostProcess StartRunbook(EmulatedService service, string machine, string csv, string runKey)
    {
        var home = Path.Combine(_temp.Path, machine);
        var temp = Path.Combine(home, "tmp");
        Directory.CreateDirectory(temp);
        var realHome = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var environment = new Dictionary<string, string>
        {
            ["TOAPIS_BASE_URL"] = service.Emulator.BaseUri.ToString(),
            ["TOAPIS_API_KEY"] = service.Emulator.ApiKey,
            // The runbook imports ToApis by name, as from an installed module: the build's out/ holds it.
            ["PSModulePath"] = Path.GetDirectoryName(ModuleAssembly.ModuleFolder)!,
            ["HOME"] = home,
            ["TMPDIR"] = temp,
            ["TEMP"] = temp,
            ["TMP"] = temp,
            ["XDG_DATA_HOME"] = Path.Combine(home, ".local", "share"),
            ["XDG_CONFIG_HOME"] = Path.Combine(home, ".config"),
            ["XDG_CACHE_HOME"] = Path.Combine(home, ".cache"),
            ["LOCALAPPDATA"] = Path.Combine(home, "AppData", "Local"),
            ["APPDATA"] = Path.Combine(home, "AppData", "Roaming"),
            ["NO_COLOR"] = "1",
            // `dotnet pwsh` itself is a local tool restored into the NuGet cache of the real home.
            ["DOTNET_CLI_HOME"] = Environment.GetEnvironmentVariable("DOTNET_CLI_HOME") ?? realHome,
            ["NUGET_PACKAGES"] = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(realHome, ".nuget", "packages"),
        };
        return ModuleHostProcess.StartPwshFile(
            Runbook, ["-CsvPath", csv, "-OutputPath", Path.Combine(home, "images"), "-RunKey", runKey], environment);
    }

    private List<string> Images(string machine) =>
        _temp.Files(Path.Combine(machine, "images")).Where(file => file.EndsWith(".png", StringComparison.Ordinal)).ToList();

    /// <summary>The output as one text, the console's line wrapping and error-view gutters taken out and spaces single.</summary>
    private static string Unwrapped(ModuleHostProcess run) =>
        Regex.Replace(Regex.Replace(string.Join("\n", run.Lines), @"\n\s*\|", " "), @"\s+", " ");

    private void Report(string what, int exitCode, EmulatedService service, string machine, ModuleHostProcess run)
    {
        var cost = Regex.Match(Unwrapped(run), @"Cost : (.*?) ImagesPerMinute").Groups[1].Value;
        log.WriteLine($"{what}: exit {exitCode}, {Images(machine).Count} images, {service.Emulator.Stats.TasksCreated} tasks paid; cost shown: {cost}");
        log.WriteLine(string.Join("\n", run.Lines));
    }
}
