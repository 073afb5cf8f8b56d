using System;
using System.IO;
using System.Management.Automation;
using System.Text;
using ToApis.Client;
using ToApis.Client.Files;
using ToApis.Client.Gallery;
using ToApis.Client.Journal;
using ToApis.Errors;
using ToApis.Journaling;
using ToApis.Models;

namespace ToApis.Commands;

/// <summary>
/// Writes one self-contained HTML page of a run: counts, a thumbnail card per row with its name, prompt, model,
/// size and task id, failed rows with their error and what to do, and a switch that shows only failures.
/// Rows come from a journal, from saved files (Save-ToApisImage output) or tasks piped in, or both.
/// </summary>
[Cmdlet(VerbsData.Export, "ToApisGallery", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo))]
public sealed class ExportToApisGalleryCommand : ToApisCmdletBase
{
    private readonly GalleryBuilder _gallery = new();
    private ToApisRun? _run;

    /// <summary>The HTML file to write (replaced if it exists). Images are linked relative to it, so keep them together.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>The journal of the run (-Journal of New-, Wait- and Save-ToApisImage): every row, saved or failed.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Journal { get; set; }

    /// <summary>Saved files from Save-ToApisImage (they carry TaskId and ImageIndex), or tasks.</summary>
    [Parameter(ValueFromPipeline = true)]
    public PSObject[] InputObject { get; set; } = Array.Empty<PSObject>();

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Title { get; set; }

    protected override void BeginProcessing()
    {
        if (Journal is null)
        {
            return;
        }

        if (RunReport.TryRead(SessionState.Path.GetUnresolvedProviderPathFromPSPath(Journal), Journal, out var unreadable) is not { } summary)
        {
            ThrowTerminatingError(unreadable!);
            return;
        }

        _run = RunReport.ToRun(summary, Journal);
        _gallery.AddRun(summary);
    }

    protected override void ProcessRecord()
    {
        foreach (var item in InputObject)
        {
            switch (item?.BaseObject)
            {
                case FileInfo file:
                    _gallery.AddFile(file.FullName, NoteText(item, "TaskId"), NoteNumber(item, "ImageIndex"));
                    break;
                case ToApisTask task:
                    var failure = task.IsFailed ? ErrorRecords.From(new ToApisTaskFailedException(task), task) : null;
                    _gallery.AddTask(
                        task,
                        task.InputObject is null ? null : JournalRows.Columns(task.InputObject),
                        failure is null ? null : new CardError(failure.FullyQualifiedErrorId, failure.ErrorDetails.Message, failure.ErrorDetails.RecommendedAction));
                    break;
                default:
                    WriteFailure(
                        new ToApisValidationException("InputObject", $"Export-ToApisGallery takes saved files (from Save-ToApisImage) and tasks; a {item?.BaseObject?.GetType().Name ?? "null"} cannot be shown."),
                        item);
                    break;
            }
        }
    }

    protected override void EndProcessing()
    {
        if (Journal is null && _gallery.Cards.Count == 0)
        {
            ThrowTerminatingError(ErrorRecords.From(
                new ToApisValidationException("Journal", "Nothing to show: give -Journal, or pipe saved files or tasks to Export-ToApisGallery."), null));
        }

        var target = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        if (!ShouldProcess(target, "Write the gallery page"))
        {
            return;
        }

        var page = new GalleryPage
        {
            Title = Title ?? (Journal is null ? "ToApis run" : "ToApis run \u00b7 " + System.IO.Path.GetFileName(Journal)),
            Run = _run,
            Cards = _gallery.Cards,
        };
        try
        {
            var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(target))!;
            Directory.CreateDirectory(folder);
            var content = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(page.Render(folder));
            AtomicFile.Write(target, stream => stream.Write(content, 0, content.Length));
        }
        catch (ToApisFileException unsafePath)
        {
            ThrowTerminatingError(ErrorRecords.From(unsafePath, unsafePath.Path));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            ThrowTerminatingError(ErrorRecords.CannotWrite(
                error, Path,
                "Give -Path a file in a folder you can write to."));
        }

        // Through the provider, so the file shows like Get-Item's (mode, size) and carries PSPath.
        WriteObject(SessionState.InvokeProvider.Item.Get(new[] { target }, true, true), enumerateCollection: true);
    }

    private static string? NoteText(PSObject item, string name) =>
        item.Properties[name]?.Value is { } value ? LanguagePrimitives.ConvertTo<string>(value) : null;

    private static int? NoteNumber(PSObject item, string name) =>
        item.Properties[name]?.Value is { } value && LanguagePrimitives.TryConvertTo<int>(value, out var number) ? number : null;
}
