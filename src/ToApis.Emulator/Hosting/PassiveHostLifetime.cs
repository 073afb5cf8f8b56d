using Microsoft.Extensions.Hosting;

namespace ToApis.Emulator.Hosting;

/// <summary>
/// Replaces the console lifetime: an emulator hosted inside a test process must not react to Ctrl+C or SIGTERM;
/// its owner (the test, or Program for the standalone emulator) decides when it stops.
/// </summary>
internal sealed class PassiveHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
