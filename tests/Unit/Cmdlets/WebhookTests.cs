using System.Collections;
using System.Management.Automation;
using System.Text.RegularExpressions;
using ToApis.Emulator;
using ToApis.Emulator.Webhooks;
using ToApis.Models;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Cmdlets;

/// <summary>
/// End to end: New-ToApisImage -CallbackUrl submits, the emulator delivers signed events to a loopback HttpListener,
/// and the receiver's own runspace runs ConvertFrom-ToApisWebhook | Save-ToApisImage on each delivery, answering
/// 2xx, 400 or 401 as the help advises. Refusals are driven by the emulator's webhook faults or a wrong secret.
/// </summary>
public sealed class WebhookTests
{
    [Fact]
    public async Task Completed_tasks_are_delivered_verified_and_saved_from_csv_rows_with_a_callback_url_column()
    {
        await using var scenario = await WebhookScenario.StartAsync();

        var submitted = scenario.Service.Run(
            """
            param($url)
            $rows = @(
                [pscustomobject]@{ Name = 'fox'; Prompt = 'A red fox'; callback_url = $url }
                [pscustomobject]@{ Name = 'whale'; Prompt = 'A blue whale'; callback_url = '' }
                [pscustomobject]@{ Name = 'owl'; Prompt = 'A green owl'; callback_url = $url })
            $rows | New-ToApisImage
            """,
            new Hashtable { ["url"] = scenario.HookUrl("hooks/images?batch=7") });
        Assert.Empty(submitted.Errors);
        var taskIds = submitted.OutputOf<ToApisTask>().Select(task => task.Id).ToList();
        Assert.Equal(3, taskIds.Count);

        var deliveries = await scenario.Receiver.NextAsync(3);

        Assert.All(deliveries, delivery =>
        {
            Assert.Equal(200, delivery.Status);
            Assert.Empty(delivery.Result!.Errors);
            Assert.Equal("ToAPIs-Webhook/1.0", delivery.Request.Headers["User-Agent"]);
            Assert.StartsWith("evt_", delivery.Request.Headers["X-ToAPIs-Webhook-Id"]);
            Assert.Matches("^v1=[0-9a-f]{64}$", delivery.Request.Headers["X-ToAPIs-Webhook-Signature"]);
            var task = Assert.Single(delivery.Result.OutputOf<ToApisTask>());
            Assert.Equal("completed", task.Status);
            Assert.Equal(100, task.Progress);
            var wrapped = delivery.Result.Output.Single(o => o.BaseObject is ToApisTask);
            Assert.Equal(delivery.Request.Headers["X-ToAPIs-Webhook-Id"], wrapped.Properties["EventId"].Value);
            Assert.Equal("generation.completed", wrapped.Properties["EventType"].Value);
            Assert.Single(delivery.Result.OutputOf<FileInfo>());
        });
        // The rows' callback_url where given, the token's default URL where the cell was empty.
        Assert.Equal(
            ["/hooks/default", "/hooks/images?batch=7", "/hooks/images?batch=7"],
            deliveries.Select(d => d.Request.PathAndQuery).Order(StringComparer.Ordinal));
        Assert.Equal(taskIds.Order(), scenario.Folder.Files().Select(Path.GetFileNameWithoutExtension).Order());
        var logged = await scenario.Service.Emulator.Webhooks.WaitForDeliveriesAsync(3, TimeSpan.FromSeconds(30));
        Assert.All(logged, d => Assert.Equal((1, 200), (d.Attempt, d.StatusCode)));
    }

    [Fact]
    public async Task A_failed_task_arrives_as_a_failed_task_with_its_error_and_nothing_is_saved()
    {
        await using var scenario = await WebhookScenario.StartAsync(options => options.FailureRate = 1);

        Assert.Empty(scenario.Service.Run("New-ToApisImage 'A doomed lighthouse'").Errors);
        var delivery = await scenario.Receiver.NextAsync();

        Assert.Equal(200, delivery.Status);
        var task = Assert.Single(delivery.Result!.OutputOf<ToApisTask>());
        Assert.Equal("failed", task.Status);
        Assert.False(string.IsNullOrEmpty(task.ErrorCode));
        Assert.False(string.IsNullOrEmpty(task.ErrorMessage));
        Assert.Equal("generation.failed", delivery.Result.Output.Single().Properties["EventType"].Value);
        Assert.Empty(scenario.Folder.Files());
    }

