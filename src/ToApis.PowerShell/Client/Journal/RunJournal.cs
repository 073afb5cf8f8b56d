using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;
using ToApis.Client.Wire;
using ToApis.Models;

namespace ToApis.Client.Journal;

/// <summary>
/// An append-only record of a bulk run (<c>-Journal run.jsonl</c>): one JSON object a line, flushed as it is
/// written, readable with <c>Get-Content run.jsonl | ConvertFrom-Json</c>. It is the fallback memory of a
/// rerun where the service cannot answer a lookup by client_business_id. Never holds the API key.
/// One instance per command run: it reads what earlier runs recorded when it is opened.
/// </summary>
internal sealed class RunJournal
{
    private readonly object _gate = new();
    private readonly string _path;
    private readonly Dictionary<string, string> _taskIdByBusinessId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _savedFileByImage = new(StringComparer.Ordinal);

    private RunJournal(string path)
    {
        _path = path;
        Load();
    }

    public static RunJournal Open(string path)
    {
        var fullPath = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        return new RunJournal(fullPath);
    }

    /// <summary>The task an earlier run created for this client_business_id, if the journal saw one.</summary>
    public string? TaskIdFor(string clientBusinessId)
    {
        lock (_gate)
        {
            return _taskIdByBusinessId.TryGetValue(clientBusinessId, out var id) ? id : null;
        }
    }

    /// <summary>The file an earlier run saved for this task image, if it is still there.</summary>
    public string? SavedFileFor(string taskId, int imageIndex)
    {
        lock (_gate)
        {
            return _savedFileByImage.TryGetValue($"{taskId}|{imageIndex}", out var file) && File.Exists(file) ? file : null;
        }
    }

    public void Record(string journalEvent, ToApisTask task, string? file = null, int? imageIndex = null, JournalDetails? details = null)
    {
        var line = new Dictionary<string, object?>
        {
            ["time"] = DateTimeOffset.UtcNow,
            ["event"] = journalEvent,
            ["task_id"] = task.Id.Length > 0 ? task.Id : null,
            ["client_business_id"] = task.ClientBusinessId,
            ["status"] = task.Status,
            ["prompt"] = task.Prompt,
            ["error_code"] = task.ErrorCode,
            ["error_message"] = task.ErrorMessage,
            ["image_index"] = imageIndex,
            ["file"] = file,
            ["model"] = task.Model,
            ["size"] = task.Size,
            ["image_count"] = task.ImageUrls.Length > 0 ? task.ImageUrls.Length : null,
        };
        details?.AddTo(line);
        var json = Serialize(line);
        lock (_gate)
        {
            using (var stream = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
            {
                var bytes = Encoding.UTF8.GetBytes(json + "\n");
                stream.Write(bytes, 0, bytes.Length);
                stream.Flush(flushToDisk: true);
            }

            Remember(task.ClientBusinessId, task.Id, journalEvent, imageIndex, file);
        }
    }

    private void Load()
    {
        if (!File.Exists(_path))
        {
            return;
        }

        foreach (var line in File.ReadAllLines(_path))
        {
            // A line cut short by a crash is skipped; everything before it still counts.
            using var document = Json.TryParse(line);
            if (document?.RootElement is { ValueKind: JsonValueKind.Object } entry && entry.String("task_id") is { } taskId)
            {
                Remember(entry.String("client_business_id"), taskId, entry.String("event") ?? "", (int?)entry.Int64("image_index"), entry.String("file"));
            }
        }
    }

    private void Remember(string? clientBusinessId, string taskId, string journalEvent, int? imageIndex, string? file)
    {
        if (clientBusinessId is not null && journalEvent is "submitted" or "reused")
        {
            _taskIdByBusinessId[clientBusinessId] = taskId;
        }

        if (journalEvent == "saved" && file is not null && imageIndex is { } index)
        {
            _savedFileByImage[$"{taskId}|{index}"] = file;
        }
    }

    private static string Serialize(Dictionary<string, object?> line)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            JsonValueWriter.Write(writer, line);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
