using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using ToApis.Emulator.Tasks;

namespace ToApis.Emulator.Webhooks;

/// <summary>
/// Delivers task events as the service does (contract §6): at the task's end on the virtual clock, signed per
/// attempt with a fresh timestamp, no redirects followed, only 2xx counting, retried after 10 s, 30 s, 2 min, 10 min,
/// 1 h, 6 h and 24 h of virtual time (so the time scale compresses the schedule), to loopback only.
/// </summary>
internal sealed class WebhookDispatcher : IDisposable
{
    public const string UserAgent = "ToAPIs-Webhook/1.0";
    public const string IdHeader = "X-ToAPIs-Webhook-Id";
    public const string TimestampHeader = "X-ToAPIs-Webhook-Timestamp";
    public const string SignatureHeader = "X-ToAPIs-Webhook-Signature";

    private static readonly TimeSpan[] RetryDelays =
    [
        TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10),
        TimeSpan.FromHours(1), TimeSpan.FromHours(6), TimeSpan.FromHours(24),
    ];

    /// <summary>The clock is read at least this often while deliveries wait, to follow time-scale changes and clock advances.</summary>
    private static readonly TimeSpan LongestWait = TimeSpan.FromMilliseconds(50);

    private static readonly TimeSpan StaleBy = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan StopGracePeriod = TimeSpan.FromSeconds(2);

    private readonly EmulatorOptions options;
    private readonly EmulatorClock clock;
    private readonly TimeProvider realTime;
    private readonly HttpClient http;
    private readonly Lock gate = new();
    private readonly PriorityQueue<PendingDelivery, DateTimeOffset> due = new();
    private readonly HashSet<Task> inFlight = [];
    private readonly ConcurrentQueue<WebhookDelivery> log = new();
    private TaskCompletionSource logged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim wake = new(0);
    private readonly CancellationTokenSource stopping = new();
    private readonly Task loop;

    public WebhookDispatcher(EmulatorOptions options, EmulatorClock clock, TimeProvider realTime)
    {
        this.options = options;
        this.clock = clock;
        this.realTime = realTime;
        http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false }) { Timeout = Timeout.InfiniteTimeSpan };
        loop = Task.Run(RunAsync);
    }

    public IReadOnlyList<WebhookDelivery> Deliveries => [.. log];

    /// <summary>The log once it holds at least <paramref name="count"/> attempts.</summary>
    public async Task<IReadOnlyList<WebhookDelivery>> WaitForDeliveriesAsync(int count, CancellationToken cancellationToken)
    {
        while (true)
        {
            var next = Volatile.Read(ref logged).Task;
            if (log.Count >= count)
            {
                return Deliveries;
            }

            await next.WaitAsync(cancellationToken);
        }
    }

    private void Log(WebhookDelivery delivery)
    {
        log.Enqueue(delivery);
        Interlocked.Exchange(ref logged, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>Queues an event's first delivery for <paramref name="at"/> (virtual time) to <paramref name="url"/>.</summary>
    public void Schedule(string apiKey, Uri url, WebhookEvent webhookEvent, DateTimeOffset at) =>
        Enqueue(new PendingDelivery(apiKey, url, webhookEvent, Attempt: 1, Redelivered: false), at);

    private void Enqueue(PendingDelivery delivery, DateTimeOffset at)
    {
        lock (gate)
        {
            due.Enqueue(delivery, at);
        }

        wake.Release();
    }

    private async Task RunAsync()
    {
        var token = stopping.Token;
        while (!token.IsCancellationRequested)
        {
            var now = clock.UtcNow;
            var wait = Timeout.InfiniteTimeSpan;
            lock (gate)
            {
                while (due.TryPeek(out var ready, out var at) && at <= now)
                {
                    due.Dequeue();
                    Track(AttemptAsync(ready, token));
                }

                if (due.TryPeek(out _, out var nextAt))
                {
                    var untilDue = clock.ToRealTime(nextAt) - realTime.GetUtcNow();
                    wait = untilDue < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : untilDue < LongestWait ? untilDue : LongestWait;
                }
            }

            try
            {
                await wake.WaitAsync(wait, token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Called under the gate.</summary>
    private void Track(Task attempt)
    {
        inFlight.Add(attempt);
        attempt.ContinueWith(
            done =>
            {
                lock (gate)
                {
                    inFlight.Remove(done);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private async Task AttemptAsync(PendingDelivery delivery, CancellationToken stop)
    {
        await Task.Yield(); // off the scheduling loop
        var webhookEvent = delivery.Event;
        if (!options.Webhooks.TryGetValue(delivery.ApiKey, out var settings)
            || (!settings.Enabled && webhookEvent.Type != WebhookEvents.EndpointTest))
        {
            Log(Logged(delivery, 0, null, "not sent: the token's webhooks were turned off or removed"));
            return;
        }

        var faults = options.WebhookFaults;
        var timestamp = (realTime.GetUtcNow() - (faults.HasFlag(WebhookFaults.StaleTimestamp) ? StaleBy : TimeSpan.Zero))
            .ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var secrets = settings.SigningSecretsAt(clock.UtcNow);
        var body = faults.HasFlag(WebhookFaults.TamperedBody) ? Tampered(webhookEvent.Body) : webhookEvent.Body;

        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        request.Headers.Add(IdHeader, webhookEvent.Id);
        request.Headers.Add(TimestampHeader, timestamp);
        if (!faults.HasFlag(WebhookFaults.Unsigned))
        {
            request.Headers.TryAddWithoutValidation(
                SignatureHeader, string.Join(",", secrets.Select(secret => "v1=" + Sign(secret, webhookEvent.Id, timestamp, webhookEvent.Body))));
        }

        int? status = null;
        string? error = null;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop))
        {
            timeout.CancelAfter(options.WebhookTimeout);
            try
            {
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                status = (int)response.StatusCode;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException)
            {
                error = $"no answer within {options.WebhookTimeout.TotalSeconds:0.###} s";
            }
            catch (HttpRequestException failed)
            {
                error = failed.Message;
            }
        }

        var attempt = Logged(delivery, faults.HasFlag(WebhookFaults.Unsigned) ? 0 : secrets.Count, status, error);
        Log(attempt);
        if (attempt.Succeeded)
        {
            if (faults.HasFlag(WebhookFaults.DuplicateDelivery) && !delivery.Redelivered)
            {
                // As if the 2xx was lost on the way back: the service retries on its schedule.
                Enqueue(delivery with { Attempt = delivery.Attempt + 1, Redelivered = true }, clock.UtcNow + RetryDelays[0]);
            }

            return;
        }

        if (delivery.Attempt <= RetryDelays.Length)
        {
            Enqueue(delivery with { Attempt = delivery.Attempt + 1 }, clock.UtcNow + RetryDelays[delivery.Attempt - 1]);
        }
    }

    private WebhookDelivery Logged(PendingDelivery delivery, int signatures, int? status, string? error) => new(
        delivery.Event.Id, delivery.Event.Type, delivery.Event.TaskId, delivery.Url, delivery.Attempt, realTime.GetUtcNow(), status, error, signatures);

    /// <summary>HMAC-SHA256 keyed by the secret's UTF-8 bytes over <c>id.timestamp.body</c>, as lower-case hex.</summary>
    public static string Sign(string secret, string eventId, string timestamp, byte[] body)
    {
        byte[] signed = [.. Encoding.UTF8.GetBytes($"{eventId}.{timestamp}."), .. body];
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    /// <summary>The body with one character changed inside a JSON string, still valid JSON: only the signature can tell.</summary>
    private static byte[] Tampered(byte[] body)
    {
        var copy = body.ToArray();
        var index = Array.IndexOf(copy, (byte)'_');
        copy[index < 0 ? copy.Length / 2 : index] = (byte)'-';
        return copy;
    }

    public void Dispose()
    {
        stopping.Cancel();
        Task[] running;
        lock (gate)
        {
            running = [loop, .. inFlight];
        }

        try
        {
            Task.WaitAll(running, StopGracePeriod);
        }
        catch (AggregateException)
        {
        }

        http.Dispose();
        stopping.Dispose();
        wake.Dispose();
    }

    private sealed record PendingDelivery(string ApiKey, Uri Url, WebhookEvent Event, int Attempt, bool Redelivered);
}
