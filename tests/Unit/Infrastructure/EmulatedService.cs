using ToApis.Emulator;

namespace ToApis.Tests.Infrastructure;

/// <summary>An in-process emulator on loopback port 0 plus a PowerShell runspace connected to it.</summary>
public sealed class EmulatedService : IAsyncDisposable
{
    /// <summary>Retries wait milliseconds, not seconds, so fault tests stay fast; the rules are the same.</summary>
    public const string FastRetries = "-RetryIntervalSec 0.01";

    /// <summary>Polls every 20-40 ms: allowed only because the emulator is on this machine.</summary>
    public const string FastPolling = "-PollIntervalSec 0.02";

    /// <summary>Script that sets $rows to <paramref name="count"/> CSV-shaped rows (string Name and Prompt, as Import-Csv makes).</summary>
    public static string CsvRows(int count) =>
        $"$rows = 1..{count} | ForEach-Object {{ [pscustomobject]@{{ Name = \"row$_\"; Prompt = \"A lighthouse number $_\" }} }}\n";

    private EmulatedService(ToApisEmulator emulator, PowerShellHost shell)
    {
        Emulator = emulator;
        Shell = shell;
    }

    public ToApisEmulator Emulator { get; }

    public PowerShellHost Shell { get; }

    public static async Task<EmulatedService> StartAsync(Action<EmulatorOptions>? configure = null, string connectParameters = FastRetries)
    {
        var options = new EmulatorOptions
        {
            // Documented latencies of 5-30 s become 5-30 ms.
            TimeScale = 0.001,
            Seed = 7,
        };
        configure?.Invoke(options);
        var emulator = await ToApisEmulator.StartAsync(options);
        var shell = new PowerShellHost();
        shell.Connect(emulator.BaseUri, emulator.ApiKey, connectParameters);
        return new EmulatedService(emulator, shell);
    }

    public ScriptResult Run(string script, System.Collections.IDictionary? parameters = null) => Shell.Run(script, parameters);

    public int Submits => Emulator.Stats.RequestCount(RouteKeys.SubmitGeneration);

    public async ValueTask DisposeAsync()
    {
        Shell.Dispose();
        await Emulator.DisposeAsync();
    }
}
