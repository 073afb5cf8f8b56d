using System.Globalization;
using ToApis.Emulator.Webhooks;

namespace ToApis.Emulator.Cli;

internal sealed record CommandLine(EmulatorOptions Options, string? ReadyFile, bool ShowHelp);

internal sealed class CommandLineException(string message) : Exception(message);

/// <summary>Parses <c>--name value</c> and <c>--name=value</c> options into <see cref="EmulatorOptions"/>.</summary>
internal static class CommandLineParser
{
    public const string Usage = """
        ToAPIs emulator: a local stand-in for the ToAPIs asynchronous image API.

        Usage: ToApis.Emulator [options]

          --host ADDRESS            Address to bind (default 127.0.0.1)
          --port N                  API port (default 0: any free port)
          --files-port N            Files host port (default 0: any free port)
          --time-scale X            Multiplies task durations, e.g. 0.001 (default 1)
          --latency MIN-MAX         Virtual task duration range in seconds (default 5-30); one number fixes it
          --failure-rate R          Fraction of tasks that fail, 0..1 (default 0)
          --tier default|vip|svip   Rate-limit tier of the test user (default: default)
          --rate-scale X            Multiplies the test user's tier limits: 4 is a custom contract at four
                                    times the pace, 0.5 a budget half used by someone else (default 1)
          --download-latency MIN-MAX  Files host time to first byte in real seconds, e.g. 0.3-0.6 (default 0)
          --download-bandwidth N    Files host bytes per second per connection, e.g. 6M (default: unlimited)
          --result-size MIN-MAX     Pad result images to MIN-MAX bytes like real results, e.g. 1M-3M
                                    (default: as rendered). Sizes take k (1,000) and M (1,000,000)
          --quirks LIST             Comma-separated: submitted, processing, unknown-status, top-level-url,
                                    task-not-exist-400, integer-codes, no-business-id-lookup
          --credits N               Credits of each user (default unlimited)
          --credits-per-image N     Cost of one image (default 10)
          --seed N                  Repeatable durations, outcomes, IDs and random faults
          --webhook-url URL         The test token's default webhook URL (loopback only); callback_url must
                                    share its scheme, host and port. Needs --webhook-secret
          --webhook-secret TEXT     The test token's webhook signing secret
          --webhook-disabled        Configure the webhook but leave it turned off
          --webhook-faults LIST     Comma-separated: tampered-body, stale-timestamp, duplicate, unsigned
          --no-rate-limits          Disable the async-task rate limits
          --rate-limit-headers every|429  X-RateLimit-* on every limited answer (default) or only on 429s
          --expired-403             Expired result URLs answer 403 instead of 404
          --outage                  Every API and files request answers 500 (PATCH /_emulator/options {"outage":false} ends it)
          --ready-file PATH         Write {"baseUrl","filesUrl","apiKey"} as JSON once listening
          --verbose                 Log requests (Information level)
          -h, --help                Show this help

        Prints TOAPIS_BASE_URL, TOAPIS_FILES_URL and TOAPIS_API_KEY, then runs until Ctrl+C or SIGTERM.
        Test controls (no auth): GET /_emulator/stats, GET /_emulator/tasks, POST /_emulator/clock/advance?seconds=N,
        POST|DELETE /_emulator/faults, PATCH /_emulator/options, PUT|DELETE /_emulator/webhooks,
        POST /_emulator/webhooks/rotate, POST /_emulator/webhooks/test, GET /_emulator/webhooks/deliveries.
        """;

