using System.Collections.Concurrent;

namespace ToApis.Bench.Measurement;

/// <summary>
/// Called by the scenario's last pipeline stage, <c>ForEach-Object { $recorder.Add($_.Id) }</c>, in the runspace
/// that runs the pipeline: the moment a task (or file) is handed to it is the moment the pipeline emitted it.
/// Public because PowerShell calls its methods.
/// </summary>
public sealed class OutputRecorder
{
    private readonly ConcurrentQueue<OutputRecord> outputs = new();
    private readonly int workingSetCheckpoint;
    private int count;

    public OutputRecorder(int workingSetCheckpoint) => this.workingSetCheckpoint = workingSetCheckpoint;

    public int Count => Volatile.Read(ref count);

    /// <summary>The process working set when the checkpoint-th task came out, if it did.</summary>
    public long? WorkingSetAtCheckpoint { get; private set; }

    /// <summary>
    /// The managed heap after a full collection at the checkpoint: what the client keeps, apart from the garbage
    /// the GC lets pile up to its budget before collecting (which the working set includes).
    /// </summary>
    public long? HeapAtCheckpoint { get; private set; }

    public IReadOnlyList<OutputRecord> Outputs => [.. outputs];

    /// <summary>Records a saved file, then deletes it: a long run's results would otherwise fill the disk.</summary>
    public void AddFile(string taskId, string path)
    {
        Add(taskId);
        File.Delete(path);
    }

    public void Add(string taskId)
    {
        var at = DateTimeOffset.UtcNow;
        outputs.Enqueue(new OutputRecord(taskId, at));
        if (Interlocked.Increment(ref count) == workingSetCheckpoint)
        {
            WorkingSetAtCheckpoint = Environment.WorkingSet;
            HeapAtCheckpoint = GC.GetTotalMemory(forceFullCollection: true);
        }
    }
}

/// <param name="At">Real UTC time at which the pipeline emitted the task.</param>
public sealed record OutputRecord(string TaskId, DateTimeOffset At);
