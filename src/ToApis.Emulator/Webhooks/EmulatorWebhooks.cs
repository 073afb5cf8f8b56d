using ToApis.Emulator.Tasks;

namespace ToApis.Emulator.Webhooks;

/// <summary>
/// Task Webhooks per token, as the console would set them up, and the log of what was delivered. Tokens are API
/// keys; <c>apiKey</c> null means the emulator's first key (<see cref="ToApisEmulator.ApiKey"/>).
/// </summary>
public sealed class EmulatorWebhooks
{
    private readonly EmulatorOptions options;
    private readonly EmulatorClock clock;
    private readonly WebhookEvents events;
    private readonly WebhookDispatcher dispatcher;

    internal EmulatorWebhooks(EmulatorOptions options, EmulatorClock clock, WebhookEvents events, WebhookDispatcher dispatcher)
    {
        this.options = options;
        this.clock = clock;
        this.events = events;
        this.dispatcher = dispatcher;
    }

    /// <summary>Every delivery attempt so far, oldest first.</summary>
    public IReadOnlyList<WebhookDelivery> Deliveries => dispatcher.Deliveries;

    /// <summary>The log once it holds at least <paramref name="count"/> attempts; a TimeoutException after <paramref name="timeout"/>.</summary>
    public async Task<IReadOnlyList<WebhookDelivery>> WaitForDeliveriesAsync(int count, TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            return await dispatcher.WaitForDeliveriesAsync(count, wait.Token);
        }
        catch (OperationCanceledException) when (wait.IsCancellationRequested)
        {
            throw new TimeoutException($"{dispatcher.Deliveries.Count} webhook deliveries within {timeout}, not {count}.");
        }
    }

    public TokenWebhook? For(string? apiKey = null) => options.Webhooks.GetValueOrDefault(Key(apiKey));

    /// <summary>Sets the token's default URL and secret and turns its webhooks on (or off).</summary>
    /// <exception cref="ArgumentException">Not a loopback URL, an empty secret or an unknown key.</exception>
    public TokenWebhook Configure(string url, string secret, bool enabled = true, string? apiKey = null)
    {
        var settings = TokenWebhook.Parse(url, secret, enabled);
        options.Webhooks[Key(apiKey)] = settings;
        return settings;
    }

    /// <summary>Generates a new secret as the console's "rotate" does: both signatures are sent for the next 24 h (virtual).</summary>
    /// <exception cref="InvalidOperationException">The token has no webhook configured.</exception>
    public TokenWebhook Rotate(string newSecret, string? apiKey = null)
    {
        var key = Key(apiKey);
        var current = options.Webhooks.GetValueOrDefault(key) ?? throw NotConfigured();
        var rotated = current.RotatedTo(newSecret, clock.UtcNow);
        rotated.Validate();
        options.Webhooks[key] = rotated;
        return rotated;
    }

    public bool Remove(string? apiKey = null) => options.Webhooks.TryRemove(Key(apiKey), out _);

    /// <summary>The console's "send a test event": an endpoint.test delivery to the token's default URL, now.</summary>
    /// <returns>The event id.</returns>
    public string SendTest(string? apiKey = null)
    {
        var key = Key(apiKey);
        var settings = options.Webhooks.GetValueOrDefault(key) ?? throw NotConfigured();
        var test = events.Test(clock.UnixSeconds);
        dispatcher.Schedule(key, settings.Url, test, clock.UtcNow);
        return test.Id;
    }

    /// <summary>
    /// A task was created: if its token has webhooks on, its one final event goes to the callback_url (already
    /// checked against the token's origin) or else the token's default URL when it finishes.
    /// </summary>
    internal void TaskSubmitted(string apiKey, EmulatedTask task, string? callbackUrl)
    {
        if (options.Webhooks.GetValueOrDefault(apiKey) is not { IsUsable: true } settings)
        {
            return;
        }

        var target = callbackUrl is null ? settings.Url : new Uri(callbackUrl);
        dispatcher.Schedule(apiKey, target, events.Final(task), task.FinishedAt);
    }

    private string Key(string? apiKey)
    {
        var key = apiKey ?? options.Users.Keys.First();
        return options.Users.ContainsKey(key) ? key : throw new ArgumentException("No such API key in the emulator.", nameof(apiKey));
    }

    private static InvalidOperationException NotConfigured() =>
        new("The token has no webhook configured: configure a URL and secret first.");
}
