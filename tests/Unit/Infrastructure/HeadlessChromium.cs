using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xunit;

namespace ToApis.Tests.Infrastructure;

/// <summary>
/// A real headless Chromium (Debian's chromium package), driven over the DevTools protocol on loopback: open a
/// page, run script in it, read the answer. Each instance is its own browser process with a fresh profile,
/// stopped by its id when disposed.
/// </summary>
public sealed partial class HeadlessChromium : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonNode?>> _calls = new();
    private readonly ConcurrentDictionary<(string Session, string Method), TaskCompletionSource<JsonNode?>> _awaitedEvents = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _receiving = Task.CompletedTask;
    private int _nextId;

    private HeadlessChromium(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    /// <summary>The browser to run: $env:TOAPIS_CHROMIUM, else chromium (or a Chrome) on the PATH.</summary>
    public static string? ExecutablePath { get; } = Find();

    /// <summary>
    /// Why browser tests cannot run here, or null. .ci/run installs chromium and sets TOAPIS_BROWSER_UNAVAILABLE
    /// only when that install is impossible; in CI a missing browser without that reason is a failure, not a skip.
    /// </summary>
    public static string? Unavailable =>
        Environment.GetEnvironmentVariable("TOAPIS_BROWSER_UNAVAILABLE") is { Length: > 0 } reason ? reason
        : ExecutablePath is null && Environment.GetEnvironmentVariable("CI") != "true"
            ? "Chromium is not installed (apt-get install chromium; .ci/run installs it when missing)."
            : null;

    public static async Task<HeadlessChromium> StartAsync()
    {
        var executable = ExecutablePath ?? throw new InvalidOperationException("Chromium was not found: install it with apt-get install chromium, or set TOAPIS_CHROMIUM.");
        var profile = Path.Combine(Path.GetTempPath(), "toapis-chromium-" + Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo(executable) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--remote-debugging-address=127.0.0.1",
                     "--remote-debugging-port=0", "--window-size=1280,900", "--user-data-dir=" + profile, "about:blank",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var browser = new HeadlessChromium(process, profile);
        try
        {
            var endpoint = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            process.ErrorDataReceived += (_, line) =>
            {
                if (line.Data is { } text && DevToolsLine().Match(text) is { Success: true } match)
                {
                    endpoint.TrySetResult(match.Groups[1].Value);
                }
            };
            process.Exited += (_, _) => endpoint.TrySetException(new InvalidOperationException($"Chromium exited with code {process.ExitCode} before it listened."));
            process.EnableRaisingEvents = true;
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();

            await browser._socket.ConnectAsync(new Uri(await endpoint.Task.WaitAsync(StartTimeout)), CancellationToken.None);
            browser._receiving = browser.ReceiveAsync();
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    /// <summary>Opens <paramref name="url"/> in a new tab and waits for its load event.</summary>
    public async Task<BrowserPage> OpenAsync(string url, bool scriptsDisabled = false)
    {
        var target = await CallAsync("Target.createTarget", new JsonObject { ["url"] = "about:blank" });
        var attached = await CallAsync("Target.attachToTarget", new JsonObject { ["targetId"] = target!["targetId"]!.GetValue<string>(), ["flatten"] = true });
        var page = new BrowserPage(this, attached!["sessionId"]!.GetValue<string>());
        await page.CallAsync("Page.enable");
        if (scriptsDisabled)
        {
            await page.CallAsync("Emulation.setScriptExecutionDisabled", new JsonObject { ["value"] = true });
        }

        var loaded = AwaitEvent(page.Session, "Page.loadEventFired");
        var navigated = await page.CallAsync("Page.navigate", new JsonObject { ["url"] = url });
        if (navigated?["errorText"] is { } error)
        {
            throw new InvalidOperationException($"Chromium could not open {url}: {error}");
        }

        await loaded.WaitAsync(CallTimeout);
        return page;
    }

    internal async Task<JsonNode?> CallAsync(string method, JsonObject? parameters = null, string? session = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<JsonNode?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _calls[id] = answer;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        if (session is not null)
        {
            message["sessionId"] = session;
        }

        await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, _stop.Token);
        return await answer.Task.WaitAsync(CallTimeout);
    }

    private Task<JsonNode?> AwaitEvent(string session, string method)
    {
        var fired = new TaskCompletionSource<JsonNode?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _awaitedEvents[(session, method)] = fired;
        return fired.Task;
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[1 << 16];
        using var message = new MemoryStream();
        try
        {
            while (!_stop.IsCancellationRequested && _socket.State == WebSocketState.Open)
            {
                var received = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                message.Write(buffer, 0, received.Count);
                if (received.EndOfMessage)
                {
                    Dispatch(JsonNode.Parse(message.ToArray())!);
                    message.SetLength(0);
                }
            }
        }
        catch (Exception ended) when (ended is OperationCanceledException or WebSocketException)
        {
        }

        foreach (var call in _calls.Values)
        {
            call.TrySetException(new InvalidOperationException("The connection to Chromium closed."));
        }
    }

    private void Dispatch(JsonNode message)
    {
        if (message["id"] is { } id && _calls.TryRemove(id.GetValue<int>(), out var call))
        {
            if (message["error"] is { } error)
            {
                call.TrySetException(new InvalidOperationException("DevTools error: " + error.ToJsonString()));
            }
            else
            {
                call.TrySetResult(message["result"]);
            }
        }
        else if (message["method"]?.GetValue<string>() is { } method
                 && _awaitedEvents.TryRemove((message["sessionId"]?.GetValue<string>() ?? "", method), out var awaited))
        {
            awaited.TrySetResult(message["params"]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                await CallAsync("Browser.close").WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception closing) when (closing is InvalidOperationException or WebSocketException or TimeoutException)
        {
        }

        await _stop.CancelAsync();
        if (!_process.WaitForExit(10_000))
        {
            _process.Kill(entireProcessTree: true);
        }

        await _receiving;
        _socket.Dispose();
        _process.Dispose();
        _stop.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable("TOAPIS_CHROMIUM") is { Length: > 0 } given && File.Exists(given))
        {
            return given;
        }

        var folders = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return new[] { "chromium", "chromium-browser", "google-chrome", "google-chrome-stable" }
            .SelectMany(name => folders.Select(folder => Path.Combine(folder, name)))
            .FirstOrDefault(File.Exists);
    }

    [GeneratedRegex(@"DevTools listening on (ws://\S+)")]
    private static partial Regex DevToolsLine();
}

/// <summary>One tab of a <see cref="HeadlessChromium"/>.</summary>
public sealed class BrowserPage(HeadlessChromium browser, string session)
{
    public string Session { get; } = session;

    internal Task<JsonNode?> CallAsync(string method, JsonObject? parameters = null) => browser.CallAsync(method, parameters, Session);

    /// <summary>Runs an expression in the page (awaiting a promise it returns) and gives back its value as JSON.</summary>
    public async Task<JsonElement> EvaluateAsync(string expression)
    {
        var result = await CallAsync("Runtime.evaluate", new JsonObject
        {
            ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true,
        });
        if (result?["exceptionDetails"] is { } exception)
        {
            throw new InvalidOperationException("The page's script threw: " + exception.ToJsonString());
        }

        return JsonSerializer.SerializeToElement(result?["result"]?["value"]);
    }
}

/// <summary>A test that needs a real browser: skipped, with the reason, only where Chromium cannot be had.</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (HeadlessChromium.Unavailable is { } reason)
        {
            Skip = reason;
        }
    }
}
