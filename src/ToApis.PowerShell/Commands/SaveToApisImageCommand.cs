using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using ToApis.Binding;
using ToApis.Client;
using ToApis.Client.Files;
using ToApis.Errors;
using ToApis.Models;

namespace ToApis.Commands;

/// <summary>
/// Downloads the images of completed tasks into a folder as they arrive, many at once, named from a template
/// that can use the task and its input row. Never overwrites a different file without -Force; an identical one
/// is kept, so reruns cost nothing. Emits a FileInfo (with TaskId) per image as soon as it is written. The cmdlet
/// binds, asks and writes; <see cref="TaskImageSaver"/> names and records, <see cref="DownloadScheduler"/>
/// downloads in the background.
/// </summary>
[Cmdlet(VerbsData.Save, "ToApisImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo))]
public sealed class SaveToApisImageCommand : JournaledCmdletBase
{
    /// <summary>How long downloads get to stop and delete their temporary files when the command ends early.</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    private TaskImageSaver? _saver;
    private DownloadScheduler? _downloads;
    private string _folder = "";

    /// <summary>Completed tasks, typically from Wait-ToApisTask.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public ToApisTask[] Task { get; set; } = Array.Empty<ToApisTask>();

    /// <summary>The folder to save into; created if missing. Default: the current location.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = ".";

    /// <summary>
    /// The file name without extension. Tokens: {Id}, {Index} (1-based image number), {Model}, {Size}, {Status},
    /// {ClientBusinessId}, {Prompt}, and any column of the task's input row such as {Name}. The extension comes
    /// from the image's bytes.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string FileName { get; set; } = FileNames.DefaultTemplate;

    /// <summary>Replace an existing file whose content differs (within one run, equal names still get a suffix).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Also write &lt;image&gt;.json with the prompt, model, size, task id, timestamps and input row.</summary>
    [Parameter]
    public SwitchParameter Sidecar { get; set; }

    /// <summary>
    /// Downloads in flight at once. Enough to keep up with tasks arriving at the account's pace while each
    /// download takes about a second: the svip tier's 33 tasks a second need about 33.
    /// </summary>
    [Parameter]
    [ValidateRange(1, 256)]
    public int ThrottleLimit { get; set; } = 48;

    protected override void BeginProcessing()
    {
        _folder = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        _saver = new TaskImageSaver(
            ActiveSession.Connection.CreateResultSaver(RequestLog), new SaveOptions(_folder, FileName, Force, Sidecar), RunJournal, RequestLog);
        _downloads = new DownloadScheduler(_saver, ThrottleLimit, outcome => Mailbox.Post(() => Emit(outcome)), CancelToken);
    }

    protected override void ProcessRecord()
    {
        foreach (var task in Task)
        {
            if (!task.IsCompleted || task.ImageUrls.Length == 0)
            {
                WriteError(ErrorRecords.Create(
                    new InvalidOperationException($"Task {task.Id} is '{task.Status}' with {task.ImageUrls.Length} image(s); only completed tasks can be saved."),
                    "ToApis.TaskNotCompleted", ErrorCategory.InvalidOperation, task,
                    "Pipe tasks through Wait-ToApisTask before Save-ToApisImage."));
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
                    WriteFailure(error, task);
                }
            }
        }

        // Emit what finished while this input arrived; never wait here, or submitting and polling upstream would wait too.
        Mailbox.RunPending();
    }

    protected override void EndProcessing()
    {
        _downloads!.CompleteAdding();
        Await(_downloads.Completion);
    }

    /// <summary>Stopped or ended early: the downloads were cancelled; give them a moment to delete their temporary files.</summary>
    protected override void OnDisposing()
    {
        if (_downloads is { } downloads)
        {
            downloads.CompleteAdding();
            downloads.Completion.Wait(StopGrace);
        }
    }

    /// <summary>
    /// Asks (on the pipeline thread), then claims the file name in input order and hands the download to the
    /// scheduler; an image an earlier run saved is emitted at once.
    /// </summary>
    private void Schedule(ToApisTask task, int index, IReadOnlyDictionary<string, object?> row, object? source)
    {
        var baseName = _saver!.BaseNameFor(task, index, row);
        if (!ShouldProcess(System.IO.Path.Combine(_folder, baseName + ".*"), $"Save image {index + 1} of task {task.Id}"))
        {
            return;
        }

        if (_saver.SavedEarlier(task, index, source) is { } earlier)
        {
            Emit(new SaveOutcome(new ImageToSave(task, index, baseName, source), earlier, null));
            return;
        }

        var claimed = _saver.ClaimName(baseName);
        if (claimed != baseName)
        {
            WriteWarning($"Image {index + 1} of task {task.Id} is named '{baseName}', like an earlier image of this run; it is saved as '{claimed}' instead. Put {{Index}} or {{Id}} in -FileName to tell such images apart.");
        }

        _downloads!.Schedule(new ImageToSave(task, index, claimed, source));
    }

    private void Emit(SaveOutcome outcome)
    {
        var task = outcome.Request.Task;
        if (outcome.Image is not { } image)
        {
            WriteFailure(outcome.Error!, task);
            return;
        }

        if (!image.FromJournal)
        {
            RecordInJournal("saved", task, image.Saved.Path, image.Index + 1);
        }

        var file = PSObject.AsPSObject(new FileInfo(image.Saved.Path));
        file.Properties.Add(new PSNoteProperty("TaskId", task.Id));
        file.Properties.Add(new PSNoteProperty("ImageIndex", image.Index + 1));
        file.Properties.Add(new PSNoteProperty("AlreadyPresent", image.Saved.AlreadyPresent));
        WriteObject(file);
    }
}
