using System;
using System.Threading.Tasks;
using Polly;

namespace ToApis.Client.Resilience;

/// <summary>
/// A strategy that lets each attempt through first (a budget, a breaker) and may look at how it went. A refusal
/// becomes that attempt's outcome, so the strategies outside (the retry) judge it like any other failure.
/// </summary>
/// <param name="enter">Waits until the attempt may go, or throws to refuse it.</param>
/// <param name="afterAttempt">Told what the attempt returned or threw, once it ran.</param>
internal sealed class BeforeAttemptStrategy(Func<ResilienceContext, Task> enter, Action<object?, Exception?>? afterAttempt = null) : ResilienceStrategy
{
    protected override async ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback, ResilienceContext context, TState state)
    {
        try
        {
            await enter(context).ConfigureAwait(context.ContinueOnCapturedContext);
        }
        catch (Exception refused)
        {
            return Outcome.FromException<TResult>(refused);
        }

        var outcome = await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
        afterAttempt?.Invoke(outcome.Result, outcome.Exception);
        return outcome;
    }

    /// <summary>Polly asks every custom strategy for options; ours need nothing but a name.</summary>
    public sealed class Options : ResilienceStrategyOptions;
}
