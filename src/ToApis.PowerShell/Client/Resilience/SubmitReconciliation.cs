using System;
using System.Threading;
using System.Threading.Tasks;
using ToApis.Models;

namespace ToApis.Client.Resilience;

/// <summary>
/// What one submit knows of its own outcome. Every attempt sent makes the outcome unknown until the answer
/// says what happened (a task, a refusal) or a lookup by client_business_id finds the task or proves there is
/// none. However the submit ends, an outcome still unknown is reported as such, never as "nothing was charged".
/// </summary>
internal sealed class SubmitReconciliation
{
    private readonly string _description;
    private readonly string _businessId;
    private readonly Func<CancellationToken, Task<ToApisTask?>> _lookUp;
    private int _unresolved;
    private int _sent;

    /// <param name="description">"POST /v1/images/generations", for messages.</param>
    /// <param name="lookUp">Finds the task by <paramref name="businessId"/>, or null when the service has none.</param>
    public SubmitReconciliation(string description, string businessId, Func<CancellationToken, Task<ToApisTask?>> lookUp)
    {
        _description = description;
        _businessId = businessId;
        _lookUp = lookUp;
    }

    /// <summary>An attempt that may have created the task is unanswered so far.</summary>
    public bool IsUnresolved => Volatile.Read(ref _unresolved) == 1;

    /// <summary>The task a reconciling lookup found: the submit succeeded after all.</summary>
    public ToApisTask? Recovered { get; private set; }

    /// <summary>Why the last reconciling lookup could not answer.</summary>
    public Exception? LookupFailed { get; private set; }

    /// <summary>An attempt goes on the wire: until it is answered, the task may exist.</summary>
    public void Sending()
    {
        Interlocked.Increment(ref _sent);
        Volatile.Write(ref _unresolved, 1);
    }

    /// <summary>The service answered this attempt (a task, a refusal): its outcome is known.</summary>
    public void Answered() => Volatile.Write(ref _unresolved, 0);

    /// <summary>The attempt was rejected before anything was created (429, a connection that never opened).</summary>
    public void NothingCreated() => Volatile.Write(ref _unresolved, 0);

    /// <summary>True when the service has no such task, so sending again cannot charge twice.</summary>
    public async Task<bool> LookUpAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await _lookUp(cancellationToken).ConfigureAwait(false) is { } found)
            {
                Recovered = found;
                Answered();
                return false;
            }

            LookupFailed = null;
            NothingCreated();
            return true;
        }
        catch (Exception failed) when (failed is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LookupFailed = failed;
            return false;
        }
    }

    /// <summary>
    /// What the submit comes to once its pipeline is done: the task (answered, or recovered by a lookup), or
    /// the one exception that says truly what is known of the charge. <paramref name="failure"/> is the
    /// pipeline's transport failure, when it ended in one instead of an answer.
    /// </summary>
    public ToApisTask Conclude(ApiResponse? response, ToApisTransportException? failure, IRequestLog log)
    {
        if (Recovered is { } recovered)
        {
            log.Verbose($"Recovered task {recovered.Id} by client_business_id '{_businessId}'; not resubmitted.");
            return recovered;
        }

        // A readable answer is the truth, whatever came before it.
        if (response is { IsSuccess: true, Task: { } answered })
        {
            return answered;
        }

        if (response is { IsAmbiguousFailure: false, IsSuccess: false })
        {
            throw response.ToException(_description);
        }

        if (IsUnresolved)
        {
            throw OutcomeUnknown(failure?.Message ?? $"HTTP {response!.StatusCode}{(response.IsSuccess ? " with an unreadable body" : "")}", LookupFailed);
        }

        if (failure is not null)
        {
            throw Volatile.Read(ref _sent) == 0
                ? new ToApisTransportException(
                    $"{failure.Message}. The request was never sent, so nothing was charged.", failure.InnerException, 0) { WasProvablyNotSent = true }
                : new ToApisTransportException(
                    $"{failure.Message}. No task with client_business_id '{_businessId}' exists, so nothing was charged.", failure.InnerException, failure.Attempts);
        }

        if (response!.IsAmbiguousFailure)
        {
            throw new ToApisTransportException(
                $"{_description} failed {response.Attempts} time(s) (last: HTTP {response.StatusCode} {response.Error.Message}). " +
                $"No task with client_business_id '{_businessId}' exists, so nothing was charged.",
                null, response.Attempts);
        }

        throw response.Unexpected(_description, "no task in it"); // a 2xx without a task, after lookups found none
    }

    /// <summary>The submit was stopped (or the breaker opened) while a sent attempt was unanswered: the task may exist.</summary>
    public bool EndedUnanswered => IsUnresolved && Recovered is null;

    /// <summary>Every way a submit can end without learning whether its task exists ends here.</summary>
    public ToApisSubmitOutcomeUnknownException OutcomeUnknown(string ending, Exception? lookupFailed) =>
        new(_businessId,
            $"{_description} ended ambiguously ({ending}) and the task could not be looked up by client_business_id '{_businessId}'" +
            $"{(lookupFailed is null ? "" : $" ({lookupFailed.Message})")}: the task may have been created. " +
            $"Look it up with Get-ToApisTask -Id {_businessId}; rerun with the same -RunKey (or -ClientBusinessId {_businessId}) to be safe.",
            lookupFailed);
}