    [Fact]
    public async Task A_tampered_body_is_refused_as_a_signature_mismatch_and_redelivered_until_the_schedule_goes_on()
    {
        await using var scenario = await WebhookScenario.StartAsync(options => options.WebhookFaults = WebhookFaults.TamperedBody);

        scenario.Service.Run("New-ToApisImage 'A red fox'");
        var deliveries = await scenario.Receiver.NextAsync(2);

        Assert.All(deliveries, delivery =>
        {
            Assert.Equal(401, delivery.Status);
            var error = ErrorAssert.Is(Assert.Single(delivery.Result!.Errors), "ToApis.WebhookSignatureMismatch", ErrorCategory.SecurityError);
            Assert.Equal(delivery.Request.Body, ErrorAssert.Target(error));
            Assert.Contains("byte for byte", error.Exception.Message);
            Assert.DoesNotContain(WebhookScenario.Secret, error.ToString() + error.ErrorDetails.RecommendedAction);
            Assert.Empty(delivery.Result.Output);
        });
        // The same event again, as the service retries anything but a 2xx.
        Assert.Equal(deliveries[0].Request.Headers["X-ToAPIs-Webhook-Id"], deliveries[1].Request.Headers["X-ToAPIs-Webhook-Id"]);
        Assert.Empty(scenario.Folder.Files());
    }

    [Fact]
    public async Task A_wrong_secret_is_refused_as_a_signature_mismatch()
    {
        await using var scenario = await WebhookScenario.StartAsync();
        scenario.ReceiverSecret = _ => "whsec_not_the_tokens_secret";

        scenario.Service.Run("New-ToApisImage 'A red fox'");
        var delivery = await scenario.Receiver.NextAsync();

        Assert.Equal(401, delivery.Status);
        var error = ErrorAssert.Is(Assert.Single(delivery.Result!.Errors), "ToApis.WebhookSignatureMismatch", ErrorCategory.SecurityError);
        Assert.DoesNotContain("whsec_not_the_tokens_secret", error.ToString());
        Assert.Contains("current signing secret", error.ErrorDetails.RecommendedAction);
        Assert.Empty(scenario.Folder.Files());
    }

    [Theory]
    [InlineData(WebhookFaults.StaleTimestamp, "ToApis.WebhookTimestampStale", ErrorCategory.SecurityError,
        @"signed at .*, 60\d s ago by this machine's clock: more than the 300 s allowed")]
    [InlineData(WebhookFaults.Unsigned, "ToApis.WebhookSignatureMissing", ErrorCategory.AuthenticationError,
        "it has no X-ToAPIs-Webhook-Signature header")]
    public async Task A_stale_or_unsigned_delivery_is_refused(WebhookFaults fault, string errorId, ErrorCategory category, string reason)
    {
        await using var scenario = await WebhookScenario.StartAsync(options => options.WebhookFaults = fault);

        scenario.Service.Run("New-ToApisImage 'A red fox'");
        var delivery = await scenario.Receiver.NextAsync();

        Assert.Equal(401, delivery.Status);
        var error = ErrorAssert.Is(Assert.Single(delivery.Result!.Errors), errorId, category);
        Assert.Matches(reason, error.Exception.Message);
        Assert.Empty(scenario.Folder.Files());
    }

