using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using Polly;
using ToApis.Client.Files;
using ToApis.Client.RateLimiting;
using ToApis.Client.Resilience;
using ToApis.Client.Wire;
using ToApis.Models;

namespace ToApis.Client;

/// <summary>
/// The API calls, async and free of PowerShell. One instance per command invocation over a shared
/// <see cref="ToApisConnection"/>; everything it wants the user to see goes to its <see cref="IRequestLog"/>.
/// </summary>
internal sealed class ToApisClient
{
    /// <summary>Task and error bodies are a few hundred bytes; anything far larger is not a real answer.</summary>
    private const int MaxResponseBodyBytes = 4 * 1024 * 1024;

    private readonly ToApisConnection _connection;
    private readonly IRequestLog _log;
    private readonly HttpTransport _transport;

    internal ToApisClient(ToApisConnection connection, IRequestLog log)
    {
        _connection = connection;
        _log = log;
        _transport = new HttpTransport(connection.Http, log, connection.Time);
    }

    /// <summary>
    /// Creates a task. The request always carries a client_business_id; when the outcome is ambiguous
    /// (timeout, reset, 5xx) the submit pipeline looks the task up by that id before anything is sent again,
    /// so a network fault never creates a second billable task. <paramref name="stopSending"/> ends the
    /// request only while nothing is on the wire (queued for a token, waiting to retry); an attempt already
    /// sent runs to its answer unless <paramref name="abort"/> is cancelled, so a created task is never lost
    /// from view.
    /// </summary>
    public async Task<ToApisTask> SubmitAsync(GenerationRequest request, CancellationToken stopSending, CancellationToken abort)
    {
        if (string.IsNullOrEmpty(request.ClientBusinessId))
        {
            request.ClientBusinessId = BusinessIds.NewRandom();
        }

        var businessId = request.ClientBusinessId!;
        var body = request.ToJson();
        var reconciliation = new SubmitReconciliation($"POST /{request.Path}", businessId, token => FindTaskAsync(businessId, token));
        ApiResponse? response = null;
        ToApisTransportException? failure = null;
        try
        {
            response = await SendAsync(
                HttpMethod.Post, request.Path, () => JsonContent(body), RequestKind.Submit, abort,
                beforeSending: () =>
                {
                    stopSending.ThrowIfCancellationRequested();
                    reconciliation.Sending();
                },
                prepare: context =>
                {
                    context.Properties.Set(ResiliencePipelines.StopSendingKey, stopSending);
                    context.Properties.Set(ResiliencePipelines.ReconcileKey, reconciliation);
                }).ConfigureAwait(false);
        }
        catch (ToApisTransportException failed)
        {
            failure = failed;
        }
        catch (Exception ended) when (reconciliation.EndedUnanswered)
        {
            throw reconciliation.OutcomeUnknown(ended.Message, reconciliation.LookupFailed ?? ended);
        }

        return reconciliation.Conclude(response, failure, _log);
    }

    /// <summary>The task by id or client_business_id; a task-not-found answer is an error.</summary>
    public async Task<ToApisTask> GetTaskAsync(string idOrBusinessId, CancellationToken cancellationToken) =>
        await FindTaskAsync(idOrBusinessId, cancellationToken).ConfigureAwait(false)
        ?? throw new ToApisApiException(
            ApiErrorKind.NotFound, 404, "task_not_found",
            $"No task '{idOrBusinessId}' exists for this API key's account.",
            requestDescription: $"GET /{TaskPath(idOrBusinessId)}");

    /// <summary>The task by id or client_business_id, or null when the service says there is none.</summary>
    public async Task<ToApisTask?> FindTaskAsync(string idOrBusinessId, CancellationToken cancellationToken)
    {
        var path = TaskPath(idOrBusinessId);
        var response = await SendAsync(HttpMethod.Get, path, null, RequestKind.Query, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccess)
        {
            var task = response.Task ?? throw response.Unexpected($"GET /{path}", "no task in it");
            return IsAnswerTo(task, idOrBusinessId)
                ? task
                : throw response.Unexpected($"GET /{path}", $"it is about task '{task.Id}'{(task.ClientBusinessId is { } other ? $" (client_business_id '{other}')" : "")}, not '{idOrBusinessId}'");
        }

        var error = response.ToException($"GET /{path}");
        return error.Kind == ApiErrorKind.NotFound ? null : throw error;
    }

    /// <summary>
    /// Whether <paramref name="task"/> is the one asked for by id or client_business_id. The id echo of a
    /// client_business_id is documented only in the Chinese docs, so a task without it that was asked for by
    /// something other than a task id (<c>tsk_…</c>) is taken at its word; one asked for by its id never is.
    /// </summary>
    private static bool IsAnswerTo(ToApisTask task, string asked) =>
        string.Equals(task.Id, asked, StringComparison.Ordinal)
        || string.Equals(task.ClientBusinessId, asked, StringComparison.Ordinal)
        || (task.ClientBusinessId is null && !asked.StartsWith(TaskIdPrefix, StringComparison.Ordinal));

    /// <summary>Every documented task id starts so; client_business_ids this module makes never do.</summary>
    private const string TaskIdPrefix = "tsk_";

    /// <summary>
    /// Uploads a checked local image as multipart field <c>file</c>. Uploads cost nothing, so unlike a submit
    /// they are retried like reads.
    /// </summary>
    public async Task<ToApisUpload> UploadAsync(LocalImage image, string? purpose, CancellationToken cancellationToken)
    {
        const string path = "v1/uploads/images";
        HttpContent Form()
        {
            var form = new MultipartFormDataContent();
            var file = new ByteArrayContent(image.Content);
            file.Headers.ContentType = new MediaTypeHeaderValue(image.Format.MimeType);
            form.Add(file, "file", image.FileName);
            if (!string.IsNullOrEmpty(purpose))
            {
                form.Add(new StringContent(purpose), "purpose");
            }

            return form;
        }

        var response = await SendAsync(HttpMethod.Post, path, Form, RequestKind.Read, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess && response.StatusCode != 400)
        {
            throw response.ToException($"POST /{path}");
        }

        return UploadParser.Parse(response, $"POST /{path}", image.Path);
    }

