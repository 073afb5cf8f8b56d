using System.Diagnostics;
using ToApis.Emulator;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Loading;

/// <summary>ToApis must load beside modules that bring their own versions of common assemblies.</summary>
public sealed class DependencyIsolationTests
{
    [Fact]
    public async Task Pipeline_works_when_other_versions_of_its_dependencies_were_loaded_first_and_keeps_its_own()
    {
        await using var emulator = await ToApisEmulator.StartAsync(new EmulatorOptions { TimeScale = 0.001 });
        var host = Path.Combine(ModuleHostProcess.BuildFolder("ModuleHost"), "ToApis.ModuleHost.dll");
        var conflicts = Path.Combine(ModuleHostProcess.BuildFolder("ModuleHost"), "conflicts");

        var (exitCode, output) = await RunAsync(
            "dotnet", host, ModuleAssembly.ManifestPath, emulator.BaseUri.ToString(), emulator.ApiKey,
            Path.Combine(conflicts, "Polly.Core.dll"));

        Assert.True(exitCode == 0, output);
        Assert.Contains("preloaded Polly.Core 8.4.2", output);
        Assert.Equal(2, output.Split('\n').Count(l => l.StartsWith("completed tsk_img_", StringComparison.Ordinal)));
        // Both copies live side by side: the other module's in the default context, ours in the module's.
        Assert.Contains(output.Split('\n'), l => l.StartsWith("Polly.Core 8.0.0.0 8.4.2", StringComparison.Ordinal) && l.Contains("in context Default"));
        Assert.Contains(output.Split('\n'), l => l.StartsWith("Polly.Core 8.0.0.0 8.9.1", StringComparison.Ordinal) && l.Contains("in context ToApis"));
        Assert.DoesNotContain(emulator.ApiKey, output);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }
}
