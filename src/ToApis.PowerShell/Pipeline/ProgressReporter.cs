using System;
using System.Diagnostics;
using System.Management.Automation;

namespace ToApis.Pipeline;

/// <summary>
/// A progress bar updated at most a few times a second (a bulk run would otherwise spend its time drawing),
/// and always closed at the end. $ProgressPreference = 'SilentlyContinue' silences it, as for any cmdlet.
/// </summary>
internal sealed class ProgressReporter(Cmdlet cmdlet, int activityId, string activity)
{
    private static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(250);

    private readonly Stopwatch _sinceLast = new();
    private bool _shown;

    public void Report(string status, int done, int total, TimeSpan? remaining = null)
    {
        if (_shown && _sinceLast.Elapsed < MinimumInterval)
        {
            return;
        }

        var record = new ProgressRecord(activityId, activity, status)
        {
            PercentComplete = total > 0 ? Math.Min(100, done * 100 / total) : -1,
            SecondsRemaining = remaining is { } left ? (int)Math.Ceiling(left.TotalSeconds) : -1,
        };
        cmdlet.WriteProgress(record);
        _shown = true;
        _sinceLast.Restart();
    }

    public void Complete()
    {
        if (!_shown)
        {
            return;
        }

        cmdlet.WriteProgress(new ProgressRecord(activityId, activity, "Done") { RecordType = ProgressRecordType.Completed });
        _shown = false;
    }
}
