using System;
using System.Threading;
using System.Threading.Tasks;
using ToApis.Client.Journal;
using ToApis.Models;

namespace ToApis.Client.Submitting;

/// <summary>
/// What an earlier run left for a client_business_id: its task, asked of the service first and, where the service
/// cannot look ids up, of the journal; and whether a submit it sent without learning the outcome may be sent again.
/// </summary>
/// <param name="retryUnknown">Pays again for rows an earlier run left with an unknown outcome (-RetryUnknown).</param>
internal sealed class EarlierTasks(ToApisClient client, IRequestLog log, RunJournal? journal, bool retryUnknown)
{
    private readonly object _probeGate = new();
    private Task<bool>? _serviceLooksUpBusinessIds;

    /// <summary>
    /// The task an earlier run made for this id, and whether the service itself answered "no such task" (rather
    /// than refusing the lookup).
    /// </summary>
    public async Task<(ToApisTask? Task, bool ServiceSaysNone)> FindAsync(string clientBusinessId, CancellationToken cancellationToken)
    {
        var serviceSaysNone = false;
        try
        {
            if (await client.FindTaskAsync(clientBusinessId, cancellationToken).ConfigureAwait(false) is { } found)
            {
                return (found, false);
            }

            serviceSaysNone = true;
        }
        catch (ToApisApiException refused) when (refused.Kind == ApiErrorKind.InvalidRequest)
        {
            log.Verbose($"The service cannot look tasks up by client_business_id ({refused.Message}).");
        }

        var task = journal?.Memory.TaskIdFor(clientBusinessId) is { } taskId
            ? await client.FindTaskAsync(taskId, cancellationToken).ConfigureAwait(false)
            : null;
        return (task, serviceSaysNone);
    }

    /// <summary>
    /// Null when the row may be submitted; else why not: an earlier run sent its submit and never learned the
    /// outcome, and neither the service (able to look ids up, saying no such task exists) nor -RetryUnknown clears it.
    /// </summary>
    public async Task<ToApisSubmitOutcomeUnknownException?> LeftUnknownAsync(string businessId, bool serviceSaysNone, CancellationToken cancellationToken)
    {
        if (journal?.Memory.WasLeftUnresolved(businessId) != true)
        {
            return null;
        }

        if (serviceSaysNone && await ServiceLooksUpBusinessIdsAsync(cancellationToken).ConfigureAwait(false))
        {
            return null; // an authoritative "no such task": the earlier submit made none
        }

        if (retryUnknown)
        {
            log.Warning($"An earlier run's submit for client_business_id '{businessId}' has an unknown outcome; submitting it again as -RetryUnknown asks (if the earlier task exists, it is paid twice).");
            return null;
        }

        return new ToApisSubmitOutcomeUnknownException(
            businessId,
            $"An earlier run sent the submit for client_business_id '{businessId}' and never learned its outcome, and the service cannot say whether it created the task: " +
            $"it is not paid for again. The task may have been created: look it up with Get-ToApisTask -Id {businessId}; rerun with the same -RunKey (or -ClientBusinessId) to be safe, " +
            "or with -RetryUnknown to pay for it again.",
            null);
    }

    /// <summary>
    /// Whether a "not found" for a client_business_id means anything here: asked once per batch by looking up a
    /// task the journal knows exists. A service that cannot look ids up answers "not found" to everything.
    /// </summary>
    private Task<bool> ServiceLooksUpBusinessIdsAsync(CancellationToken cancellationToken)
    {
        lock (_probeGate)
        {
            return _serviceLooksUpBusinessIds ??= ProbeAsync();
        }

        async Task<bool> ProbeAsync()
        {
            if (journal?.Memory.KnownTask is not { } known)
            {
                return false;
            }

            try
            {
                var found = await client.FindTaskAsync(known.ClientBusinessId, cancellationToken).ConfigureAwait(false);
                log.Verbose(found is null
                    ? $"The service does not find task {known.TaskId} by its client_business_id '{known.ClientBusinessId}': it cannot look ids up."
                    : $"The service finds tasks by client_business_id: its \"not found\" answers are trusted.");
                return found is not null;
            }
            catch (Exception error) when (error is ToApisApiException or ToApisTransportException)
            {
                return false;
            }
        }
    }
}
