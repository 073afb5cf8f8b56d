using System;

namespace ToApis.Client.Batches;

/// <summary>What a failure means for the command that met it.</summary>
internal enum OutcomeClass
{
    /// <summary>This item failed; the others go on.</summary>
    PerItem,

    /// <summary>Every later item would fail the same way (a refused key, no balance, no permission): the command ends.</summary>
    EndsCommand,

    /// <summary>The service is down: the command stops as a whole, saying what is under way.</summary>
    Outage,

    /// <summary>A submit was sent and its answer never came: the task may exist, and must not be paid for again blindly.</summary>
    UnknownOutcome,
}

/// <summary>The one place that decides what a failure means: the batch runner, the cmdlets' error writing and the journal ask it.</summary>
internal static class Outcomes
{
    public static OutcomeClass Classify(Exception? error) => error switch
    {
        null => OutcomeClass.PerItem,
        ToApisSubmitOutcomeUnknownException => OutcomeClass.UnknownOutcome, // (an outage may be behind it: see OutageBehind)
        ToApisServiceUnavailableException => OutcomeClass.Outage,
        ToApisApiException { IsFatalForSession: true } => OutcomeClass.EndsCommand,
        _ => OutcomeClass.PerItem,
    };

    /// <summary>Whether <paramref name="error"/> ends the whole command (a refused key or an outage) rather than one item.</summary>
    public static bool EndsTheCommand(Exception? error) => Classify(error) is OutcomeClass.EndsCommand or OutcomeClass.Outage;

    /// <summary>The service outage behind <paramref name="error"/>, if it is one (a submit's unknown outcome may carry it inside).</summary>
    public static ToApisServiceUnavailableException? OutageBehind(Exception? error) =>
        error as ToApisServiceUnavailableException ?? error?.InnerException as ToApisServiceUnavailableException;
}
