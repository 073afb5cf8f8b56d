using System.Collections;
using System.Diagnostics;
using System.Globalization;
using ToApis.Emulator;
using ToApis.Tests.Infrastructure;

namespace ToApis.Bench.Measurement;

/// <summary>How long a script waits for the module before its first command: Import-Module, then the first Connect-ToApis.</summary>
internal sealed record StartUpResult(int Runs, IReadOnlyList<double> ImportMs, IReadOnlyList<double> ConnectMs)
{
    /// <summary>Import-Module's goal, in a fresh process, on the machine the bench runs on.</summary>
    public const double ImportGoalMs = 150;

    public double ImportMedianMs => Median(ImportMs);

    public double ConnectMedianMs => Median(ConnectMs);

    public bool GoalMet => ImportMedianMs <= ImportGoalMs;

    private static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN
            : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2]
            : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}

/// <summary>
/// Measures start-up in fresh processes of this program (<c>ToApis.Bench --startup manifest uri key</c>), one
/// after another: each opens a PowerShell runspace without the module, as a pwsh prompt is, then times
/// Import-Module of the manifest and the first Connect-ToApis against an emulator of the parent's.
/// </summary>
internal static class StartUpTime
{
    public const string Flag = "--startup";

    public static async Task<StartUpResult> MeasureAsync(string manifest, int runs)
    {
        await using var emulator = await ToApisEmulator.StartAsync(new EmulatorOptions { TimeScale = 0.001, Seed = 1 });
        var import = new List<double>();
        var connect = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
            {
                start.ArgumentList.Add(typeof(StartUpTime).Assembly.Location);
            }

            foreach (var argument in new[] { Flag, manifest, emulator.BaseUri.ToString(), emulator.ApiKey })
            {
                start.ArgumentList.Add(argument);
            }

            using var child = Process.Start(start)!;
            var output = await child.StandardOutput.ReadToEndAsync();
            await child.WaitForExitAsync();
            var figures = output.Trim().Split(' ');
            if (child.ExitCode != 0 || figures.Length != 2)
            {
                throw new InvalidOperationException($"The start-up measurement failed (exit code {child.ExitCode}): {output}");
            }

            import.Add(double.Parse(figures[0], CultureInfo.InvariantCulture));
            connect.Add(double.Parse(figures[1], CultureInfo.InvariantCulture));
        }

        return new StartUpResult(runs, import, connect);
    }

    /// <summary>The child: prints "importMs connectMs".</summary>
    public static int Run(string manifest, string baseUri, string apiKey)
    {
        using var runspace = System.Management.Automation.Runspaces.RunspaceFactory.CreateRunspace(
            System.Management.Automation.Runspaces.InitialSessionState.CreateDefault2());
        runspace.Open();
        using var shell = System.Management.Automation.PowerShell.Create();
        shell.Runspace = runspace;
        // The engine's own first-command costs are a prompt's, paid before any script runs.
        shell.AddScript("$null = Get-Command Get-Item; [Diagnostics.Stopwatch]::StartNew().Stop()").Invoke();
        shell.Commands.Clear();
        shell.AddScript("""
            param($manifest, $uri, $key)
            $clock = [Diagnostics.Stopwatch]::StartNew()
            Import-Module $manifest
            $import = $clock.Elapsed.TotalMilliseconds
            $clock.Restart()
            Connect-ToApis -BaseUri $uri -ApiKey $key
            $connect = $clock.Elapsed.TotalMilliseconds
            [string]::Format([cultureinfo]::InvariantCulture, '{0:0.0} {1:0.0}', $import, $connect)
            """).AddParameters(new Hashtable { ["manifest"] = manifest, ["uri"] = baseUri, ["key"] = PowerShellHost.Secure(apiKey) });
        var result = shell.Invoke();
        if (shell.HadErrors || result.Count != 1)
        {
            Console.Error.WriteLine(string.Join("\n", shell.Streams.Error));
            return 1;
        }

        Console.WriteLine(result[0]);
        return 0;
    }
}