    [Fact]
    public async Task A_repeated_delivery_of_an_accepted_event_is_dropped_as_a_replay_and_answered_2xx()
    {
        using var seen = new TempFolder();
        var seenIdPath = Path.Combine(seen.Path, "seen-ids.txt");
        await using var scenario = await WebhookScenario.StartAsync(options => options.WebhookFaults = WebhookFaults.DuplicateDelivery);
        scenario.SeenIdPath = seenIdPath;

        scenario.Service.Run("New-ToApisImage 'A red fox'");
        var (first, again) = (await scenario.Receiver.NextAsync(), await scenario.Receiver.NextAsync());

        var eventId = first.Request.Headers["X-ToAPIs-Webhook-Id"];
        Assert.Equal(eventId, again.Request.Headers["X-ToAPIs-Webhook-Id"]);
        Assert.Equal((200, 200), (first.Status, again.Status));
        var task = Assert.Single(first.Result!.OutputOf<ToApisTask>());
        Assert.Single(first.Result.OutputOf<FileInfo>());

        var replay = ErrorAssert.Is(Assert.Single(again.Result!.Errors), "ToApis.WebhookReplayed", ErrorCategory.ResourceExists);
        Assert.Empty(again.Result.Output);
        Assert.Equal(task.Id, Assert.IsType<ToApisTask>(ErrorAssert.Target(replay)).Id);
        Assert.Contains($"'{eventId}' (task {task.Id}, completed) was already accepted", replay.Exception.Message);
        Assert.Single(scenario.Folder.Files());
        Assert.StartsWith(eventId + "\t", Assert.Single(File.ReadAllLines(seenIdPath)));
    }

    [Fact]
    public async Task After_a_rotation_both_secrets_verify_for_24_hours_then_only_the_new_one()
    {
        const string newSecret = "whsec_rotated_0f1e2d3c4b5a69788796a5b4c3d2e1f0";
        await using var scenario = await WebhookScenario.StartAsync();
        scenario.Service.Emulator.Webhooks.Rotate(newSecret);
        var secrets = new Queue<string>([WebhookScenario.Secret, newSecret, WebhookScenario.Secret, newSecret]);
        scenario.ReceiverSecret = _ => secrets.Dequeue();

        // Within the overlap: two signatures, and a receiver with either secret accepts.
        scenario.Service.Run("New-ToApisImage 'A red fox'");
        var withOldSecret = await scenario.Receiver.NextAsync();
        scenario.Service.Run("New-ToApisImage 'A blue whale'");
        var withNewSecret = await scenario.Receiver.NextAsync();

        Assert.All(new[] { withOldSecret, withNewSecret }, delivery =>
        {
            Assert.Equal(200, delivery.Status);
            Assert.Empty(delivery.Result!.Errors);
            Assert.Matches("^v1=[0-9a-f]{64},v1=[0-9a-f]{64}$", delivery.Request.Headers["X-ToAPIs-Webhook-Signature"]);
        });

        // 25 hours later (virtual): the old secret no longer verifies; the retry, checked with the new one, does.
        scenario.Service.Emulator.Clock.Advance(TimeSpan.FromHours(25));
        scenario.Service.Run("New-ToApisImage 'A green owl'");
        var refused = await scenario.Receiver.NextAsync();
        var retried = await scenario.Receiver.NextAsync();

        Assert.Matches("^v1=[0-9a-f]{64}$", refused.Request.Headers["X-ToAPIs-Webhook-Signature"]);
        Assert.Equal(401, refused.Status);
        ErrorAssert.Is(Assert.Single(refused.Result!.Errors), "ToApis.WebhookSignatureMismatch", ErrorCategory.SecurityError);
        Assert.Equal(refused.Request.Headers["X-ToAPIs-Webhook-Id"], retried.Request.Headers["X-ToAPIs-Webhook-Id"]);
        Assert.Equal(200, retried.Status);
        Assert.Equal(3, scenario.Folder.Files().Count);
    }

    [Fact]
    public async Task A_receiver_that_fails_gets_the_same_event_again_signed_afresh()
    {
        await using var scenario = await WebhookScenario.StartAsync();
        var answered = 0;
        scenario.Intercept = _ => answered++ == 0 ? 500 : null; // the first delivery meets a broken receiver

        scenario.Service.Run("New-ToApisImage 'A red fox'");
        var (failed, retried) = (await scenario.Receiver.NextAsync(), await scenario.Receiver.NextAsync());

        Assert.Equal((500, 200), (failed.Status, retried.Status));
        Assert.Equal(failed.Request.Headers["X-ToAPIs-Webhook-Id"], retried.Request.Headers["X-ToAPIs-Webhook-Id"]);
        Assert.Equal(failed.Request.Body, retried.Request.Body);
        Assert.Empty(retried.Result!.Errors);
        Assert.Single(scenario.Folder.Files());
        var logged = await scenario.Service.Emulator.Webhooks.WaitForDeliveriesAsync(2, TimeSpan.FromSeconds(30));
        Assert.Equal([(1, 500), (2, 200)], logged.Select(d => (d.Attempt, d.StatusCode ?? 0)));
    }

