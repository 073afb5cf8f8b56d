using System;
using System.Diagnostics;
using System.Management.Automation;

namespace ToApis.Pipeline;

/// <summary>
/// A progress bar updated at most a few times a second (a bulk run would otherwise spend its time drawing),
/// and always closed at the end. $ProgressPreference = 'SilentlyContinue' silences it, as for any cmdlet.
/// </summary>
internal sealed class ProgressReporter
{
    private static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(250);

    private readonly Cmdlet _cmdlet;
    private readonly int _activityId;
    private readonly string _activity;
    private readonly Stopwatch _sinceLast = new();
    private bool _shown;

    public ProgressReporter(Cmdlet cmdlet, int activityId, string activity)
    {
        _cmdlet = cmdlet;
        _activityId = activityId;
        _activity = activity;
    }

    public void Report(string status, int done, int total, TimeSpan? remaining = null)
    {
        if (_shown && _sinceLast.Elapsed < MinimumInterval)
        {
            return;
        }

        var record = new ProgressRecord(_activityId, _activity, status)
        {
            PercentComplete = total > 0 ? Math.Min(100, done * 100 / total) : -1,
            SecondsRemaining = remaining is { } left ? (int)Math.Ceiling(left.TotalSeconds) : -1,
        };
        _cmdlet.WriteProgress(record);
        _shown = true;
        _sinceLast.Restart();
    }

    public void Complete()
    {
        if (!_shown)
        {
            return;
        }

        _cmdlet.WriteProgress(new ProgressRecord(_activityId, _activity, "Done") { RecordType = ProgressRecordType.Completed });
        _shown = false;
    }
}
