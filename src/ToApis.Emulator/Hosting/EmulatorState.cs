using ToApis.Emulator.Credits;
using ToApis.Emulator.Files;
using ToApis.Emulator.Images;
using ToApis.Emulator.RateLimiting;
using ToApis.Emulator.Tasks;
using ToApis.Emulator.Webhooks;

namespace ToApis.Emulator.Hosting;

/// <summary>State shared by the API host and the files host.</summary>
internal sealed class EmulatorState : IDisposable
{
    public EmulatorState(EmulatorOptions options, TimeProvider realTime)
    {
        Options = options;
        Clock = new EmulatorClock(() => options.TimeScale, realTime);
        Faults = new FaultInjector(options.Seed);
        Random = new EmulatorRandom(options.Seed);
        Planner = new TaskPlanner(options, Clock, Random);
        Responses = new TaskResponses(options, FileUrls);
        Credits = new CreditLedger(options, Clock);
        RateLimiter = new UserRateLimiter(realTime);
        WebhookDispatcher = new WebhookDispatcher(options, Clock, realTime);
        Webhooks = new EmulatorWebhooks(options, Clock, new WebhookEvents(Responses), WebhookDispatcher);
    }

    public EmulatorOptions Options { get; }

    public EmulatorClock Clock { get; }

    public EmulatorStats Stats { get; } = new();

    public FaultInjector Faults { get; }

    public EmulatorRandom Random { get; }

    public TaskStore Tasks { get; } = new();

    public TaskPlanner Planner { get; }

    public TaskResponses Responses { get; }

    public CreditLedger Credits { get; }

    public UserRateLimiter RateLimiter { get; }

    public UploadStore Uploads { get; } = new();

    public FileUrls FileUrls { get; } = new();

    public GeneratedImageStore Images { get; } = new();

    public EmulatorWebhooks Webhooks { get; }

    private WebhookDispatcher WebhookDispatcher { get; }

    public void AddTo(IServiceCollection services) => services
        .AddSingleton(Options)
        .AddSingleton(Clock)
        .AddSingleton(Stats)
        .AddSingleton(Faults)
        .AddSingleton(Random)
        .AddSingleton(Tasks)
        .AddSingleton(Planner)
        .AddSingleton(Responses)
        .AddSingleton(Credits)
        .AddSingleton(Uploads)
        .AddSingleton(FileUrls)
        .AddSingleton(Images)
        .AddSingleton(Webhooks);

    public void Dispose()
    {
        WebhookDispatcher.Dispose();
        Images.Dispose();
    }
}
