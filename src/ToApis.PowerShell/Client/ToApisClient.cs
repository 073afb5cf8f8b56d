using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
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

    internal ToApisClient(ToApisConnection connection, IRequestLog log)
    {
        _connection = connection;
        _log = log;
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
        var description = $"POST /{request.Path}";
        var body = request.ToJson();
        var sent = 0;
        var reconciliation = new SubmitReconciliation(token => FindTaskAsync(businessId, token));
        ApiResponse? response = null;
        ToApisTransportException? failure = null;
        try
        {
            response = await SendAsync(
                HttpMethod.Post, request.Path, () => JsonContent(body), RequestKind.Submit, abort,
                beforeSending: () =>
                {
                    stopSending.ThrowIfCancellationRequested();
                    Interlocked.Increment(ref sent);
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
        catch (Exception ended) when (reconciliation.IsUnresolved && reconciliation.Recovered is null)
        {
            // Stopped, or the breaker opened, while a sent attempt was unanswered: the task may exist.
            throw OutcomeUnknown(description, businessId, ended.Message, reconciliation.LookupFailed ?? ended);
        }

        if (reconciliation.Recovered is { } recovered)
        {
            _log.Verbose($"Recovered task {recovered.Id} by client_business_id '{businessId}'; not resubmitted.");
            return recovered;
        }

        // A readable answer is the truth, whatever came before it.
        if (response is { IsSuccess: true, Task: { } answered })
        {
            return answered;
        }

        if (response is { IsAmbiguousFailure: false, IsSuccess: false })
        {
            throw response.ToException(description);
        }

        if (reconciliation.IsUnresolved)
        {
            var ending = failure?.Message ?? $"HTTP {response!.StatusCode}{(response.IsSuccess ? " with an unreadable body" : "")}";
            throw OutcomeUnknown(description, businessId, ending, reconciliation.LookupFailed);
        }

        if (failure is not null)
        {
            throw Volatile.Read(ref sent) == 0
                ? new ToApisTransportException(
                    $"{failure.Message}. The request was never sent, so nothing was charged.", failure.InnerException, 0) { WasProvablyNotSent = true }
                : new ToApisTransportException(
                    $"{failure.Message}. No task with client_business_id '{businessId}' exists, so nothing was charged.", failure.InnerException, failure.Attempts);
        }

        if (response!.IsAmbiguousFailure)
        {
            throw new ToApisTransportException(
                $"{description} failed {response.Attempts} time(s) (last: HTTP {response.StatusCode} {response.Error.Message}). " +
                $"No task with client_business_id '{businessId}' exists, so nothing was charged.",
                null, response.Attempts);
        }

        return TaskParser.Parse(response.Body, description); // a 2xx without a task, after lookups found none: UnexpectedResponse
    }

    /// <summary>Every way a submit can end without learning whether its task exists ends here.</summary>
    private static ToApisSubmitOutcomeUnknownException OutcomeUnknown(string description, string businessId, string ending, Exception? lookupFailed) =>
        new(businessId,
            $"{description} ended ambiguously ({ending}) and the task could not be looked up by client_business_id '{businessId}'" +
            $"{(lookupFailed is null ? "" : $" ({lookupFailed.Message})")}: the task may have been created. " +
            $"Look it up with Get-ToApisTask -Id {businessId}; rerun with the same -RunKey (or -ClientBusinessId {businessId}) to be safe.",
            lookupFailed);

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
            return response.Task ?? TaskParser.Parse(response.Body, $"GET /{path}"); // unreadable: Parse says why
        }

        var error = response.ToException($"GET /{path}");
        return error.Kind == ApiErrorKind.NotFound ? null : throw error;
    }

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
        var sent = _log.IsDebugEnabled ? await HttpExchangeText.DescribeRequestAsync(request, _connection.Http.DefaultRequestHeaders).ConfigureAwait(false) : null;
        var stopwatch = Stopwatch.StartNew();
        HttpResponseMessage answer;
        try
        {
            answer = await _connection.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception failed) when (sent is not null)
        {
            _log.Debug($"{sent}\n\n(no answer after {stopwatch.ElapsedMilliseconds} ms: {failed.GetBaseException().Message})");
            throw;
        }

        using var response = answer;
        // A server that echoes the key (in an error body, a reason phrase) never gets it onto a stream or into an error;
        // the log masks it too (MaskingRequestLog), headers included.
        var body = _connection.MaskKey(await ReadCappedAsync(response.Content, cancellationToken).ConfigureAwait(false));
        var reason = _connection.MaskKey(response.ReasonPhrase ?? "");
        if (sent is null)
        {
            _log.Verbose($"{method} {uri} -> {(int)response.StatusCode} {reason} in {stopwatch.ElapsedMilliseconds} ms");
        }
        else
        {
            _log.Debug($"{sent}\n\n{HttpExchangeText.DescribeResponse(response, stopwatch.Elapsed, body)}");
        }

        return new ApiResponse(
            (int)response.StatusCode, reason, body, RetryAfter(response),
            NumberHeader(response, "X-RateLimit-Limit") is { } limit ? (int)limit : null, ResetIn(NumberHeader(response, "X-RateLimit-Reset")),
            NumberHeader(response, "X-RateLimit-Remaining") is { } remaining ? (int)remaining : null);
    }

    private static double? NumberHeader(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values)
        && double.TryParse(System.Linq.Enumerable.FirstOrDefault(values), NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
        && number >= 0 && number < int.MaxValue * 1000.0
            ? number
            : null;

    /// <summary>X-RateLimit-Reset is Unix seconds (or milliseconds), or seconds to go: its format is not documented (contract U8).</summary>
    private static TimeSpan? ResetIn(double? reset) => reset switch
    {
        null => null,
        > 1e12 => DateTimeOffset.FromUnixTimeMilliseconds((long)reset.Value) - DateTimeOffset.UtcNow,
        > 1e9 => DateTimeOffset.FromUnixTimeSeconds((long)reset.Value) - DateTimeOffset.UtcNow,
        _ => TimeSpan.FromSeconds(reset.Value),
    };

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        return header?.Date is { } date ? date - DateTimeOffset.UtcNow : null;
    }

    private static async Task<string> ReadCappedAsync(HttpContent? content, CancellationToken cancellationToken)
    {
        if (content is null)
        {
            return "";
        }

        using var stream = await content.ReadAsStreamAsync().ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, 0, chunk.Length, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxResponseBodyBytes)
            {
                throw new IOException($"The response body exceeds {MaxResponseBodyBytes / (1024 * 1024)} MB; it is not a task or error object.");
            }

            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