    /// <summary>The models this key may use, of one type (image by default).</summary>
    public async Task<IReadOnlyList<ToApisModel>> GetModelsAsync(string type, CancellationToken cancellationToken)
    {
        var path = "v1/models?type=" + Uri.EscapeDataString(type);
        var response = await SendAsync(HttpMethod.Get, path, null, RequestKind.Read, cancellationToken).ConfigureAwait(false);
        return AccountParser.ParseModels(response, $"GET /{path}");
    }

    /// <summary>The quota of this key, or of the whole account with <paramref name="wholeAccount"/>.</summary>
    public async Task<ToApisBalance> GetBalanceAsync(bool wholeAccount, CancellationToken cancellationToken)
    {
        var path = wholeAccount ? "v1/user/balance" : "v1/balance";
        var response = await SendAsync(HttpMethod.Get, path, null, RequestKind.Read, cancellationToken).ConfigureAwait(false);
        return AccountParser.ParseBalance(response, $"GET /{path}", wholeAccount ? "User" : "Token");
    }

    private static string TaskPath(string idOrBusinessId) =>
        "v1/images/generations/" + Uri.EscapeDataString(idOrBusinessId);

    private static HttpContent JsonContent(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    /// <summary>
    /// Sends through the pipeline of <paramref name="kind"/>, which paces submits and queries by the account's
    /// budget before every attempt; what the answer says of the server's limits is learned here.
    /// </summary>
    private async Task<ApiResponse> SendAsync(
        HttpMethod method, string path, Func<HttpContent>? content, RequestKind kind, CancellationToken cancellationToken,
        Action? beforeSending = null, Action<ResilienceContext>? prepare = null)
    {
        var uri = new Uri(_connection.ApiRoot, path);
        var pipeline = kind switch
        {
            RequestKind.Submit => _connection.Pipelines.Submit,
            RequestKind.Query => _connection.Pipelines.Query,
            _ => _connection.Pipelines.Read,
        };
        var (response, attempts) = await _connection.Pipelines.RunAsync(
            pipeline, $"{method} {uri}", _log,
            async context =>
            {
                beforeSending?.Invoke();
                var answer = await SendOnceAsync(method, uri, content, context.CancellationToken).ConfigureAwait(false);
                if (kind != RequestKind.Read)
                {
                    LearnFromLimits(kind == RequestKind.Submit ? RequestCategory.Submit : RequestCategory.Query, answer);
                }

                return answer;
            },
            cancellationToken, prepare).ConfigureAwait(false);
        response.Attempts = attempts;
        return response;
    }

    private enum RequestKind
    {
        Submit,
        Query,
        Read,
    }

    /// <summary>
    /// Every answer informs the account's pacer: a 429, or the bucket the headers describe. A 503 rate_limit_unavailable
    /// says the limiter is down, nothing about the pace, and is only retried.
    /// </summary>
    private void LearnFromLimits(RequestCategory category, ApiResponse response)
    {
        if (!response.IsLimiterUnavailable)
        {
            _connection.RateLimiter.Observe(
                category,
                new LimitSignal(response.StatusCode == 429, response.RateLimit, response.RateLimitRemaining, response.RateLimitResetIn, response.RetryAfter),
                _log);
        }
    }

    private async Task<ApiResponse> SendOnceAsync(
        HttpMethod method, Uri uri, Func<HttpContent>? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, uri) { Content = content?.Invoke() };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _connection.BearerToken);
        using var exchange = await _transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var response = exchange.Response;
        // The body is kept as sent, for parsing: the key a server echoes is hidden where text is shown (the log
        // masks every line, ApiResponse every message it makes), never in the data, so no id is ever altered.
        var body = await HttpTransport.ReadCappedAsync(response.Content, MaxResponseBodyBytes, cancellationToken).ConfigureAwait(false);
        _transport.Report(exchange, body);
        return new ApiResponse(
            (int)response.StatusCode, response.ReasonPhrase ?? "", body, RetryAfter(response),
            NumberHeader(response, "X-RateLimit-Limit") is { } limit ? (int)limit : null, ResetIn(NumberHeader(response, "X-RateLimit-Reset")),
            NumberHeader(response, "X-RateLimit-Remaining") is { } remaining ? (int)remaining : null,
            response.Content?.Headers.ContentType?.MediaType, _connection.Mask);
    }

    private static double? NumberHeader(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values)
        && double.TryParse(System.Linq.Enumerable.FirstOrDefault(values), NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
        && number >= 0 && number < int.MaxValue * 1000.0
            ? number
            : null;

    /// <summary>X-RateLimit-Reset is Unix seconds (or milliseconds), or seconds to go: its format is not documented (contract U8).</summary>
    private TimeSpan? ResetIn(double? reset) => reset switch
    {
        null => null,
        > 1e12 => DateTimeOffset.FromUnixTimeMilliseconds((long)reset.Value) - _connection.Time.GetUtcNow(),
        > 1e9 => DateTimeOffset.FromUnixTimeSeconds((long)reset.Value) - _connection.Time.GetUtcNow(),
        _ => TimeSpan.FromSeconds(reset.Value),
    };

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        return header?.Date is { } date ? date - _connection.Time.GetUtcNow() : null;
    }
}
