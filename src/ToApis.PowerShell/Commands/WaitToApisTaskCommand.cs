using System;
using System.Collections.Generic;
using System.Management.Automation;
using ToApis.Binding;
using ToApis.Client;
using ToApis.Client.Batches;
using ToApis.Client.Journal;
using ToApis.Client.Polling;
using ToApis.Errors;
using ToApis.Models;
using ToApis.Pipeline;
using ToApis.Session;

namespace ToApis.Commands;

/// <summary>
/// Waits for tasks and emits each one as soon as it completes, while more are still arriving.
/// A failed or timed-out task is a non-terminating error; the others go on.
/// </summary>
[Cmdlet(VerbsLifecycle.Wait, "ToApisTask", DefaultParameterSetName = TaskInput.TaskSet)]
[OutputType(typeof(ToApisTask))]
public sealed class WaitToApisTaskCommand : JournaledCmdletBase, ISessionParameter
{
    private readonly System.Diagnostics.Stopwatch _elapsed = System.Diagnostics.Stopwatch.StartNew();
    private BatchRunner<WaitItem, WaitOutcome>? _runner;
    private ProgressReporter? _progress;
    private int _received;

    /// <summary>Each waited-for task's place in this command's input and its open waits: forgotten when the last ends.</summary>
    private readonly Dictionary<string, (int Row, int Open)> _rowOf = new(StringComparer.Ordinal);

    /// <summary>Tasks; also tasks back from Receive-Job, Import-Clixml or Import-Csv (anything with a task id or image URLs).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = TaskInput.TaskSet)]
    [ValidateNotNull]
    [TaskTransformation]
    public ToApisTask[] Task { get; set; } = [];

    /// <summary>Task ids, or the client_business_id values they were submitted with.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = TaskInput.IdSet)]
    [Alias("TaskId", "task_id")]
    [ValidateNotNullOrEmpty]
    public string[] Id { get; set; } = [];

    /// <summary>How long to wait for each task, in seconds, from when this command receives it.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int TimeoutSec { get; set; } = 300;

    /// <summary>Seconds between looks at a running task; under 5 s only against a service on this machine (the emulator).</summary>
    [Parameter]
    [ValidateRange(0.001, 3600)]
    public double PollIntervalSec { get; set; }

    [Parameter]
    [ValidateNotNull]
    [SessionTransformation]
    public ToApisSession? Session { get; set; }

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        _progress = new ProgressReporter(this, activityId: 2, "Waiting for image tasks");
        var waiter = new TaskWaiter(Client, ChooseCadence(), TimeSpan.FromSeconds(TimeoutSec));
        _runner = new BatchRunner<WaitItem, WaitOutcome>(waiter.WaitAsync, TaskWaiter.Options(TimeProvider.System), CancelToken);
    }

    protected override void ProcessRecord()
    {
        foreach (var task in TaskInput.From(Id, Task))
        {
            _received++;
            _rowOf[task.Id] = _rowOf.TryGetValue(task.Id, out var known) ? (known.Row, known.Open + 1) : (_received, 1);

            _runner!.Add(new WaitItem(task, TaskInput.HasKnownStatus(task)));
        }

        // Emit whatever finished while this input was arriving.
        Drain(_runner!, Emit, DrainUntil.Ready);
        ReportProgress();
    }

    protected override void EndProcessing()
    {
        _runner!.CompleteAdding();
        Drain(_runner, Emit, DrainUntil.Drained);
        _progress?.Complete();
        base.EndProcessing();
    }

    protected override void OnDisposing()
    {
        _runner?.Dispose();
        base.OnDisposing();
    }

    /// <summary>For ToApis.ServiceUnavailable: the tasks still running are not lost.</summary>
    protected override string RunState() => _runner!.Tally.RunState(
        "Wait-ToApisTask", "task", "still running on the service",
        "They are not lost: wait for them again, e.g. by rerunning the same command with the same -RunKey.");

    private void ReportProgress()
    {
        var tally = _runner!.Tally;
        var done = tally.Done + tally.Failed;
        var pending = tally.Read - done;
        // Time left: the pace so far, applied to what is still pending.
        TimeSpan? remaining = done > 0 ? TimeSpan.FromTicks(_elapsed.Elapsed.Ticks / done * pending) : null;
        _progress?.Report($"{tally.Done} completed, {tally.Failed} failed, {pending} pending", done, tally.Read, remaining);
    }

    private PollingCadence ChooseCadence()
    {
        if (PollIntervalSec <= 0)
        {
            return PollingCadence.Contract;
        }

        var interval = TimeSpan.FromSeconds(PollIntervalSec);
        if (interval < PollingCadence.ContractMinimum && !ToApisConnectionSettings.IsLoopback(ActiveSession.BaseUri))
        {
            WriteWarning($"-PollIntervalSec {PollIntervalSec} is faster than the service allows; polling every 5 s instead.");
            interval = PollingCadence.ContractMinimum;
        }

        return PollingCadence.Every(interval);
    }

    private void Emit(BatchOutcome<WaitItem, WaitOutcome> waited)
    {
        var outcome = waited.Result ?? new WaitOutcome(waited.Item.Task, WaitOutcomeKind.Error, waited.Error);
        var task = outcome.Task;
        if (Outcomes.Classify(outcome.Error) == OutcomeClass.Outage)
        {
            // The task is not lost: it still runs on the service. The command stops as a whole.
            WriteFailure(outcome.Error!, task);
        }

        ReportProgress();
        // The row New-ToApisImage read it from, where the task carries it; else its place in this command's input.
        var received = TakeRowNumber(task.Id);
        var row = new InputRow(task.RowNumber ?? received, task);
        switch (outcome.Kind)
        {
            case WaitOutcomeKind.Completed:
                RecordInJournal(JournalEvents.Completed, task); // a failure's one line is journaled with its error
                WriteObject(TaskOutput.ToPSObject(task));
                break;
            case WaitOutcomeKind.Failed:
                WriteItemError(ErrorRecords.From(new ToApisTaskFailedException(task), task), row);
                break;
            case WaitOutcomeKind.TimedOut:
                WriteItemError(ErrorRecords.TaskTimeout(task, TimeoutSec), row);
                break;
            default:
                WriteFailure(outcome.Error!, task, row);
                break;
        }
    }

    private int TakeRowNumber(string taskId)
    {
        if (!_rowOf.TryGetValue(taskId, out var known))
        {
            return _received;
        }

        if (known.Open > 1)
        {
            _rowOf[taskId] = (known.Row, known.Open - 1);
        }
        else
        {
            _rowOf.Remove(taskId);
        }

        return known.Row;
    }
}
