using System;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Security;
using System.Threading;
using ToApis.Binding;
using ToApis.Client;
using ToApis.Client.RateLimiting;
using ToApis.Errors;
using ToApis.Session;

namespace ToApis.Commands;

/// <summary>
/// Creates the session that this runspace's ToApis cmdlets use, after checking the key with one cheap request
/// (the list of image models, which also primes -Model completion): a bad key is reported here, not at the
/// first submit.
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "ToApis")]
[OutputType(typeof(ToApisSession))]
public sealed class ConnectToApisCommand : ToApisCmdletBase
{
    /// <summary>The API key: a SecureString, a PSCredential (its password) or plain text; defaults to $env:TOAPIS_API_KEY.</summary>
    [Parameter(Position = 0)]
    [Alias("Credential")]
    [ApiKeyTransformation]
    public SecureString? ApiKey { get; set; }

    /// <summary>The service root; defaults to $env:TOAPIS_BASE_URL, then https://toapis.com.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? BaseUri { get; set; }

    /// <summary>Limit in seconds for one HTTP attempt.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = 60;

    [Parameter]
    [ValidateNotNull]
    public Uri? Proxy { get; set; }

    /// <summary>Retries for requests that may be retried (reads, rate-limited submits).</summary>
    [Parameter]
    [ValidateRange(0, 100)]
    public int MaximumRetryCount { get; set; } = 5;

    /// <summary>First backoff step in seconds when the server gives no Retry-After.</summary>
    [Parameter]
    [ValidateRange(0.001, 600)]
    public double RetryIntervalSec { get; set; } = 1;

    /// <summary>Pins submits and queries to a group's documented limits; without it (or a rate) the pace is learned.</summary>
    [Parameter]
    public RateTier RateTier { get; set; } = RateTier.Default;

    /// <summary>Submits per second, overriding the tier's figure (burst and per-minute limits follow in proportion).</summary>
    [Parameter]
    [ValidateRange(0.1, 10000)]
    public double? SubmitRateLimit { get; set; }

    /// <summary>Status queries per second, overriding the tier's figure.</summary>
    [Parameter]
    [ValidateRange(0.1, 100000)]
    public double? QueryRateLimit { get; set; }

    /// <summary>Stores the session without asking the service whether it accepts the key.</summary>
    [Parameter]
    public SwitchParameter SkipValidation { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>How long the key check may take before the session is stored unchecked, with a warning.</summary>
    private static readonly TimeSpan ValidationLimit = TimeSpan.FromSeconds(15);

    protected override void EndProcessing()
    {
        var (key, keySource) = ApiKey is not null
            ? (new NetworkCredential(string.Empty, ApiKey).Password, "parameter")
            : (Environment.GetEnvironmentVariable(SessionStore.ApiKeyVariable), "environment");
        if (string.IsNullOrWhiteSpace(key))
        {
            ThrowTerminatingError(ErrorRecords.NoApiKeyGiven());
        }

        var baseUri = BaseUri ?? Environment.GetEnvironmentVariable(SessionStore.BaseUrlVariable);
        ToApisConnectionSettings settings;
        try
        {
            settings = new ToApisConnectionSettings
            {
                BaseUri = string.IsNullOrWhiteSpace(baseUri)
                    ? ToApisConnectionSettings.DefaultBaseUri
                    : ToApisConnectionSettings.NormalizeBaseUri(baseUri!),
                RequestTimeout = TimeSpan.FromSeconds(TimeoutSec),
                Proxy = Proxy is null ? null : new WebProxy(Proxy),
                MaximumRetryCount = MaximumRetryCount,
                RetryInterval = TimeSpan.FromSeconds(RetryIntervalSec),
                RateLimits = ChooseRateLimits(),
            };
        }
        catch (ToApisValidationException invalid)
        {
            ThrowTerminatingError(ErrorRecords.InvalidBaseUri(invalid, baseUri));
            return;
        }

        var session = new ToApisSession(
            new ToApisConnection(settings, key!), keySource, DescribeRateLimits(), SkipValidation ? "skipped (-SkipValidation)" : "not checked");
        key = null;
        if (!SkipValidation)
        {
            Validate(session);
        }

        SessionStore.Connect(session);
        WriteVerbose($"Connected to {session.BaseUri} with the key {session.KeyHint} from the {keySource}.");
        if (PassThru)
        {
            WriteObject(session);
        }
    }

    /// <summary>
    /// One GET /v1/models: a refused key ends the command (ToApis.Unauthorized) and nothing is stored; a service
    /// that cannot be asked now gets a warning, and the session is stored for when it can.
    /// </summary>
    private void Validate(ToApisSession session)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(CancelToken);
        limit.CancelAfter(ValidationLimit);
        try
        {
            var models = Await(session.Connection.CreateClient(RequestLog).GetModelsAsync("image", limit.Token));
            session.RememberModels("image", models);
            session.KeyCheck = $"accepted {DateTimeOffset.Now:yyyy-MM-dd HH:mm:ss} ({models.Count} image models)";
            WriteVerbose($"The service accepted the key {session.KeyHint}; {models.Count} image models are available to it.");
        }
        catch (ToApisApiException refused) when (refused.Kind == ApiErrorKind.Unauthorized)
        {
            session.Close();
            ThrowTerminatingError(ErrorRecords.KeyRefused(refused, session.KeyHint));
        }
        catch (ToApisApiException foreign) when (foreign.Kind == ApiErrorKind.UnexpectedResponse)
        {
            // Only the documented answer proves a key works: a captive portal or a web page at -BaseUri answers 200 too.
            session.Close();
            ThrowTerminatingError(ErrorRecords.From(foreign, session.BaseUri));
        }
        catch (Exception unanswered) when (unanswered is ToApisApiException or ToApisTransportException or OperationCanceledException && !CancelToken.IsCancellationRequested)
        {
            var reason = unanswered is OperationCanceledException ? $"no answer within {ValidationLimit.TotalSeconds:0} s" : unanswered.Message;
            session.KeyCheck = "could not check: " + reason;
            WriteWarning($"Connected to {session.BaseUri} without checking the key: {reason}. The first command that calls the service will tell whether the key works.");
        }
    }

    private string DescribeRateLimits()
    {
        if (SubmitRateLimit is null && QueryRateLimit is null)
        {
            return !MyInvocation.BoundParameters.ContainsKey(nameof(RateTier)) ? "learned from the service (starts at the Default tier)"
                : RateTier == RateTier.None ? "RateTier None: not paced on the client" : $"RateTier {RateTier} (its documented limits)";
        }

        var given = new[] { SubmitRateLimit is { } submit ? $"-SubmitRateLimit {submit}" : null, QueryRateLimit is { } query ? $"-QueryRateLimit {query}" : null };
        return string.Join(", ", given.Where(g => g is not null)) + $" (otherwise RateTier {RateTier})";
    }

    /// <summary>Each category is pinned by its own rate, else by -RateTier; a category told nothing is learned from the service.</summary>
    private RateLimitSettings ChooseRateLimits()
    {
        var tierGiven = MyInvocation.BoundParameters.ContainsKey(nameof(RateTier));
        var tier = tierGiven ? RateLimitSettings.Pinned(RateTier) : RateLimitSettings.Learned;
        return new RateLimitSettings(
            SubmitRateLimit is { } submit ? PaceSetting.Pinned(submit) : tier.Submit,
            QueryRateLimit is { } query ? PaceSetting.Pinned(query) : tier.Query);
    }
}
