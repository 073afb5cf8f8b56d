using System;
using System.Collections.Generic;

namespace ToApis.Client.Batches;

/// <summary>
/// How a command's batch stands: items read, done, failed, and submits whose outcome is unknown. It words the
/// progress line and the run state a command reports when it stops as a whole. Used on the pipeline thread only.
/// </summary>
internal sealed class BatchTally
{
    private readonly List<string> _unknown = new();

    public int Read { get; private set; }

    public int Done { get; private set; }

    public int Failed { get; private set; }

    public IReadOnlyList<string> Unknown => _unknown;

    /// <summary>Items read but neither done, failed nor unknown: under way, or never tried.</summary>
    public int Open => Math.Max(0, Read - Done - Failed - _unknown.Count);

    public void ItemRead() => Read++;

    public void ItemDone() => Done++;

    /// <summary>Counts an item that ended without its result; an outage is the run's end, not the item's failure.</summary>
    public void ItemFailed(Exception? error)
    {
        if (error is ToApisSubmitOutcomeUnknownException unknown)
        {
            _unknown.Add(unknown.ClientBusinessId);
        }
        else if (Outcomes.Classify(error) != OutcomeClass.Outage)
        {
            Failed++;
        }
    }

    public string Progress(string doneVerb) => $"{Done} of {Read} {doneVerb}" + (Failed > 0 ? $", {Failed} failed" : "");

    /// <summary>
    /// For a command stopped as a whole: what it did, what it leaves (<paramref name="open"/> says what the open
    /// items are), the submits whose outcome is unknown, and <paramref name="then"/>, what the user can do next.
    /// </summary>
    public string RunState(string command, string unit, string open, string then)
    {
        var unknown = _unknown.Count == 0 ? "" : $", {_unknown.Count} pending (submit outcome unknown: client_business_id {string.Join(", ", _unknown)})";
        return $"{command} stopped after {Read} {unit}(s): {Done} done{unknown}, {Failed} failed, {Open} {open}. {then}";
    }
}