    private static readonly Dictionary<string, EmulatorQuirks> QuirkNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["submitted"] = EmulatorQuirks.SubmittedStatus,
        ["processing"] = EmulatorQuirks.ProcessingStatus,
        ["unknown-status"] = EmulatorQuirks.UnknownStatus,
        ["top-level-url"] = EmulatorQuirks.TopLevelUrlOnly,
        ["task-not-exist-400"] = EmulatorQuirks.TaskNotExistAs400,
        ["integer-codes"] = EmulatorQuirks.IntegerErrorCodes,
        ["no-business-id-lookup"] = EmulatorQuirks.NoBusinessIdLookup,
    };

    private static readonly Dictionary<string, WebhookFaults> WebhookFaultNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["tampered-body"] = WebhookFaults.TamperedBody,
        ["stale-timestamp"] = WebhookFaults.StaleTimestamp,
        ["duplicate"] = WebhookFaults.DuplicateDelivery,
        ["unsigned"] = WebhookFaults.Unsigned,
    };

    /// <exception cref="CommandLineException">An option is unknown, lacks its value or has a bad one.</exception>
    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        var options = new EmulatorOptions();
        string? readyFile = null;
        var tier = RateTier.Default;
        string? webhookUrl = null;
        string? webhookSecret = null;
        var webhookEnabled = true;
        var rateScale = 1.0;

        for (var i = 0; i < args.Count; i++)
        {
            var (name, inlineValue) = SplitOption(args[i]);
            string Value() => inlineValue ?? (++i < args.Count ? args[i] : throw new CommandLineException($"{name} needs a value."));

            switch (name)
            {
                case "-h" or "--help":
                    return new CommandLine(options, null, ShowHelp: true);
                case "--host":
                    options.Host = Value();
                    break;
                case "--port":
                    options.ApiPort = ParsePort(name, Value());
                    break;
                case "--files-port":
                    options.FilesPort = ParsePort(name, Value());
                    break;
                case "--time-scale":
                    options.TimeScale = ParseNumber(name, Value(), min: double.Epsilon, max: double.MaxValue);
                    break;
                case "--latency":
                    (options.MinLatency, options.MaxLatency) = ParseLatency(name, Value());
                    break;
                case "--failure-rate":
                    options.FailureRate = ParseNumber(name, Value(), min: 0, max: 1);
                    break;
                case "--tier":
                    tier = ParseTier(name, Value());
                    break;
                case "--rate-scale":
                    rateScale = ParseNumber(name, Value(), min: double.Epsilon, max: double.MaxValue);
                    break;
                case "--download-latency":
                    (options.DownloadMinLatency, options.DownloadMaxLatency) = ParseLatency(name, Value());
                    break;
                case "--download-bandwidth":
                    options.DownloadBandwidth = ParseBytes(name, Value());
                    break;
                case "--result-size":
                    (options.ResultMinBytes, options.ResultMaxBytes) = ParseByteRange(name, Value());
                    break;
                case "--quirks":
                    options.Quirks = ParseQuirks(name, Value());
                    break;
                case "--credits":
                    options.Credits = ParseDecimal(name, Value());
                    break;
                case "--credits-per-image":
                    options.CreditsPerImage = ParseDecimal(name, Value());
                    break;
                case "--seed":
                    options.Seed = int.TryParse(Value(), CultureInfo.InvariantCulture, out var seed)
                        ? seed
                        : throw new CommandLineException($"{name} must be an integer.");
                    break;
                case "--webhook-url":
                    webhookUrl = Value();
                    break;
                case "--webhook-secret":
                    webhookSecret = Value();
                    break;
                case "--webhook-disabled":
                    webhookEnabled = false;
                    break;
                case "--webhook-faults":
                    options.WebhookFaults = ParseFlags(name, Value(), WebhookFaultNames, "fault");
                    break;
                case "--no-rate-limits":
                    options.RateLimitsEnabled = false;
                    break;
                case "--rate-limit-headers":
                    options.RateLimitHeaders = Value().ToLowerInvariant() switch
                    {
                        "every" => RateLimitHeaders.EveryAnswer,
                        "429" => RateLimitHeaders.RefusalsOnly,
                        var other => throw new CommandLineException($"{name} must be every or 429, not '{other}'."),
                    };
                    break;
                case "--expired-403":
                    options.ExpiredResultsAnswer403 = true;
                    break;
                case "--outage":
                    options.Outage = true;
                    break;
                case "--ready-file":
                    readyFile = Value();
                    break;
                case "--verbose":
                    options.MinimumLogLevel = Microsoft.Extensions.Logging.LogLevel.Information;
                    break;
                default:
                    throw new CommandLineException($"Unknown option '{args[i]}'.");
            }
        }

        options.Users[EmulatorOptions.DefaultApiKey] = new EmulatorUser(EmulatorOptions.DefaultUserId, tier, rateScale);
        if (webhookUrl is not null || webhookSecret is not null)
        {
            options.Webhooks[EmulatorOptions.DefaultApiKey] = ParseWebhook(webhookUrl, webhookSecret, webhookEnabled);
        }
        return new CommandLine(options, readyFile, ShowHelp: false);
    }

    private static (string Name, string? InlineValue) SplitOption(string argument)
    {
        var equals = argument.IndexOf('=', StringComparison.Ordinal);
        return argument.StartsWith("--", StringComparison.Ordinal) && equals > 0
            ? (argument[..equals], argument[(equals + 1)..])
            : (argument, null);
    }

    private static int ParsePort(string name, string text) =>
        int.TryParse(text, CultureInfo.InvariantCulture, out var port) && port is >= 0 and <= 65535
            ? port
            : throw new CommandLineException($"{name} must be a port number from 0 to 65535.");

    private static double ParseNumber(string name, string text, double min, double max) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new CommandLineException(max == 1 ? $"{name} must be a number from {min} to {max}." : $"{name} must be a positive number.");

    private static decimal ParseDecimal(string name, string text) =>
        decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : throw new CommandLineException($"{name} must be a non-negative number.");

    private static (TimeSpan Min, TimeSpan Max) ParseLatency(string name, string text)
    {
        var (min, max) = ParseRange(text, part => ParseNumber(name, part, 0, double.MaxValue));
        return min <= max
            ? (TimeSpan.FromSeconds(min), TimeSpan.FromSeconds(max))
            : throw new CommandLineException($"{name} must be MIN-MAX seconds with MIN <= MAX, e.g. 5-30.");
    }

    private static (long Min, long Max) ParseByteRange(string name, string text)
    {
        var (min, max) = ParseRange(text, part => ParseBytes(name, part));
        return min <= max ? (min, max) : throw new CommandLineException($"{name} must be MIN-MAX bytes with MIN <= MAX, e.g. 1M-3M.");
    }

    /// <summary>"MIN-MAX", or one value for both.</summary>
    private static (T Min, T Max) ParseRange<T>(string text, Func<string, T> parse)
    {
        var parts = text.Split('-', 2);
        var min = parse(parts[0]);
        return (min, parts.Length == 2 ? parse(parts[1]) : min);
    }

    /// <summary>A byte count, optionally with k (1,000) or M (1,000,000).</summary>
    private static long ParseBytes(string name, string text)
    {
        var trimmed = text.Trim();
        var multiplier = trimmed.EndsWith('M') ? 1_000_000 : trimmed.EndsWith('k') || trimmed.EndsWith('K') ? 1_000 : 1;
        var number = multiplier == 1 ? trimmed : trimmed[..^1];
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0 && value * multiplier <= long.MaxValue
            ? (long)(value * multiplier)
            : throw new CommandLineException($"{name} takes a number of bytes such as 6000000, 6M or 500k.");
    }

    private static RateTier ParseTier(string name, string text) => text.ToLowerInvariant() switch
    {
        "default" => RateTier.Default,
        "vip" => RateTier.Vip,
        "svip" => RateTier.Svip,
        _ => throw new CommandLineException($"{name} must be default, vip or svip."),
    };

    private static EmulatorQuirks ParseQuirks(string name, string text) => ParseFlags(name, text, QuirkNames, "quirk");

    private static TFlags ParseFlags<TFlags>(string name, string text, Dictionary<string, TFlags> names, string kind)
        where TFlags : struct, Enum =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Aggregate(default(TFlags), (flags, flagName) => names.TryGetValue(flagName, out var flag)
                ? (TFlags)Enum.ToObject(typeof(TFlags), Convert.ToInt64(flags, CultureInfo.InvariantCulture) | Convert.ToInt64(flag, CultureInfo.InvariantCulture))
                : throw new CommandLineException($"{name}: unknown {kind} '{flagName}'. Known: {string.Join(", ", names.Keys)}."));

    private static TokenWebhook ParseWebhook(string? url, string? secret, bool enabled)
    {
        if (url is null || secret is null)
        {
            throw new CommandLineException("--webhook-url and --webhook-secret go together: the service needs both.");
        }

        try
        {
            return TokenWebhook.Parse(url, secret, enabled);
        }
        catch (ArgumentException invalid)
        {
            throw new CommandLineException($"--webhook-url: {invalid.Message}");
        }
    }
}
