using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using ToApis.Client.Files;
using ToApis.Client.RateLimiting;
using ToApis.Client.Resilience;
using ToApis.Client.Wire;
using ToApis.Models;

namespace ToApis.Client;

/// <summary>The API calls, free of PowerShell: one instance per command over the shared connection, telling its own log.</summary>
internal sealed class ToApisClient(ToApisConnection connection, IRequestLog log)
{
    /// <summary>Every documented task id starts so; client_business_ids this module makes never do.</summary>
    private const string TaskIdPrefix = "tsk_";

    private readonly HttpTransport _transport = new(connection.Http, log, connection.Time);

    /// <summary>
    /// Creates a task, reconciled by its client_business_id (<see cref="SubmitReconciliation"/>) so a network fault
    /// never creates a second billable task. <paramref name="stopSending"/> ends the request only while nothing is on
    /// the wire; an attempt already sent runs to its answer unless <paramref name="abort"/> is cancelled, so a created
    /// task is never lost from view. <paramref name="onSending"/> runs once the request has its rate-limit slot,
    /// immediately before each attempt goes on the wire: the place for a write-ahead record.
    /// </summary>
    public async Task<ToApisTask> SubmitAsync(GenerationRequest request, CancellationToken stopSending, CancellationToken abort, Action? onSending = null)
    {
        if (string.IsNullOrEmpty(request.ClientBusinessId))
        {
            request.ClientBusinessId = BusinessIds.NewRandom();
        }

        var businessId = request.ClientBusinessId!;
        var body = request.ToJson();
        var submit = new SubmitReconciliation($"POST /{request.Path}", businessId, stopSending, onSending, token => FindTaskAsync(businessId, token));
        return await submit.RunAsync(
            () => SendAsync(HttpMethod.Post, request.Path, () => JsonContent(body), RequestCategory.Submit, abort, submit), log).ConfigureAwait(false);
    }

    /// <summary>The task by id or client_business_id; a task-not-found answer is an error.</summary>
    public async Task<ToApisTask> GetTaskAsync(string idOrBusinessId, CancellationToken cancellationToken) =>
        await FindTaskAsync(idOrBusinessId, cancellationToken).ConfigureAwait(false)
        ?? throw new ToApisApiException(
            ApiErrorKind.NotFound, 404, "task_not_found", $"No task '{idOrBusinessId}' exists for this API key's account.",
            requestDescription: $"GET /{TaskPath(idOrBusinessId)}");

    /// <summary>The task by id or client_business_id, or null when the service says there is none.</summary>
    public async Task<ToApisTask?> FindTaskAsync(string idOrBusinessId, CancellationToken cancellationToken)
    {
        var path = TaskPath(idOrBusinessId);
        var response = await SendAsync(HttpMethod.Get, path, null, RequestCategory.Query, cancellationToken).ConfigureAwait(false);
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

    /// <summary>Uploads a checked local image as multipart field <c>file</c>; uploads cost nothing, so they are retried like reads.</summary>
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

        var response = await SendAsync(HttpMethod.Post, path, Form, null, cancellationToken).ConfigureAwait(false);
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
        var response = await SendAsync(HttpMethod.Get, path, null, null, cancellationToken).ConfigureAwait(false);
        return AccountParser.ParseModels(response, $"GET /{path}");
    }

    /// <summary>The quota of this key, or of the whole account with <paramref name="wholeAccount"/>.</summary>
    public async Task<ToApisBalance> GetBalanceAsync(bool wholeAccount, CancellationToken cancellationToken)
    {
        var path = wholeAccount ? "v1/user/balance" : "v1/balance";
        var response = await SendAsync(HttpMethod.Get, path, null, null, cancellationToken).ConfigureAwait(false);
        return AccountParser.ParseBalance(response, $"GET /{path}", wholeAccount ? "User" : "Token");
    }

    private static string TaskPath(string idOrBusinessId) => "v1/images/generations/" + Uri.EscapeDataString(idOrBusinessId);

    private static HttpContent JsonContent(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    /// <summary>
    /// Sends through the pipeline of <paramref name="pacedAs"/> (submits, queries; null: uploads and account reads),
    /// which paces by the account's budget before every attempt; every answer informs the account's pacer.
    /// </summary>
    private async Task<ApiResponse> SendAsync(
        HttpMethod method, string path, Func<HttpContent>? content, RequestCategory? pacedAs, CancellationToken cancellationToken,
        SubmitReconciliation? submit = null)
    {
        var uri = new Uri(connection.ApiRoot, path);
        var pipelines = connection.Pipelines;
        var (response, attempts) = await pipelines.RunAsync(
            pacedAs switch { RequestCategory.Submit => pipelines.Submit, RequestCategory.Query => pipelines.Query, _ => pipelines.Read },
            $"{method} {uri}", log,
            async context =>
            {
                submit?.Sending();
                using var request = new HttpRequestMessage(method, uri) { Content = content?.Invoke() };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", connection.BearerToken);
                var answer = await _transport.ExchangeAsync(request, connection.Mask, context.CancellationToken).ConfigureAwait(false);
                // A 503 rate_limit_unavailable says the limiter is down, nothing about the pace: it is only retried.
                if (pacedAs is { } category && !answer.IsLimiterUnavailable)
                {
                    connection.RateLimiter.Observe(category, answer.Limits, log);
                }

                return answer;
            },
            cancellationToken, submit).ConfigureAwait(false);
        response.Attempts = attempts;
        return response;
    }
}
