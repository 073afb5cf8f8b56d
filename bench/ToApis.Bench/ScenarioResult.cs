namespace ToApis.Bench;

/// <summary>What one scenario did, measured on <see cref="TasksRun"/> tasks and stated for <see cref="TasksFor"/>.</summary>
internal sealed record ScenarioResult(
    Scenario Scenario,
    PhysicalLimit Limit,
    int TasksRun,
    int TasksFor,
    int Completed,
    IReadOnlyList<string> Errors,
    int Warnings,
    TimeSpan Wall,
    int RateLimited,
    int Submits,
    int Queries,
    IReadOnlyList<TimeSpan> OutputDelays,
    IReadOnlyList<double> OutputSeconds,
    long PeakGrowth,
    long? GrowthAfterTask100,
    long? HeapGrowthAfterTask100,
    long Gen0Budget,
    TimeSpan Cpu)
{
    public ScenarioKind Kind => Scenario.Kind;

    /// <summary>Scenario b runs a sample and is extrapolated linearly: it is strictly sequential.</summary>
    public bool Extrapolated => TasksRun != TasksFor;

    public TimeSpan WallForAll => Wall * ((double)TasksFor / TasksRun);

    /// <summary>Wall time against this scenario's own physical limit; for b, its projected time for all tasks.</summary>
    public double Ratio => WallForAll / Limit.Total;

    /// <summary>429s for every 100 tasks run: how hard the clients pushed.</summary>
    public double RateLimitedPer100 => 100.0 * RateLimited / TasksRun;

    public double QueriesPerTask => (double)Queries / TasksRun;

    public TimeSpan CpuPerTask => Cpu / TasksRun;

    public bool AllCompleted => Completed == TasksRun && Errors.Count == 0;

    /// <summary>Met, missed, or null when the scenario has no goal.</summary>
    public bool? GoalMet => Scenario.GoalRatio is { } goal
        ? AllCompleted && Ratio <= goal && (Scenario.Goal429s is not { } most || RateLimited <= most)
            && (Scenario.Goal429sPer100 is not { } per100 || RateLimitedPer100 <= per100)
        : null;

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
