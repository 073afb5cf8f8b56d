using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using ToApis.Binding;
using ToApis.Client;
using ToApis.Client.Batches;
using ToApis.Client.Files;
using ToApis.Client.Journal;
using ToApis.Errors;
using ToApis.Models;
using ToApis.Session;

namespace ToApis.Commands;

/// <summary>
/// Downloads the images of completed tasks into a folder as they arrive, emitting a FileInfo (with TaskId) per image.
/// The cmdlet binds, asks and writes; <see cref="TaskImageSaver"/> names, records and downloads each image, run in
/// the background by a <see cref="BatchRunner{TItem,TResult}"/>.
/// </summary>
[Cmdlet(VerbsData.Save, "ToApisImage", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo))]
public sealed class SaveToApisImageCommand : JournaledCmdletBase, ISessionParameter
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    /// <summary>How long downloads get to stop and delete their temporary files when the command ends early.</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    private TaskImageSaver? _saver;
    private BatchRunner<ImageToSave, TaskImage>? _downloads;
    private string _folder = "";
    private int _received;

    /// <summary>Completed tasks; also tasks back from Receive-Job, Import-Clixml or Import-Csv, and anything with a task id or image URLs.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    [TaskTransformation]
    public ToApisTask[] Task { get; set; } = [];

    [Parameter(Position = 0, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string Path { get; set; } = ".";

    /// <summary>The folder to save into, taken exactly as written (created if missing), for names with [ ] or *.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string LiteralPath { get; set; } = "";

    /// <summary>The file name without extension, from tokens such as {Id}, {Index} and the input row's {Name}; the extension comes from the bytes.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string FileName { get; set; } = FileNames.DefaultTemplate;

    /// <summary>Replace an existing file whose content differs (within one run, equal names still get a suffix).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Also write &lt;image&gt;.json with the prompt, model, size, task id, timestamps and input row.</summary>
    [Parameter]
    public SwitchParameter Sidecar { get; set; }

    /// <summary>Downloads in flight at once: the svip tier's 33 tasks a second, each downloaded in about a second, need about 33.</summary>
    [Parameter]
    [ValidateRange(1, 256)]
    public int ThrottleLimit { get; set; } = 48;

    [Parameter]
    [ValidateNotNull]
    [SessionTransformation]
    public ToApisSession? Session { get; set; }

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        _folder = ParameterSetName == LiteralPathSet ? SessionState.Path.GetUnresolvedProviderPathFromPSPath(LiteralPath) : ResolveFolder(Path);
        _saver = new TaskImageSaver(
            ActiveSession.Connection.CreateResultSaver(RequestLog), new SaveOptions(_folder, FileName, Force, Sidecar), RunJournal, RequestLog);
        // Adding never waits, so the pipeline upstream goes on submitting and polling.
        _downloads = new BatchRunner<ImageToSave, TaskImage>(
            (image, batch) => _saver.DownloadAsync(image, batch.Stopping), new BatchOptions<TaskImage> { ThrottleLimit = ThrottleLimit }, CancelToken);
    }

    protected override void ProcessRecord()
    {
        foreach (var given in Task)
        {
            _received++;
            var inputRow = new InputRow(given.RowNumber ?? _received, given);
            if (Current(given, inputRow) is not { } task)
            {
                continue;
            }

            if (!task.IsCompleted || task.ImageUrls.Length == 0)
            {
                WriteItemError(task.IsCompleted ? ErrorRecords.TaskWithoutImages(task) : ErrorRecords.TaskNotCompleted(task), inputRow);
                continue;
            }

            var source = PSValues.ToPlain(task.InputObject);
            var row = source is Dictionary<string, object?> columns
                ? new Dictionary<string, object?>(columns, StringComparer.OrdinalIgnoreCase)
                : new Dictionary<string, object?>();
            for (var index = 0; index < task.ImageUrls.Length; index++)
            {
                try
                {
                    Schedule(task, index, row, row.Count > 0 ? row : source);
                }
                catch (Exception error) when (error is not PipelineStoppedException)
                {
                    _downloads!.Tally.ItemRead();
                    _downloads.Tally.ItemFailed(error);
                    WriteFailure(error, task, inputRow);
                }
            }
        }

        // Emit what finished while this input arrived; never wait here, or submitting and polling upstream would wait too.
        Drain(_downloads!, Emit, DrainUntil.Ready);
    }

    /// <summary>For ToApis.ServiceUnavailable: what this run saved, and what it did not get to.</summary>
    protected override string RunState() => _downloads!.Tally.RunState(
        "Save-ToApisImage", "image", "not downloaded", "Images of tasks that had not reached it yet were not tried.");

    protected override void EndProcessing()
    {
        _downloads!.CompleteAdding();
        Drain(_downloads, Emit, DrainUntil.Drained);
        base.EndProcessing();
    }

    /// <summary>Stopped or ended early: the downloads were cancelled; give them a moment to delete their temporary files.</summary>
    protected override void OnDisposing()
    {
        _downloads?.Stop(StopGrace);
        _downloads?.Dispose();
        base.OnDisposing();
    }

    /// <summary>Asks, then claims the file name in input order and hands the download over; an image an earlier run saved is emitted at once.</summary>
    private void Schedule(ToApisTask task, int index, IReadOnlyDictionary<string, object?> row, object? source)
    {
        var baseName = _saver!.BaseNameFor(task, index, row);
        if (!ShouldProcess(System.IO.Path.Combine(_folder, baseName + ".*"), $"Save image {index + 1} of task {task.Id}"))
        {
            return;
        }

        if (_saver.SavedEarlier(task, index, source) is { } earlier)
        {
            _downloads!.Tally.ItemRead();
            _downloads.Tally.ItemDone();
            Write(earlier);
            return;
        }

        var claimed = _saver.ClaimName(baseName);
        if (claimed != baseName)
        {
            WriteWarning($"Image {index + 1} of task {task.Id} is named '{baseName}', like an earlier image of this run; it is saved as '{claimed}' instead. Put {{Index}} or {{Id}} in -FileName to tell such images apart.");
        }

        _downloads!.Add(new ImageToSave(task, index, claimed, source));
    }

    private void Emit(BatchOutcome<ImageToSave, TaskImage> outcome)
    {
        if (outcome.Result is { } image)
        {
            Write(image);
        }
        else if (outcome.Error is { } error)
        {
            WriteFailure(error, outcome.Item.Task, outcome.Item.Task.RowNumber is { } number ? new InputRow(number, outcome.Item.Task) : null);
        }
    }

    private void Write(TaskImage image)
    {
        var task = image.Task;
        if (!image.FromJournal)
        {
            RecordInJournal(JournalEvents.Saved, task, image.Saved.Path, image.Index + 1);
        }

        var file = Files.Item(image.Saved.Path);
        file.Properties.Add(new PSNoteProperty("TaskId", task.Id));
        file.Properties.Add(new PSNoteProperty("ImageIndex", image.Index + 1));
        file.Properties.Add(new PSNoteProperty("AlreadyPresent", image.Saved.AlreadyPresent));
        WriteObject(file);
    }

    /// <summary>The task as given when it has images, else (an id alone, a task exported unfinished) as the service knows it now; null after an error.</summary>
    private ToApisTask? Current(ToApisTask task, InputRow row)
    {
        if ((task.IsCompleted && task.ImageUrls.Length > 0) || task.Id.Length == 0)
        {
            return task;
        }

        ToApisTask? current = null;
        Attempt(() => current = Await(Client.GetTaskAsync(task.Id, CancelToken)).WithLocalContextFrom(task), task, row);
        return current;
    }

    /// <summary>-Path names one folder: as written (created if missing), or the one existing folder a pattern matches (never created: -LiteralPath does that).</summary>
    private string ResolveFolder(string path)
    {
        if (!WildcardPattern.ContainsWildcardCharacters(path))
        {
            return SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
        }

        var matches = Files.Matching(path).Where(Directory.Exists).ToList();
        if (matches.Count == 1)
        {
            return matches[0];
        }

        var problem = matches.Count == 0
            ? $"-Path '{path}' has wildcard characters and matches no existing folder; no folder of that name is created."
            : $"-Path '{path}' matches {matches.Count} folders ({string.Join(", ", matches.Take(3).Select(System.IO.Path.GetFileName))}{(matches.Count > 3 ? ", …" : "")}); images go to one.";
        ThrowTerminatingError(ErrorRecords.InvalidPath(
            problem, path,
            matches.Count == 0
                ? "Name an existing folder, or use -LiteralPath to create a folder whose name has [ ] * or ? in it."
                : "Name one folder (a pattern that matches only it, or the folder itself)."));
        return "";
    }
}
