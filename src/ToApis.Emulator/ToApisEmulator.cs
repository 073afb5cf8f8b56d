using ToApis.Emulator.Hosting;

namespace ToApis.Emulator;

/// <summary>
/// A local emulator of the ToAPIs asynchronous image API (like Azurite for Azure Storage): an API host at
/// <see cref="BaseUri"/> and a public files host at <see cref="FilesBaseUri"/>, both on loopback.
/// </summary>
public sealed class ToApisEmulator : IAsyncDisposable
{
    private readonly WebApplication apiHost;
    private readonly WebApplication filesHost;
    private readonly EmulatorState state;
    private readonly Lock stopGate = new();
    private Task? stopping;

    private ToApisEmulator(EmulatorState state, WebApplication apiHost, WebApplication filesHost, string apiKey)
    {
        this.state = state;
        this.apiHost = apiHost;
        this.filesHost = filesHost;
        ApiKey = apiKey;
        BaseUri = EmulatorHosts.BoundAddress(apiHost);
        FilesBaseUri = EmulatorHosts.BoundAddress(filesHost);
    }

    /// <summary>The API origin without <c>/v1</c>, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUri { get; }

    /// <summary>The files host origin, on its own port.</summary>
    public Uri FilesBaseUri { get; }

    /// <summary>The first user's API key.</summary>
    public string ApiKey { get; }

    /// <summary>The live options: switches may be flipped while running.</summary>
    public EmulatorOptions Options => state.Options;

    public EmulatorClock Clock => state.Clock;

    public EmulatorStats Stats => state.Stats;

    public FaultInjector Faults => state.Faults;

    /// <summary>Per-token Task Webhooks (URL, secret, rotation, test events) and the log of deliveries.</summary>
    public Webhooks.EmulatorWebhooks Webhooks => state.Webhooks;

    /// <summary>
    /// The real (wall-clock, UTC) time at which a task reached its final status, completed or failed (its virtual
    /// end mapped by <see cref="EmulatorClock.ToRealTime"/>); null for an unknown task ID.
    /// </summary>
    public DateTimeOffset? TaskFinishedAtRealTime(string taskId) =>
        state.Tasks.FindById(taskId) is { } task ? Clock.ToRealTime(task.FinishedAt) : null;

    public static async Task<ToApisEmulator> StartAsync(EmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EmulatorOptions();
        options.Validate();
        var apiKey = options.Users.Keys.First();
        var state = new EmulatorState(options, options.RealTime);

        var filesHost = EmulatorHosts.BuildFilesHost(state);
        WebApplication? apiHost = null;
        try
        {
            await filesHost.StartAsync(cancellationToken);
            state.FileUrls.Origin = EmulatorHosts.BoundAddress(filesHost).GetLeftPart(UriPartial.Authority);
            apiHost = EmulatorHosts.BuildApiHost(state);
            await apiHost.StartAsync(cancellationToken);
            return new ToApisEmulator(state, apiHost, filesHost, apiKey);
        }
        catch
        {
            await StopAndDisposeAsync(apiHost);
            await StopAndDisposeAsync(filesHost);
            state.Dispose();
            throw;
        }
    }

    public Task StopAsync()
    {
        lock (stopGate)
        {
            return stopping ??= StopOnceAsync();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task StopOnceAsync()
    {
        await Task.WhenAll(StopAndDisposeAsync(apiHost), StopAndDisposeAsync(filesHost));
        state.Dispose();
    }

    private static async Task StopAndDisposeAsync(WebApplication? host)
    {
        if (host is null)
        {
            return;
        }

        try
        {
            await host.StopAsync();
        }
        finally
        {
            await host.DisposeAsync();
        }
    }
}
