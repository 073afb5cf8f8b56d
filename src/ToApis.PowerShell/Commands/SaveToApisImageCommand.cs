using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using ToApis.Client;
using ToApis.Client.Files;
using ToApis.Models;

namespace ToApis.Commands;

/// <summary>
/// Downloads the images of completed tasks into a folder as they arrive, named from a template that can use
/// the task and its input row. Never overwrites a different file without -Force; an identical one is kept,
/// so reruns cost nothing. Emits a FileInfo (with TaskId) per image.
/// </summary>
[Cmdlet(VerbsData.Save, "ToApisImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo))]
public sealed class SaveToApisImageCommand : JournaledCmdletBase
{
    private ResultSaver? _saver;
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

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        _folder = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        _saver = ActiveSession.Connection.CreateResultSaver(RequestLog);
    }

    protected override void ProcessRecord()
    {
        foreach (var task in Task)
        {
            if (!task.IsCompleted || task.ImageUrls.Length == 0)
            {
                WriteItemError(ErrorRecords.Create(
                    new InvalidOperationException($"Task {task.Id} is '{task.Status}' with {task.ImageUrls.Length} image(s); only completed tasks can be saved."),
                    "ToApis.TaskNotCompleted", ErrorCategory.InvalidOperation, task,
                    "Pipe tasks through Wait-ToApisTask before Save-ToApisImage."));
                continue;
            }

            var row = RowValues(task.InputObject);
            for (var index = 0; index < task.ImageUrls.Length; index++)
            {
                try
                {
                    SaveOne(task, index, row);
                }
                catch (Exception error) when (error is not PipelineStoppedException)
                {
                    WriteFailure(error, task);
                }
            }
        }
    }

    private void SaveOne(ToApisTask task, int index, IReadOnlyDictionary<string, object?> row)
    {
        var baseName = FileNames.Render(FileName, token => TokenValue(token, task, index, row), () => KnownTokens(row));
        if (!ShouldProcess(System.IO.Path.Combine(_folder, baseName + ".*"), $"Save image {index + 1} of task {task.Id}"))
        {
            return;
        }

        SavedImage saved;
        if (RunJournal?.SavedFileFor(task.Id, index + 1) is { } earlier && !Force && InTargetFolder(earlier))
        {
            WriteVerbose($"'{earlier}' was saved by an earlier run (journal); not downloaded again.");
            saved = new SavedImage(earlier, ImageFormats.DetectFile(earlier) ?? ImageFormats.Png, new FileInfo(earlier).Length, AlreadyPresent: true);
        }
        else
        {
            saved = Await(_saver!.SaveAsync(new Uri(task.ImageUrls[index]), _folder, baseName, Force, task.ExpiresAt, CancelToken));
            RecordInJournal("saved", task, saved.Path, index + 1);
        }

        if (Sidecar)
        {
            SidecarFile.Write(saved.Path, SidecarContent(task, index, saved, row));
        }

        var file = PSObject.AsPSObject(new FileInfo(saved.Path));
        file.Properties.Add(new PSNoteProperty("TaskId", task.Id));
        file.Properties.Add(new PSNoteProperty("ImageIndex", index + 1));
        file.Properties.Add(new PSNoteProperty("AlreadyPresent", saved.AlreadyPresent));
        WriteObject(file);
    }

    private bool InTargetFolder(string file) =>
        string.Equals(
            System.IO.Path.GetFullPath(System.IO.Path.GetDirectoryName(file)!).TrimEnd(System.IO.Path.DirectorySeparatorChar),
            System.IO.Path.GetFullPath(_folder).TrimEnd(System.IO.Path.DirectorySeparatorChar),
            StringComparison.Ordinal);

    private static readonly string[] TaskTokens = { "Id", "Index", "Model", "Size", "Status", "ClientBusinessId", "Prompt" };

    /// <summary>Id and Index always come from the task (they make names unique); other tokens prefer the row's column.</summary>
    private static string? TokenValue(string token, ToApisTask task, int index, IReadOnlyDictionary<string, object?> row)
    {
        if (token.Equals("Id", StringComparison.OrdinalIgnoreCase))
        {
            return task.Id;
        }

        if (token.Equals("Index", StringComparison.OrdinalIgnoreCase))
        {
            return (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (row.TryGetValue(token, out var column))
        {
            return LanguagePrimitives.ConvertTo<string>(column) ?? "";
        }

        return token.ToLowerInvariant() switch
        {
            "model" => task.Model ?? "",
            "size" => task.Size ?? "",
            "status" => task.Status,
            "clientbusinessid" => task.ClientBusinessId ?? "",
            "prompt" => task.Prompt ?? "",
            _ => null,
        };
    }

    private static IEnumerable<string> KnownTokens(IReadOnlyDictionary<string, object?> row) =>
        TaskTokens.Concat(row.Keys).Distinct(StringComparer.OrdinalIgnoreCase);

    private static IReadOnlyDictionary<string, object?> RowValues(object? inputObject) =>
        PSValues.ToPlain(inputObject) is Dictionary<string, object?> row
            ? new Dictionary<string, object?>(row, StringComparer.OrdinalIgnoreCase)
            : new Dictionary<string, object?>();

    private static Dictionary<string, object?> SidecarContent(
        ToApisTask task, int index, SavedImage saved, IReadOnlyDictionary<string, object?> row) => new()
    {
        ["task_id"] = task.Id,
        ["client_business_id"] = task.ClientBusinessId,
        ["prompt"] = task.Prompt,
        ["model"] = task.Model,
        ["size"] = task.Size,
        ["image_index"] = index + 1,
        ["image_url"] = task.ImageUrls[index],
        ["file"] = System.IO.Path.GetFileName(saved.Path),
        ["mime_type"] = saved.Format.MimeType,
        ["bytes"] = saved.Length,
        ["created_at"] = task.CreatedAt,
        ["completed_at"] = task.CompletedAt,
        ["expires_at"] = task.ExpiresAt,
        ["source"] = row.Count > 0 ? row : PSValues.ToPlain(task.InputObject),
    };
}
