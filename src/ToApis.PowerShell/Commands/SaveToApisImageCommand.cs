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
/// Downloads the images of completed tasks into a folder as they arrive, named from a template that can use
/// the task and its input row. Never overwrites a different file without -Force; an identical one is kept,
/// so reruns cost nothing. Emits a FileInfo (with TaskId) per image. The cmdlet binds and writes;
/// <see cref="TaskImageSaver"/> names, downloads and records.
/// </summary>
[Cmdlet(VerbsData.Save, "ToApisImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo))]
public sealed class SaveToApisImageCommand : JournaledCmdletBase
{
    private TaskImageSaver? _saver;
    private string _folder = "";
    private int _images;
    private int _saved;
    private int _failed;

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

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        _folder = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        _saver = new TaskImageSaver(
            ActiveSession.Connection.CreateResultSaver(RequestLog), new SaveOptions(_folder, FileName, Force, Sidecar), RunJournal, RequestLog);
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
            _images += task.ImageUrls.Length;
            for (var index = 0; index < task.ImageUrls.Length; index++)
            {
                try
                {
                    SaveOne(task, index, row, row.Count > 0 ? row : source);
                    _saved++;
                }
                catch (Exception error) when (error is not PipelineStoppedException)
                {
                    _failed += error is ToApisServiceUnavailableException ? 0 : 1;
                    WriteFailure(error, task);
                }
            }
        }
    }

    /// <summary>For ToApis.ServiceUnavailable: what this run saved, and what it did not get to.</summary>
    protected override string RunState() =>
        $"Save-ToApisImage stopped: {_saved} image(s) saved, {_failed} failed, {_images - _saved - _failed} not downloaded; images of tasks that had not reached it yet were not tried.";

    private void SaveOne(ToApisTask task, int index, IReadOnlyDictionary<string, object?> row, object? source)
    {
        var baseName = _saver!.BaseNameFor(task, index, row);
        if (!ShouldProcess(System.IO.Path.Combine(_folder, baseName + ".*"), $"Save image {index + 1} of task {task.Id}"))
        {
            return;
        }

        var image = Await(_saver.SaveAsync(task, index, baseName, source, CancelToken));
        if (!image.FromJournal)
        {
            RecordInJournal("saved", task, image.Saved.Path, index + 1);
        }

        var file = PSObject.AsPSObject(new FileInfo(image.Saved.Path));
        file.Properties.Add(new PSNoteProperty("TaskId", task.Id));
        file.Properties.Add(new PSNoteProperty("ImageIndex", index + 1));
        file.Properties.Add(new PSNoteProperty("AlreadyPresent", image.Saved.AlreadyPresent));
        WriteObject(file);
    }
}