    [Fact]
    public async Task The_endpoint_test_event_comes_out_as_a_test_event()
    {
        await using var scenario = await WebhookScenario.StartAsync();

        var eventId = scenario.Service.Emulator.Webhooks.SendTest();
        var delivery = await scenario.Receiver.NextAsync();

        Assert.Equal(200, delivery.Status);
        Assert.Equal("/hooks/default", delivery.Request.PathAndQuery);
        var test = Assert.IsType<ToApisWebhookEvent>(Assert.Single(delivery.Result!.Output).BaseObject);
        Assert.True(test.IsEndpointTest);
        Assert.Equal(eventId, test.EventId);
        Assert.Equal("ToAPIs webhook endpoint test", test.Message);
        Assert.Empty(scenario.Folder.Files());
    }

    [Fact]
    public async Task An_Azure_Functions_request_verifies_with_RawBody_while_its_parsed_Body_is_refused_as_malformed()
    {
        await using var scenario = await WebhookScenario.StartAsync();
        scenario.Script = """
            param($Body, $Headers, $Secret, $Folder)
            # What the Functions host gives a PowerShell HTTP trigger: lower-case header names, a JSON body already parsed.
            $lower = @{}; foreach ($name in $Headers.AllKeys) { $lower[$name.ToLowerInvariant()] = $Headers[$name] }
            $parsed = @{ id = 'evt_parsed'; type = 'generation.completed' }
            $Request = [pscustomobject]@{ Body = $parsed; RawBody = $Body; Headers = $lower }
            $secure = [System.Security.SecureString]::new(); foreach ($c in $Secret.ToCharArray()) { $secure.AppendChar($c) }
            ConvertFrom-ToApisWebhook -Body $Request.Body -Header $Request.Headers -Secret $Secret
            ConvertFrom-ToApisWebhook -Body $Request.RawBody -Header $Request.Headers -Secret $secure
            """;

        scenario.Service.Run("New-ToApisImage 'A red fox'");
        var delivery = await scenario.Receiver.NextAsync();

        var malformed = ErrorAssert.Is(Assert.Single(delivery.Result!.Errors), "ToApis.WebhookMalformed", ErrorCategory.InvalidData);
        Assert.Contains("$Request.RawBody", malformed.Exception.Message);
        Assert.Equal("completed", Assert.Single(delivery.Result.OutputOf<ToApisTask>()).Status);
    }

    [Fact]
    public async Task A_callback_url_without_a_configured_webhook_is_a_per_row_error_that_explains_the_setup()
    {
        await using var service = await EmulatedService.StartAsync();

        var result = service.Run("""
            [pscustomobject]@{ Prompt = 'A red fox'; CallbackUrl = 'http://127.0.0.1:9/hook' },
            [pscustomobject]@{ Prompt = 'A blue whale'; CallbackUrl = '' } | New-ToApisImage
            """);

        var error = ErrorAssert.Is(Assert.Single(result.Errors), "ToApis.WebhookNotConfigured", ErrorCategory.NotEnabled);
        Assert.Equal("A red fox", ((PSObject)error.TargetObject).Properties["Prompt"].Value);
        Assert.Contains("webhook_not_configured", error.ErrorDetails.Message);
        Assert.Contains("Task Webhooks are set up and enabled", error.ErrorDetails.Message);
        var advice = error.ErrorDetails.RecommendedAction;
        Assert.Contains("default HTTPS callback URL", advice);
        Assert.Contains("signing secret", advice);
        Assert.Contains("enable Task Webhooks", advice);
        Assert.Contains("only in its path and query", advice);
        Assert.Equal("A blue whale", Assert.Single(result.OutputOf<ToApisTask>()).Prompt);
    }

