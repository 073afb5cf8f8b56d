using System;
using System.Threading;
using System.Threading.Tasks;
using Polly.Retry;
using ToApis.Models;

namespace ToApis.Client.Resilience;

/// <summary>
/// A submit's reconciliation, whole: when it may be sent again and what it comes to. Every attempt sent makes the
/// outcome unknown until the answer says what happened (a task, a refusal) or a lookup by client_business_id
/// finds the task or proves there is none; only then is it sent again (contract rule 3). However the submit
/// ends, an outcome still unknown is reported as such, never as "nothing was charged".
/// </summary>
/// <param name="description">"POST /v1/images/generations", for messages.</param>
/// <param name="stopSending">Cancelled when the command no longer wants the submit sent; an attempt on the wire still runs to its answer.</param>
/// <param name="onSending">Runs immediately before each attempt goes on the wire (a write-ahead record); if it throws, that attempt is not sent.</param>
/// <param name="lookUp">Finds the task by <paramref name="businessId"/>, or null when the service has none.</param>
internal sealed class SubmitReconciliation(
    string description, string businessId, CancellationToken stopSending, Action? onSending, Func<CancellationToken, Task<ToApisTask?>> lookUp)
{
    private int _unresolved;
    private int _sent;
    private ToApisTask? _recovered;
    private Exception? _lookupFailed;

    public CancellationToken StopSending { get; } = stopSending;

    /// <summary>An attempt that may have created the task is unanswered, and no lookup found it.</summary>
    private bool IsUnresolved => Volatile.Read(ref _unresolved) == 1 && _recovered is null;

    /// <summary>
    /// The submit, sent by <paramref name="send"/> through the submit pipeline: the task (answered, or recovered
    /// by a lookup), or the one exception that says truly what is known of the charge.
    /// </summary>
    public async Task<ToApisTask> RunAsync(Func<Task<ApiResponse>> send, IRequestLog log)
    {
        ApiResponse? response = null;
        ToApisTransportException? failure = null;
        try
        {
            response = await send().ConfigureAwait(false);
        }
        catch (ToApisTransportException failed)
        {
            failure = failed;
        }
        catch (Exception ended) when (IsUnresolved)
        {
            throw OutcomeUnknown(ended.Message, _lookupFailed ?? ended); // stopped, or the breaker opened, while an attempt was unanswered
        }

        return Conclude(response, failure, log);
    }

    /// <summary>Immediately before an attempt goes on the wire: not once stopped; from then until answered, the task may exist.</summary>
    public void Sending()
    {
        StopSending.ThrowIfCancellationRequested();
        onSending?.Invoke();
        Interlocked.Increment(ref _sent);
        Volatile.Write(ref _unresolved, 1);
    }

    /// <summary>
    /// The submit pipeline's rule: retry an explicit rejection (429, 503 rate_limit_unavailable, a connection that
    /// never opened), and an ambiguous outcome (timeout, reset, 5xx, unreadable 2xx) only once a lookup found no task.
    /// </summary>
    public async ValueTask<bool> ShouldRetryAsync(RetryPredicateArguments<ApiResponse> args)
    {
        var outcome = args.Outcome;
        if (outcome.Result is { IsRateLimited: true } || ResiliencePipelines.IsProvablyNotSent(outcome.Exception))
        {
            Resolved();
            return true; // nothing was created
        }

        var ambiguous = outcome.Result is { } response
            ? response.IsAmbiguousFailure || ResiliencePipelines.IsUnreadableSuccess(response)
            : ResiliencePipelines.IsTransient(outcome.Exception);
        if (!ambiguous)
        {
            if (outcome.Result is not null)
            {
                Resolved();
            }

            return false;
        }

        var reason = outcome.Result is { } answer ? $"HTTP {answer.StatusCode}" : outcome.Exception?.GetBaseException().Message;
        var request = RequestState.Of(args.Context);
        request.Log.Warning($"{request.Description} ended ambiguously ({reason}); looking the task up by its client_business_id before sending again.");
        return await LookUpAsync(args.Context.CancellationToken).ConfigureAwait(false);
    }

    /// <summary>The service answered the attempt (a task, a refusal) or rejected it before creating anything.</summary>
    private void Resolved() => Volatile.Write(ref _unresolved, 0);

    /// <summary>True when the service has no such task, so sending again cannot charge twice.</summary>
    private async Task<bool> LookUpAsync(CancellationToken cancellationToken)
    {
        try
        {
            _recovered = await lookUp(cancellationToken).ConfigureAwait(false);
            _lookupFailed = null;
            Resolved();
            return _recovered is null;
        }
        catch (Exception failed) when (failed is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _lookupFailed = failed;
            return false;
        }
    }

    /// <param name="failure">The pipeline's transport failure, when it ended in one instead of an answer.</param>
    private ToApisTask Conclude(ApiResponse? response, ToApisTransportException? failure, IRequestLog log)
    {
        if (_recovered is { } recovered)
        {
            log.Verbose($"Recovered task {recovered.Id} by client_business_id '{businessId}'; not resubmitted.");
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

        if (IsUnresolved)
        {
            throw OutcomeUnknown(failure?.Message ?? $"HTTP {response!.StatusCode}{(response.IsSuccess ? " with an unreadable body" : "")}", _lookupFailed);
        }

        const string NothingCharged = "so nothing was charged.";
        if (failure is not null)
        {
            throw Volatile.Read(ref _sent) == 0
                ? new ToApisTransportException($"{failure.Message}. The request was never sent, {NothingCharged}", failure.InnerException, 0)
                : new ToApisTransportException(
                    $"{failure.Message}. No task with client_business_id '{businessId}' exists, {NothingCharged}", failure.InnerException, failure.Attempts);
        }

        if (response!.IsAmbiguousFailure)
        {
            throw new ToApisTransportException(
                $"{description} failed {response.Attempts} time(s) (last: HTTP {response.StatusCode} {response.Error.Message}). " +
                $"No task with client_business_id '{businessId}' exists, {NothingCharged}",
                null, response.Attempts);
        }

        throw response.Unexpected(description, "no task in it"); // a 2xx without a task, after lookups found none
    }

    /// <summary>Every way a submit can end without learning whether its task exists ends here.</summary>
    private ToApisSubmitOutcomeUnknownException OutcomeUnknown(string ending, Exception? lookupFailed) =>
        new(businessId,
            $"{description} ended ambiguously ({ending}) and the task could not be looked up by client_business_id '{businessId}'" +
            $"{(lookupFailed is null ? "" : $" ({lookupFailed.Message})")}: the task may have been created. " +
            $"Look it up with Get-ToApisTask -Id {businessId}; rerun with the same -RunKey (or -ClientBusinessId {businessId}) to be safe.",
            lookupFailed);
}
