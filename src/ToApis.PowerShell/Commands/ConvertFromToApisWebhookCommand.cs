using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Security;
using System.Text;
using ToApis.Binding;
using ToApis.Client.Webhooks;
using ToApis.Errors;
using ToApis.Models;

namespace ToApis.Commands;

/// <summary>
/// Verifies a ToAPIs webhook delivery (signature, freshness, first delivery) and turns it into a task that pipes into
/// Save-ToApisImage, or an endpoint.test event. A delivery that must not be acted on is an error with its own ErrorId.
/// </summary>
[Cmdlet(VerbsData.ConvertFrom, "ToApisWebhook")]
[OutputType(typeof(ToApisTask), typeof(ToApisWebhookEvent))]
public sealed class ConvertFromToApisWebhookCommand : ToApisCmdletBase
{
    public const string SecretVariable = "TOAPIS_WEBHOOK_SECRET";

    private WebhookVerifier? _verifier;
    private WebhookReplayGuard? _replayGuard;

    /// <summary>The request body exactly as received: text, or bytes. Never a parsed object: the signature covers the bytes.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    [AllowEmptyString]
    public object? Body { get; set; }

    /// <summary>The request headers: a hashtable, a NameValueCollection (HttpListener) or HttpHeaders.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("Headers")]
    [AllowNull]
    [WebhookHeadersTransformation]
    public IDictionary? Header { get; set; }

    /// <summary>The token's signing secret (string or SecureString; several during a rotation). Default: $env:TOAPIS_WEBHOOK_SECRET.</summary>
    [Parameter]
    [SecretTransformation]
    [ValidateNotNullOrEmpty]
    public SecureString[]? Secret { get; set; }

    /// <summary>How far, in seconds, a delivery's timestamp may be from this machine's clock.</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int ToleranceSec { get; set; } = (int)WebhookVerifier.DefaultTolerance.TotalSeconds;

    /// <summary>A file of accepted event ids shared by every process that receives this token's webhooks.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SeenIdPath { get; set; }

    protected override void BeginProcessing()
    {
        var keys = SecretKeys();
        if (keys.Count == 0)
        {
            ThrowTerminatingError(ErrorRecords.MissingWebhookSecret());
        }

        _verifier = new WebhookVerifier(keys, TimeSpan.FromSeconds(ToleranceSec));
        _replayGuard = new WebhookReplayGuard(SeenEventIds.InThisProcess, SeenIdPath is null ? null : OpenSeenIdFile(SeenIdPath));
    }

    /// <summary>A path that cannot name a file ends the command: no delivery could be checked for repeats.</summary>
    private SeenEventIdFile OpenSeenIdFile(string path)
    {
        try
        {
            return new SeenEventIdFile(SessionState.Path.GetUnresolvedProviderPathFromPSPath(path));
        }
        catch (Exception error) when (error is ArgumentException or NotSupportedException or IOException or SessionStateException)
        {
            ThrowTerminatingError(ErrorRecords.CannotWrite(
                error, path,
                "Give -SeenIdPath the path of a file in a folder this account can write to, shared by every receiver of the token's webhooks."));
            throw;
        }
    }

    protected override void ProcessRecord()
    {
        WebhookEvent verified;
        try
        {
            verified = _verifier!.Verify(RawBody(Body), HeaderValues(Header));
        }
        catch (ToApisWebhookException refused)
        {
            WriteFailure(refused, Body);
            return;
        }

        bool firstDelivery;
        try
        {
            firstDelivery = Await(_replayGuard!.IsFirstDeliveryAsync(verified.EventId, CancelToken));
        }
        catch (Exception unrecorded) when (unrecorded is IOException or UnauthorizedAccessException)
        {
            WriteFailure(unrecorded, SeenIdPath);
            return;
        }

        var output = Output(verified);
        if (!firstDelivery)
        {
            WriteFailure(Replayed(verified, output), output);
            return;
        }

        WriteObject(output);
    }

    /// <summary>Secrets as the UTF-8 bytes of their text (the docs' samples key the HMAC with <c>secret.encode()</c>).</summary>
    private List<byte[]> SecretKeys()
    {
        var texts = Secret is { Length: > 0 }
            ? Secret.Select(secure => (string?)new NetworkCredential(string.Empty, secure).Password)
            : new string?[] { Environment.GetEnvironmentVariable(SecretVariable) };
        return texts
            .Where(text => !string.IsNullOrWhiteSpace(text))
            .Select(text => Encoding.UTF8.GetBytes(text!.Trim())) // a secret pasted with a trailing newline still works
            .ToList();
    }

    /// <exception cref="ToApisWebhookException">The body was already parsed, so its signed bytes are gone.</exception>
    private static byte[] RawBody(object? body)
    {
        switch (body is PSObject wrapped ? wrapped.BaseObject : body)
        {
            case null:
                return Array.Empty<byte>();
            case string text:
                WebhookVerifier.RefuseOversized(Encoding.UTF8.GetByteCount(text)); // counted, not copied
                return Encoding.UTF8.GetBytes(text);
            case byte[] bytes:
                return bytes;
            case object[] items when items.Length > WebhookVerifier.MaxBodyBytes:
                WebhookVerifier.RefuseOversized(items.Length); // refused before its items are looked at
                return Array.Empty<byte>();
            case object[] items when items.All(item => (item is PSObject p ? p.BaseObject : item) is byte):
                return items.Select(item => (byte)(item is PSObject p ? p.BaseObject : item)).ToArray();
            case var parsed:
                throw new ToApisWebhookException(
                    WebhookProblem.Malformed,
                    $"-Body is a {parsed.GetType().Name}, a body some framework already parsed; the signature covers the exact bytes that were sent, "
                    + "which cannot be rebuilt from it. Pass the raw body text: $Request.RawBody in Azure Functions (its $Request.Body is parsed JSON), "
                    + "the request stream read with a StreamReader with HttpListener.");
        }
    }

    /// <summary>The headers as the transformation on -Header left them: text values by name.</summary>
    private static IEnumerable<KeyValuePair<string, string?>> HeaderValues(IDictionary? headers) =>
        headers?.Cast<DictionaryEntry>().Select(header => new KeyValuePair<string, string?>(header.Key.ToString()!, header.Value as string)) ?? [];

    /// <summary>A task event as the task (with the event's id and type attached), so it binds to Save-ToApisImage.</summary>
    private static object Output(WebhookEvent verified)
    {
        if (verified.Output is not ToApisTask task)
        {
            return verified.Output;
        }

        var wrapped = PSObject.AsPSObject(task);
        wrapped.Properties.Add(new PSNoteProperty("EventId", verified.EventId));
        wrapped.Properties.Add(new PSNoteProperty("EventType", verified.EventType));
        return wrapped;
    }

    private ToApisWebhookException Replayed(WebhookEvent verified, object output)
    {
        var where = SeenIdPath is null ? "by this process" : $"by this process or another that shares '{SeenIdPath}'";
        var what = verified.Task is { } task ? $" (task {task.Id}, {task.Status})" : $" ({verified.EventType})";
        return new ToApisWebhookException(
            WebhookProblem.Replayed,
            $"Webhook event '{WebhookVerifier.Printable(verified.EventId)}'{what} was already accepted {where}: deliveries are at least once, so this one repeats it.",
            verified.EventId)
        {
            VerifiedEvent = output,
        };
    }
}
