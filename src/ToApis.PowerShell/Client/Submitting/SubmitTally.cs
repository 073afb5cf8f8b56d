using System;
using System.Collections.Generic;
using System.Linq;
using ToApis.Models;

namespace ToApis.Client.Submitting;

/// <summary>
/// How a batch of submits stands: rows read, tasks passed on, rows failed, and submits whose outcome is unknown.
/// It words what the user is told when the batch ends early or the service goes down.
/// </summary>
internal sealed class SubmitTally
{
    private readonly List<string> _unknown = new();

    public int Read { get; private set; }

    public int Submitted { get; private set; }

    public int Failed { get; private set; }

    public void RowRead() => Read++;

    public void RowRefused() => Failed++;

    public void TaskPassedOn() => Submitted++;

    /// <summary>Counts a row that ended without a task; an outage is the run's end, not the row's failure.</summary>
    public void RowEnded(Exception error)
    {
        if (error is ToApisSubmitOutcomeUnknownException unknown)
        {
            _unknown.Add(unknown.ClientBusinessId);
        }
        else if (ServiceUnavailableBehind(error) is null)
        {
            Failed++;
        }
    }

    /// <summary>The service outage behind <paramref name="error"/>, if it is one.</summary>
    public static ToApisServiceUnavailableException? ServiceUnavailableBehind(Exception? error) =>
        error as ToApisServiceUnavailableException ?? error?.InnerException as ToApisServiceUnavailableException;

    public string Progress => $"{Submitted} of {Read} submitted" + (Failed > 0 ? $", {Failed} failed" : "");

    /// <summary>For ToApis.ServiceUnavailable: what this run did, what is pending and what it never tried.</summary>
    public string RunState()
    {
        var neverTried = Math.Max(0, Read - Submitted - Failed - _unknown.Count);
        var pending = _unknown.Count == 0 ? "0 pending" : $"{_unknown.Count} pending (submit outcome unknown: client_business_id {string.Join(", ", _unknown)})";
        return $"New-ToApisImage stopped after {Read} row(s): {Submitted} done, {pending}, {Failed} failed, {neverTried} never tried; rows after row {Read} were not read.";
    }

    /// <summary>The warning when a batch ends early with tasks not passed on, or submits unanswered; null when there are none.</summary>
    public static string? StoppedWith(IReadOnlyList<ToApisTask> unseen, IReadOnlyList<ToApisSubmitOutcomeUnknownException> unknown)
    {
        if (unseen.Count + unknown.Count == 0)
        {
            return null;
        }

        var message = "New-ToApisImage stopped early.";
        if (unseen.Count > 0)
        {
            message += $" {unseen.Count} task(s) it created were not passed on (they are paid for and still run): " +
                string.Join("; ", unseen.Select(t => $"{t.Id} (client_business_id {t.ClientBusinessId})")) +
                $". Get them with Get-ToApisTask -Id {string.Join(",", unseen.Select(t => t.Id))}, or rerun with the same -RunKey to reuse them.";
        }

        if (unknown.Count > 0)
        {
            message += $" {unknown.Count} submit(s) had no answer yet, so their tasks may exist: client_business_id " +
                string.Join(", ", unknown.Select(u => u.ClientBusinessId)) + "; look them up with Get-ToApisTask -Id <client_business_id>.";
        }

        return message;
    }
}
