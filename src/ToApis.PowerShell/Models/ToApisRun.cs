using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace ToApis.Models;

/// <summary>
/// What a journaled bulk run (New-, Wait-, Save- with -Journal) came to, read from its journal: one row per
/// input row, however many times it was rerun, counted by where it ended.
/// </summary>
public sealed class ToApisRun
{
    public string Journal { get; set; } = "";

    /// <summary>Input rows the journal knows of (a row retried by a rerun counts once).</summary>
    public int Rows { get; set; }

    /// <summary>Tasks submitted (each one paid for).</summary>
    public int Submitted { get; set; }

    /// <summary>Tasks an earlier run had made that a rerun used again instead of paying twice.</summary>
    public int Reused { get; set; }

    /// <summary>Rows whose task completed (saved or not).</summary>
    public int Completed { get; set; }

    /// <summary>Rows that ended in an error: refused before submitting, failed, timed out, or not saved.</summary>
    public int Failed { get; set; }

    /// <summary>Rows all of whose images were saved.</summary>
    public int Saved { get; set; }

    /// <summary>Rows that neither failed nor reached the run's last step (still running, or the run was stopped).</summary>
    public int Pending { get; set; }

    /// <summary>
    /// The furthest step the run took: Submit (New-ToApisImage), Wait (Wait-ToApisTask) or Save (Save-ToApisImage).
    /// A row is done when it got through that step.
    /// </summary>
    public string LastStep { get; set; } = RunSteps.Submit;

    /// <summary>Images the completed tasks made: the unit the service charges by.</summary>
    public int Images { get; set; }

    /// <summary>
    /// What the API key spent while the run lasted, from its balance read when each invocation began and ended
    /// (journaled runs); empty when no invocation read both. Other use of the same key in that time is included.
    /// </summary>
    public ToApisRunCost? Cost { get; set; }

    public DateTimeOffset? Started { get; set; }

    public DateTimeOffset? Finished { get; set; }

    public TimeSpan? Duration { get; set; }

    public double? ImagesPerMinute { get; set; }

    /// <summary>Failed rows by ErrorId (ToApis.TaskFailed, ToApis.InvalidParameter, ...), most frequent first.</summary>
    public IDictionary<string, int> Errors { get; set; } = new Dictionary<string, int>();

    /// <summary>
    /// The input objects (CSV rows with all their columns) of every row that did not end done (failed or
    /// pending), in input order: pipe them to New-ToApisImage with the same parameters to retry exactly them.
    /// </summary>
    public object[] FailedRows { get; set; } = Array.Empty<object>();

    /// <summary>The closing line: "20 rows: 17 saved, 2 failed (ToApis.TaskFailed 2), 1 pending; 17 images in 1m 12s (14.2 per minute)."</summary>
    public override string ToString()
    {
        var text = $"{Rows} {Plural(Rows, "row")}: {Done()}, {Failed} failed{ErrorList()}, {Pending} pending; " +
            $"{Images} {Plural(Images, "image")}";
        if (Duration is { } duration)
        {
            text += " in " + FormatDuration(duration);
            if (ImagesPerMinute is { } pace)
            {
                text += $" ({pace.ToString("0.#", CultureInfo.InvariantCulture)} per minute)";
            }
        }

        return text + (Cost is { } cost ? $"; {cost}" : "") + ".";
    }

    /// <summary>A duration as a person reads it: 45s, 3m 05s, 2h 10m.</summary>
    public static string FormatDuration(TimeSpan duration) => duration.TotalHours >= 1
        ? $"{(int)duration.TotalHours}h {duration.Minutes:00}m"
        : duration.TotalMinutes >= 1
            ? $"{(int)duration.TotalMinutes}m {duration.Seconds:00}s"
            : $"{Math.Max(0, duration.TotalSeconds).ToString("0.#", CultureInfo.InvariantCulture)}s";

    /// <summary>Errors as "ToApis.TaskFailed 2, ToApis.InvalidParameter 1".</summary>
    public string ErrorSummary() => string.Join(", ", Errors.Select(e => $"{e.Key} {e.Value}"));

    private string Done() => $"{Rows - Failed - Pending} " + LastStep switch
    {
        RunSteps.Save => "saved",
        RunSteps.Wait => "completed",
        _ => "submitted",
    };

    private string ErrorList() => Errors.Count > 0 ? $" ({ErrorSummary()})" : "";

    private static string Plural(int count, string noun) => count == 1 ? noun : noun + "s";
}

/// <summary>The steps of a bulk run, in order.</summary>
public static class RunSteps
{
    public const string Submit = "Submit";
    public const string Wait = "Wait";
    public const string Save = "Save";
}