    [Fact]
    public async Task A_callback_url_on_another_origin_than_the_tokens_is_refused_the_same_way()
    {
        await using var scenario = await WebhookScenario.StartAsync();
        var otherPort = new UriBuilder(scenario.Receiver.Url) { Port = scenario.Receiver.Url.Port == 65535 ? 1 : scenario.Receiver.Url.Port + 1, Path = "hook" };

        var result = scenario.Service.Run("param($url) New-ToApisImage 'A red fox' -CallbackUrl $url", new Hashtable { ["url"] = otherPort.ToString() });

        var error = ErrorAssert.Is(Assert.Single(result.Errors), "ToApis.WebhookNotConfigured", ErrorCategory.NotEnabled);
        Assert.Contains("only the path and query may differ", error.Exception.Message);
        Assert.Equal(0, scenario.Service.Emulator.Stats.TasksCreated);
    }

    [Theory]
    [InlineData("hooks.example.com/toapis")]
    [InlineData("http://hooks.example.com/toapis")]
    [InlineData("https://hooks.example.com/toapis#done")]
    [InlineData("https://user:pass@hooks.example.com/toapis")]
    public async Task A_callback_url_the_service_would_refuse_is_refused_before_anything_is_sent(string url)
    {
        await using var service = await EmulatedService.StartAsync();

        var result = service.Run("param($url) New-ToApisImage 'A red fox' -CallbackUrl $url", new Hashtable { ["url"] = url });

        var error = ErrorAssert.Is(Assert.Single(result.Errors), "ToApis.InvalidParameter", ErrorCategory.InvalidArgument);
        Assert.Contains("CallbackUrl", error.ErrorDetails.RecommendedAction);
        Assert.DoesNotContain("user:pass@", error.ToString());
        Assert.Equal(0, service.Submits);
    }

    [Fact]
    public void Without_a_secret_nothing_can_be_verified_and_the_command_ends()
    {
        using var shell = new PowerShellHost();

        var result = shell.Run("try { ConvertFrom-ToApisWebhook -Body '{}' -Header @{} } catch { $_ }");

        ErrorAssert.Is(ErrorAssert.Caught(result), "ToApis.MissingWebhookSecret", ErrorCategory.AuthenticationError);
    }

    [Fact]
    public void Recorded_deliveries_bind_by_property_name_and_the_second_of_two_identical_ones_is_a_replay()
    {
        using var shell = new PowerShellHost();
        var eventId = "evt_recorded_" + Guid.NewGuid().ToString("N");
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var body = $$$"""{"id":"{{{eventId}}}","type":"generation.completed","api_version":"v1","created_at":{{{timestamp}}},"data":{"task_id":"tsk_img_recorded","task_type":"image","model":"m","status":"SUCCESS","progress":"100%","result":{"type":"image","data":[{"url":"https://files.example/a.png"}]},"error":null,"submitted_at":{{{timestamp}}},"finished_at":{{{timestamp}}}}}""";
        var signature = Convert.ToHexStringLower(ToApis.Client.Webhooks.WebhookSignature.Compute(
            System.Text.Encoding.UTF8.GetBytes(WebhookScenario.Secret), eventId, timestamp, System.Text.Encoding.UTF8.GetBytes(body)));
        var headers = new Hashtable { ["X-ToAPIs-Webhook-Id"] = eventId, ["X-ToAPIs-Webhook-Timestamp"] = timestamp, ["X-ToAPIs-Webhook-Signature"] = "v1=" + signature };

        var result = shell.Run(
            "param($Body, $Headers, $Secret) $d = [pscustomobject]@{ Body = $Body; Headers = $Headers }; $d, $d | ConvertFrom-ToApisWebhook -Secret $Secret",
            new Hashtable { ["Body"] = body, ["Headers"] = headers, ["Secret"] = WebhookScenario.Secret });

        Assert.Equal("tsk_img_recorded", Assert.Single(result.OutputOf<ToApisTask>()).Id);
        ErrorAssert.Is(Assert.Single(result.Errors), "ToApis.WebhookReplayed", ErrorCategory.ResourceExists);
    }

    [Fact]
    public void A_SeenIdPath_that_cannot_name_a_file_ends_the_command()
    {
        using var shell = new PowerShellHost();

        var result = shell.Run("try { ConvertFrom-ToApisWebhook -Body '{}' -Header @{} -Secret s -SeenIdPath 'nosuchdrive:\\seen.txt' } catch { $_ }");

        ErrorAssert.Is(ErrorAssert.Caught(result), "ToApis.FileWriteFailed", ErrorCategory.WriteError);
    }

