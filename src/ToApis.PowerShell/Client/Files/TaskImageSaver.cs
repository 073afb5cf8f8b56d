using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ToApis.Client.Journal;
using ToApis.Models;

namespace ToApis.Client.Files;

/// <summary>What Save-ToApisImage was asked to do with every image.</summary>
internal sealed record SaveOptions(string Folder, string FileNameTemplate, bool Force, bool Sidecar);

/// <summary>One saved image of a task, and whether this run downloaded it or found it saved already.</summary>
internal sealed record TaskImage(ToApisTask Task, int Index, SavedImage Saved, bool FromJournal);

/// <summary>One image to download: its task, its number (0-based), the file name claimed for it, and its source row.</summary>
internal sealed record ImageToSave(ToApisTask Task, int Index, string BaseName, object? Source);

/// <summary>
/// Saves the images of completed tasks: names each from the template, the task and its input row, claiming
/// names in input order; skips an image an earlier run's journal says is saved in the same folder; downloads
/// the rest through <see cref="ResultSaver"/>; writes the sidecar. One instance per command; downloads may run concurrently.
/// </summary>
internal sealed class TaskImageSaver
{
    /// <summary>What the task gives each token; Id and Index always come from it (they make names unique), the others yield to a column of the row.</summary>
    private static readonly Dictionary<string, Func<ToApisTask, int, string>> TaskTokens = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Id"] = (task, _) => task.Id,
        ["Index"] = (_, index) => (index + 1).ToString(CultureInfo.InvariantCulture),
        ["Model"] = (task, _) => task.Model ?? "",
        ["Size"] = (task, _) => task.Size ?? "",
        ["Status"] = (task, _) => task.Status,
        ["ClientBusinessId"] = (task, _) => task.ClientBusinessId ?? "",
        ["Prompt"] = (task, _) => task.Prompt ?? "",
    };

    private static readonly string[] UniqueTokens = { "Id", "Index" };

    private readonly ResultSaver _saver;
    private readonly SaveOptions _options;
    private readonly RunJournal? _journal;
    private readonly IRequestLog _log;
    private readonly ConcurrentDictionary<string, bool> _claimed = new(StringComparer.OrdinalIgnoreCase);

    public TaskImageSaver(ResultSaver saver, SaveOptions options, RunJournal? journal, IRequestLog log)
    {
        _saver = saver;
        _options = options;
        _journal = journal;
        _log = log;
        _saver.NameTakenInThisRun = _claimed.ContainsKey;
    }

    /// <summary>The file name (without extension) of image <paramref name="index"/> (0-based) of <paramref name="task"/>.</summary>
    public string BaseNameFor(ToApisTask task, int index, IReadOnlyDictionary<string, object?> row) =>
        FileNames.Render(
            _options.FileNameTemplate,
            token => TokenValue(token, task, index, row),
            () => TaskTokens.Keys.Concat(row.Keys).Distinct(StringComparer.OrdinalIgnoreCase));

    /// <summary>
    /// Claims <paramref name="baseName"/> for one image of this run; when an earlier image (in input order) holds
    /// it, the first free " (2)", " (3)"… instead, so names follow the input however downloads finish.
    /// </summary>
    public string ClaimName(string baseName)
    {
        var name = baseName;
        for (var suffix = 2; !_claimed.TryAdd(name, true); suffix++)
        {
            name = $"{baseName} ({suffix})";
        }

        return name;
    }

    /// <summary>The image an earlier run's journal says is saved in this folder, with its sidecar written; null when it must be downloaded.</summary>
    /// <param name="source">What the sidecar records as the task's source: the input row, or the prompt given.</param>
    public TaskImage? SavedEarlier(ToApisTask task, int index, object? source)
    {
        if (_journal?.Memory.SavedFileFor(task.Id, index + 1) is not { } earlier || _options.Force || !InTargetFolder(earlier))
        {
            return null;
        }

        _log.Verbose($"'{earlier}' was saved by an earlier run (journal); not downloaded again.");
        var saved = new SavedImage(earlier, ImageFormats.DetectFile(earlier) ?? ImageFormats.Png, new FileInfo(earlier).Length, AlreadyPresent: true);
        return WithSidecar(new TaskImage(task, index, saved, FromJournal: true), source);
    }

    /// <summary>Downloads one image under its claimed name and writes its sidecar.</summary>
    public async Task<TaskImage> DownloadAsync(ImageToSave image, CancellationToken cancellationToken)
    {
        var task = image.Task;
        var saved = await _saver.SaveAsync(
            new Uri(task.ImageUrls[image.Index]), _options.Folder, image.BaseName, _options.Force, task.ExpiresAt, cancellationToken).ConfigureAwait(false);
        return WithSidecar(new TaskImage(task, image.Index, saved, FromJournal: false), image.Source);
    }

    private TaskImage WithSidecar(TaskImage image, object? source)
    {
        if (_options.Sidecar)
        {
            SidecarFile.Write(image.Saved.Path, SidecarContent(image, source));
        }

        return image;
    }

    private bool InTargetFolder(string file) =>
        string.Equals(
            Path.GetFullPath(Path.GetDirectoryName(file)!).TrimEnd(Path.DirectorySeparatorChar),
            Path.GetFullPath(_options.Folder).TrimEnd(Path.DirectorySeparatorChar),
            StringComparison.Ordinal);

    private static string? TokenValue(string token, ToApisTask task, int index, IReadOnlyDictionary<string, object?> row)
    {
        if (!UniqueTokens.Contains(token, StringComparer.OrdinalIgnoreCase) && row.TryGetValue(token, out var column))
        {
            return Convert.ToString(column, CultureInfo.InvariantCulture) ?? "";
        }

        return TaskTokens.TryGetValue(token, out var value) ? value(task, index) : null;
    }

    private static Dictionary<string, object?> SidecarContent(TaskImage image, object? source)
    {
        var task = image.Task;
        return new Dictionary<string, object?>
        {
            ["task_id"] = task.Id,
            ["client_business_id"] = task.ClientBusinessId,
            ["prompt"] = task.Prompt,
            ["model"] = task.Model,
            ["size"] = task.Size,
            ["image_index"] = image.Index + 1,
            ["image_url"] = task.ImageUrls[image.Index],
            ["file"] = Path.GetFileName(image.Saved.Path),
            ["mime_type"] = image.Saved.Format.MimeType,
            ["bytes"] = image.Saved.Length,
            ["created_at"] = task.CreatedAt,
            ["completed_at"] = task.CompletedAt,
            ["expires_at"] = task.ExpiresAt,
            ["source"] = source,
        };
    }
}
