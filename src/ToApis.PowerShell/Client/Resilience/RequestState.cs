using Polly;

namespace ToApis.Client.Resilience;

/// <summary>What one request carries through its pipeline's strategies, set once by <see cref="ResiliencePipelines.RunAsync"/>.</summary>
/// <param name="description">"POST https://toapis.com/v1/images/generations", for messages.</param>
/// <param name="log">The log of the command that started the request: retries are reported there.</param>
/// <param name="submit">A submit's stop-sending token and reconciliation; null for every other request.</param>
internal sealed class RequestState(string description, IRequestLog log, SubmitReconciliation? submit)
{
    private static readonly ResiliencePropertyKey<RequestState> Key = new("ToApis.Request");

    public string Description { get; } = description;

    public IRequestLog Log { get; } = log;

    public SubmitReconciliation? Submit { get; } = submit;

    public int Attempts { get; set; }

    /// <summary>Set once the request is being retried: its next attempt goes ahead of first attempts in the pace's queue.</summary>
    public bool Retrying { get; set; }

    /// <summary>Retries spent on failures other than a rate limiter's refusal, which are not counted.</summary>
    public int CountedRetries { get; set; }

    /// <summary>
    /// The refusal the request is waiting out (cleared once its next attempt goes on the wire): the answer when the
    /// overall timeout ends the wait. An attempt on the wire when time runs out is an unknown outcome instead.
    /// </summary>
    public ApiResponse? LastRefusal { get; set; }

    public static RequestState Of(ResilienceContext context) => context.Properties.GetValue(Key, null!);

    public void AttachTo(ResilienceContext context) => context.Properties.Set(Key, this);
}