    /// <summary>
    /// An emulator with a webhook configured for its token, a receiver on a loopback HttpListener, and the receiver's
    /// own runspace (as a separate process or Function would have) running <see cref="Script"/> on each delivery.
    /// </summary>
    private sealed class WebhookScenario : IAsyncDisposable
    {
        public const string Secret = "whsec_e2e_5b1f0c9d8e7a6b5c4d3e2f1a0b9c8d7e";

        /// <summary>The receiver of the HttpListener example in the help, one delivery per run.</summary>
        private const string ReceiverScript = """
            param($Body, $Headers, $Secret, $Folder, $SeenIdPath)
            $verify = @{ Body = $Body; Header = $Headers; Secret = $Secret }
            if ($SeenIdPath) { $verify.SeenIdPath = $SeenIdPath }
            ConvertFrom-ToApisWebhook @verify | ForEach-Object {
                $_
                if ($_ -is [ToApis.Models.ToApisTask] -and $_.IsCompleted) { $_ | Save-ToApisImage -Path $Folder -FileName '{Id}' }
            }
            """;

        private readonly PowerShellHost _receiverShell;

        private WebhookScenario(EmulatedService service, PowerShellHost receiverShell)
        {
            Service = service;
            _receiverShell = receiverShell;
            Receiver = WebhookReceiver.Start(Handle);
        }

        public EmulatedService Service { get; }

        public WebhookReceiver Receiver { get; }

        public TempFolder Folder { get; } = new();

        public string Script { get; set; } = ReceiverScript;

        /// <summary>The secret the receiver verifies a delivery with.</summary>
        public Func<WebhookRequest, string> ReceiverSecret { get; set; } = _ => Secret;

        /// <summary>A status to answer without running the script (a broken receiver), or null to run it.</summary>
        public Func<WebhookRequest, int?> Intercept { get; set; } = _ => null;

        public string? SeenIdPath { get; set; }

        public static async Task<WebhookScenario> StartAsync(Action<EmulatorOptions>? configure = null)
        {
            var service = await EmulatedService.StartAsync(configure);
            var receiverShell = new PowerShellHost();
            receiverShell.Connect(service.Emulator.BaseUri, service.Emulator.ApiKey, EmulatedService.FastRetries);
            var scenario = new WebhookScenario(service, receiverShell);
            service.Emulator.Webhooks.Configure(scenario.HookUrl("hooks/default"), Secret);
            return scenario;
        }

        public string HookUrl(string pathAndQuery) => new Uri(Receiver.Url, pathAndQuery).ToString();

        private (int Status, ScriptResult? Result) Handle(WebhookRequest request)
        {
            if (Intercept(request) is { } status)
            {
                return (status, null);
            }

            var parameters = new Hashtable
            {
                ["Body"] = request.Body,
                ["Headers"] = request.Headers,
                ["Secret"] = ReceiverSecret(request),
                ["Folder"] = Folder.Path,
            };
            if (SeenIdPath is not null)
            {
                parameters["SeenIdPath"] = SeenIdPath;
            }

            var result = _receiverShell.Run(Script, parameters);
            return (StatusFor(result), result);
        }

        /// <summary>What the help tells a receiver to answer: 2xx for accepted and replayed events, 400 malformed, 401 refused.</summary>
        private static int StatusFor(ScriptResult result) => result.Errors.FirstOrDefault()?.FullyQualifiedErrorId switch
        {
            null => 200,
            var id when id.StartsWith("ToApis.WebhookReplayed,", StringComparison.Ordinal) => 200,
            var id when id.StartsWith("ToApis.WebhookMalformed,", StringComparison.Ordinal) => 400,
            var id when Regex.IsMatch(id, @"^ToApis\.Webhook\w+,") => 401,
            _ => 500,
        };

        public async ValueTask DisposeAsync()
        {
            Receiver.Dispose();
            await Service.DisposeAsync();
            _receiverShell.Dispose();
            Folder.Dispose();
        }
    }
}
