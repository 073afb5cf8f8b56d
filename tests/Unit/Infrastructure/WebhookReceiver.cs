using System.Collections.Specialized;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace ToApis.Tests.Infrastructure;

/// <summary>A webhook delivery as it reached the receiver.</summary>
public sealed record WebhookRequest(string PathAndQuery, string Body, NameValueCollection Headers);

/// <summary>A delivery, what the receiver's script made of it, and the status it answered.</summary>
/// <param name="Failure">What the handler threw, if it did (then it was answered with 500).</param>
public sealed record HandledWebhook(WebhookRequest Request, int Status, ScriptResult? Result, Exception? Failure = null);

/// <summary>
/// A loopback webhook endpoint: an <see cref="HttpListener"/> on a free 127.0.0.1 port that hands each delivery,
/// one at a time, to a handler (typically a PowerShell script run in the receiver's own runspace) and answers with
/// the status the handler returns. Tests await the handled deliveries with bounded timeouts.
/// </summary>
public sealed class WebhookReceiver : IDisposable
{
    private const int BindAttempts = 5;

    private readonly HttpListener _listener;
    private readonly Func<WebhookRequest, (int Status, ScriptResult? Result)> _handle;
    private readonly Channel<HandledWebhook> _handled = Channel.CreateUnbounded<HandledWebhook>();
    private readonly List<HandledWebhook> _all = [];
    private readonly Task _loop;

    private WebhookReceiver(HttpListener listener, Uri url, Func<WebhookRequest, (int Status, ScriptResult? Result)> handle)
    {
        _listener = listener;
        _handle = handle;
        Url = url;
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>The listener's root, e.g. http://127.0.0.1:41234/; every path below it is served.</summary>
    public Uri Url { get; }

    public static WebhookReceiver Start(Func<WebhookRequest, (int Status, ScriptResult? Result)> handle)
    {
        for (var attempt = 1; ; attempt++)
        {
            // HttpListener cannot bind port 0: let the system pick a free port, release it, and take it at once.
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();

            var url = new Uri($"http://127.0.0.1:{port}/");
            var listener = new HttpListener();
            listener.Prefixes.Add(url.ToString());
            try
            {
                listener.Start();
                return new WebhookReceiver(listener, url, handle);
            }
            catch (HttpListenerException) when (attempt < BindAttempts)
            {
                listener.Close(); // another process took the port in between
            }
        }
    }

    /// <summary>The next delivery handled, or a TimeoutException that lists what did arrive.</summary>
    public async Task<HandledWebhook> NextAsync(TimeSpan? timeout = null)
    {
        using var wait = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            return await _handled.Reader.ReadAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            lock (_all)
            {
                throw new TimeoutException(
                    $"No webhook delivery within {timeout ?? TimeSpan.FromSeconds(30)}; {_all.Count} arrived before: "
                    + string.Join("; ", _all.Select(h => $"{h.Request.PathAndQuery} -> {h.Status} {h.Failure?.Message}")));
            }
        }
    }

    /// <summary>The next <paramref name="count"/> deliveries handled.</summary>
    public async Task<List<HandledWebhook>> NextAsync(int count, TimeSpan? timeout = null)
    {
        var handled = new List<HandledWebhook>();
        while (handled.Count < count)
        {
            handled.Add(await NextAsync(timeout));
        }

        return handled;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception stopped) when (stopped is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, System.Text.Encoding.UTF8);
            var request = new WebhookRequest(context.Request.Url!.PathAndQuery, await reader.ReadToEndAsync(), context.Request.Headers);
            int status;
            ScriptResult? result = null;
            Exception? failure = null;
            try
            {
                (status, result) = _handle(request);
            }
            catch (Exception thrown)
            {
                (status, failure) = (500, thrown);
            }

            context.Response.StatusCode = status;
            context.Response.Close();
            var handled = new HandledWebhook(request, status, result, failure);
            lock (_all)
            {
                _all.Add(handled);
            }

            await _handled.Writer.WriteAsync(handled);
        }
    }

    public void Dispose()
    {
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }
}
