using System.Diagnostics;

namespace ToApis.Bench.Measurement;

/// <summary>
/// Working set and CPU of this process over one scenario. Process.PeakWorkingSet64 covers the whole process
/// life, so the working set is sampled on a timer instead and reported against its value at the start.
/// </summary>
internal sealed class ResourceSampler : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    private readonly Timer timer;
    private readonly TimeSpan cpuAtStart;
    private long peak;
    private long gen0Budget;

    private ResourceSampler()
    {
        Baseline = Environment.WorkingSet;
        peak = Baseline;
        cpuAtStart = CpuTime();
        timer = new Timer(_ => Sample(), null, TimeSpan.Zero, Interval);
    }

    /// <summary>Working set after a full collection, just before the scenario starts.</summary>
    public long Baseline { get; }

    public long Peak
    {
        get
        {
            Sample();
            return Interlocked.Read(ref peak);
        }
    }

    public TimeSpan CpuUsed => CpuTime() - cpuAtStart;

    /// <summary>
    /// The most garbage the GC let generation 0 gather before a collection (its budget, which .NET sizes from the
    /// processor's L3 cache): a working set holds this much besides what the process keeps, once it has allocated
    /// that much, whatever it runs.
    /// </summary>
    public long Gen0Budget
    {
        get
        {
            Sample();
            return Interlocked.Read(ref gen0Budget);
        }
    }

    /// <summary>Collects garbage left by earlier work first, so the scenarios start from the same footing.</summary>
    public static ResourceSampler Start()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return new ResourceSampler();
    }

    public void Dispose() => timer.Dispose();

    private static TimeSpan CpuTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    private void Sample()
    {
        RaiseTo(ref peak, Environment.WorkingSet);
        var lastEphemeral = GC.GetGCMemoryInfo(GCKind.Ephemeral);
        if (lastEphemeral.Index > 0)
        {
            RaiseTo(ref gen0Budget, lastEphemeral.GenerationInfo[0].SizeBeforeBytes);
        }
    }

    private static void RaiseTo(ref long highest, long now)
    {
        long seen;
        while (now > (seen = Interlocked.Read(ref highest)) && Interlocked.CompareExchange(ref highest, now, seen) != seen)
        {
        }
    }
}
