using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using ToApis.Client.Files;
using ToApis.Client.Journal;
using ToApis.Client.Wire;
using ToApis.Models;

namespace ToApis.Client.Gallery;

/// <summary>How a card's row ended.</summary>
internal enum CardState
{
    Done,
    Failed,
    Pending,
}

/// <summary>A failure as the user saw it: ErrorId, message and recommended action.</summary>
internal sealed record CardError(string Id, string Message, string? Action);

/// <summary>One row of the run on the page: its images (files on disk) or its error.</summary>
internal sealed class GalleryCard
{
    public string Name { get; set; } = "";

    public int? RowNumber { get; set; }

    public string? Prompt { get; set; }

    public string? Model { get; set; }

    public string? Size { get; set; }

    public string? TaskId { get; set; }

    public CardState State { get; set; }

    public string? ErrorId { get; set; }

    public string? ErrorMessage { get; set; }

    public string? RecommendedAction { get; set; }

    /// <summary>Saved image files, in image order (full paths).</summary>
    public List<string> Files { get; } = new();
}

/// <summary>
/// Gathers the cards of a gallery: every row of a journal, then saved files and tasks from the pipeline (a file
/// joins its task's card; a file with no journal behind it reads its -Sidecar JSON when there is one).
/// </summary>
internal sealed class GalleryBuilder
{
    private readonly List<GalleryCard> _cards = new();
    private readonly Dictionary<string, GalleryCard> _byTaskId = new(StringComparer.Ordinal);

    public IReadOnlyList<GalleryCard> Cards => _cards;

    public void AddRun(RunSummary run)
    {
        foreach (var row in run.Rows.OrderBy(row => row.RowNumber ?? int.MaxValue).ThenBy(row => row.Order))
        {
            var card = new GalleryCard
            {
                Name = row.Name ?? (row.RowNumber is { } number ? $"Row {number}" : "Row"),
                RowNumber = row.RowNumber,
                Prompt = row.PromptText,
                Model = row.Model ?? row.Row?.Text("Model"),
                Size = row.Size ?? row.Row?.Text("Size"),
                TaskId = row.TaskId,
                State = row.IsFailed ? CardState.Failed : run.IsDone(row) ? CardState.Done : CardState.Pending,
                ErrorId = row.Error?.ErrorId,
                ErrorMessage = row.Error?.ErrorMessage,
                RecommendedAction = row.Error?.RecommendedAction,
            };
            card.Files.AddRange(row.SavedFiles.Values);
            Add(card);
        }
    }

    /// <summary>A saved image (Save-ToApisImage's output): joins its task's card, or makes one.</summary>
    public void AddFile(string path, string? taskId, int? imageIndex)
    {
        var full = Path.GetFullPath(path);
        if (taskId is not null && _byTaskId.TryGetValue(taskId, out var card))
        {
            if (!card.Files.Contains(full, StringComparer.Ordinal))
            {
                card.Files.Add(full);
            }

            if (card.State == CardState.Pending)
            {
                card.State = CardState.Done;
            }

            return;
        }

        card = FromSidecar(full) ?? new GalleryCard { Name = Path.GetFileNameWithoutExtension(full) };
        card.TaskId ??= taskId;
        card.State = CardState.Done;
        card.Files.Add(full);
        Add(card);
    }

    /// <summary>
    /// A task from the pipeline: refreshes its card, or makes one (without images unless they were saved).
    /// <paramref name="failure"/> is how the task's failure was reported, for a failed task.
    /// </summary>
    public void AddTask(ToApisTask task, RowColumns? row, CardError? failure)
    {
        if (!_byTaskId.TryGetValue(task.Id, out var card))
        {
            card = new GalleryCard { Name = row?.Text("Name") ?? task.Id, TaskId = task.Id, State = CardState.Pending };
            Add(card);
        }

        card.Prompt ??= task.Prompt ?? row?.Text("Prompt");
        card.Model ??= task.Model;
        card.Size ??= task.Size;
        if (failure is not null)
        {
            card.State = CardState.Failed;
            card.ErrorId = failure.Id;
            card.ErrorMessage = failure.Message;
            card.RecommendedAction = failure.Action;
        }
        else if (card.State == CardState.Pending && task.IsCompleted && card.Files.Count == 0)
        {
            card.ErrorMessage = $"Completed with {task.ImageUrls.Length} image(s), not saved: pipe the task to Save-ToApisImage before its results expire" +
                (task.ExpiresAt is { } expires ? $" ({expires.UtcDateTime:yyyy-MM-dd HH:mm} UTC)." : ".");
        }
    }

    private void Add(GalleryCard card)
    {
        _cards.Add(card);
        if (card.TaskId is { } taskId)
        {
            _byTaskId[taskId] = card;
        }
    }

    /// <summary>What Save-ToApisImage -Sidecar wrote beside the image, if it did.</summary>
    private static GalleryCard? FromSidecar(string imagePath)
    {
        string text;
        try
        {
            text = File.ReadAllText(SidecarFile.PathFor(imagePath));
        }
        catch (Exception unreadable) when (unreadable is IOException or UnauthorizedAccessException)
        {
            return null; // none, or not readable
        }

        using var document = Json.TryParse(text);
        if (document?.RootElement is not { ValueKind: JsonValueKind.Object } content)
        {
            return null;
        }

        return new GalleryCard
        {
            Name = content.Property("source") is { ValueKind: JsonValueKind.Object } source && source.String("Name") is { Length: > 0 } name
                ? name
                : Path.GetFileNameWithoutExtension(imagePath),
            Prompt = content.String("prompt"),
            Model = content.String("model"),
            Size = content.String("size"),
            TaskId = content.String("task_id"),
        };
    }
}
