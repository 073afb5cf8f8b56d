using System.Diagnostics;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using ToApis.Emulator;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests;

/// <summary>ToApis must load beside modules that bring their own versions of common assemblies.</summary>
public sealed class DependencyIsolationTests
{
    /// <summary>PowerShell 7.4 runs on .NET 8: nothing in the net8.0 build may need a newer framework assembly.</summary>
    private static readonly Version NewestFrameworkAssemblyOfPowerShell74 = new(8, 0, 0, 0);

    [Fact]
    public void Net8_build_references_nothing_newer_than_PowerShell_7_4_ships_and_ships_no_System_Text_Json()
    {
        var shipped = Directory.GetFiles(ModuleAssembly.CoreBinFolder, "*.dll");
        Assert.DoesNotContain(shipped, f => Path.GetFileName(f) == "System.Text.Json.dll");
        Assert.Contains(shipped, f => Path.GetFileName(f) == "Polly.Core.dll");

        var tooNew = new List<string>();
        foreach (var file in shipped)
        {
            using var stream = File.OpenRead(file);
            using var pe = new PEReader(stream);
            var metadata = pe.GetMetadataReader();
            foreach (var handle in metadata.AssemblyReferences)
            {
                var reference = metadata.GetAssemblyReference(handle);
                var name = metadata.GetString(reference.Name);
                if ((name.StartsWith("System.", StringComparison.Ordinal) || name.StartsWith("Microsoft.", StringComparison.Ordinal) || name is "netstandard" or "System")
                    && name != "System.Management.Automation"
                    && reference.Version > NewestFrameworkAssemblyOfPowerShell74)
                {
                    tooNew.Add($"{Path.GetFileName(file)} -> {name} {reference.Version}");
                }
            }
        }

        Assert.Empty(tooNew);
    }

    [Fact]
    public async Task Pipeline_works_when_other_versions_of_its_dependencies_were_loaded_first_and_keeps_its_own()
    {
        await using var emulator = await ToApisEmulator.StartAsync(new EmulatorOptions { TimeScale = 0.001 });
        var host = Path.Combine(TestBuildFolder("ModuleHost"), "ToApis.ModuleHost.dll");
        var conflicts = Path.Combine(TestBuildFolder("ModuleHost"), "conflicts");

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

    /// <summary>The output folder of a sibling test project built in the same configuration as this one.</summary>
    private static string TestBuildFolder(string project)
    {
        // …/tests/Unit/bin/<Configuration>/<framework>/
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent!;
        return Path.Combine(ModuleAssembly.RepoRoot(), "tests", project, "bin", configuration.Name, framework.Name);
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
