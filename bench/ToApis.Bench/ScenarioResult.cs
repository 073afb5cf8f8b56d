namespace ToApis.Bench;

/// <summary>What one scenario did, measured on <see cref="TasksRun"/> tasks and stated for <see cref="TasksFor"/>.</summary>
internal sealed record ScenarioResult(
    ScenarioKind Kind,
    string Title,
    int TasksRun,
    int TasksFor,
    int Completed,
    IReadOnlyList<string> Errors,
    TimeSpan Wall,
    int RateLimited,
    int Submits,
    int Queries,
    IReadOnlyList<TimeSpan> OutputDelays,
    IReadOnlyList<double> OutputSeconds,
    long WorkingSetBefore,
    long WorkingSetPeak,
    long? WorkingSetAtTask100,
    TimeSpan Cpu)
{
    /// <summary>Scenario b runs a sample and is extrapolated linearly: it is strictly sequential.</summary>
    public bool Extrapolated => TasksRun != TasksFor;

    public TimeSpan WallForAll => Wall * ((double)TasksFor / TasksRun);

    public double QueriesPerTask => (double)Queries / TasksRun;

    public TimeSpan CpuPerTask => Cpu / TasksRun;

    public long PeakGrowth => WorkingSetPeak - WorkingSetBefore;

    /// <summary>How far the working set rose after the 100th task came out: flat means memory does not grow per task.</summary>
    public long? GrowthAfterTask100 => WorkingSetPeak - WorkingSetAtTask100;

    public bool AllCompleted => Completed == TasksRun && Errors.Count == 0;

    /// <summary>Nearest-rank percentile of the completion-to-output delays; null when nothing came out.</summary>
    public TimeSpan? DelayPercentile(double fraction)
    {
        if (OutputDelays.Count == 0)
        {
            return null;
        }

        var sorted = OutputDelays.Order().ToList();
        var rank = (int)Math.Ceiling(fraction * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
