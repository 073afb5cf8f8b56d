using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using ToApis.Client.Wire;
using ToApis.Models;

namespace ToApis.Client.Journal;

/// <summary>
/// An append-only record of a bulk run (<c>-Journal run.jsonl</c>): one JSON object a line, readable with
/// <c>Get-Content run.jsonl | ConvertFrom-Json</c>, never holding the API key. It is the memory of a rerun:
/// the task ids and saved files of earlier runs, and the submits whose outcome nobody learned (a
/// <c>submitting</c> line is written before every submit is sent, so a crash cannot hide one).
/// <para>
/// One run at a time: opening takes the journal's <see cref="RunLock"/>, so runs in other processes wait.
/// Within a process, the cmdlets of a pipeline share one instance (counted; <see cref="Release"/> each).
/// Each record is one write of a whole line at the end of the file, under the lock; a write that fails
/// (a full disk) is cut back off, and a torn last line from a crash is skipped when read and ended with a
/// newline before the next record, so no record is ever glued to a fragment.
/// </para>
/// </summary>
internal sealed class RunJournal
{
    private static readonly Dictionary<string, RunJournal> OpenInThisProcess = new(StringComparer.Ordinal);

    private readonly object _gate = new();
    private readonly RunLock _lock;
    private readonly FileStream _file;
    private readonly Dictionary<string, string> _taskIdByBusinessId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _savedFileByImage = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unresolvedByEarlierRuns = new(StringComparer.Ordinal);
    private (string ClientBusinessId, string TaskId)? _knownTask;
    private bool _mayEndMidLine;
    private bool _balanceReadAtStart;
    private int _users = 1;

    private RunJournal(string path, RunLock runLock)
    {
        Path = path;
        _lock = runLock;
        _file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
        Load();
    }

    public string Path { get; }

    /// <summary>
    /// The journal at <paramref name="path"/>, for one command of this process: shared with the other commands of
    /// the run. Waits for a run of another process that holds it (see <see cref="RunLock.Acquire"/>).
    /// </summary>
    public static RunJournal Open(string path, string command, TimeSpan lockTimeout, Action<string> onWaiting, CancellationToken cancellationToken)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(fullPath)!);
        var runLock = RunLock.Acquire(
            fullPath + RunLock.Extension, $"The journal '{fullPath}'", command, lockTimeout, onWaiting, cancellationToken);
        try
        {
            lock (OpenInThisProcess)
            {
                if (OpenInThisProcess.TryGetValue(fullPath, out var shared))
                {
                    shared._users++;
                    runLock.Dispose(); // the shared instance holds one already
                    return shared;
                }

                var journal = new RunJournal(fullPath, runLock);
                OpenInThisProcess[fullPath] = journal;
                return journal;
            }
        }
        catch
        {
            runLock.Dispose();
            throw;
        }
    }

    /// <summary>This command is done with the journal; the last one closes it and releases the lock.</summary>
    public void Release()
    {
        lock (OpenInThisProcess)
        {
            if (--_users > 0)
            {
                return;
            }

            OpenInThisProcess.Remove(Path);
        }

        lock (_gate)
        {
            _file.Dispose();
        }

        _lock.Dispose();
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

    /// <summary>
    /// An earlier run sent a submit with this client_business_id and never learned whether it created a task
    /// (it was stopped or killed with the submit unanswered, or the lookups failed).
    /// </summary>
    public bool WasLeftUnresolved(string clientBusinessId)
    {
        lock (_gate)
        {
            return _unresolvedByEarlierRuns.Contains(clientBusinessId);
        }
    }

    /// <summary>A task an earlier run created, with its client_business_id: lets a rerun ask the service whether it can look ids up.</summary>
    public (string ClientBusinessId, string TaskId)? KnownTask
    {
        get
        {
            lock (_gate)
            {
                return _knownTask;
            }
        }
    }

    /// <summary>A step of a task; <paramref name="details"/> adds the input row and, on an error line, the error.</summary>
    public void Record(string journalEvent, ToApisTask task, string? file = null, int? imageIndex = null, JournalDetails? details = null) =>
        Append(new JournalLine(journalEvent)
        {
            TaskId = task.Id.Length > 0 ? task.Id : null,
            ClientBusinessId = task.ClientBusinessId,
            Status = task.Status,
            Prompt = task.Prompt,
            Model = task.Model,
            Size = task.Size,
            ImageCount = task.ImageUrls.Length > 0 ? task.ImageUrls.Length : null,
            ErrorCode = task.ErrorCode,
            ErrorMessage = task.ErrorMessage,
            ImageIndex = imageIndex,
            File = file,
            Details = details,
        });

    /// <summary>A step of a submit that has no task (yet): <c>submitting</c>, <c>not_submitted</c>, <c>unknown</c>.</summary>
    public void RecordSubmit(string journalEvent, string clientBusinessId, string? prompt, string? model, int? row, string? error = null) =>
        Append(new JournalLine(journalEvent)
        {
            ClientBusinessId = clientBusinessId,
            Prompt = prompt,
            Model = model,
            RowNumber = row,
            ErrorMessage = error,
        });

    /// <summary>A journaled cmdlet of this run began (see <see cref="JournalEvents.Step"/>).</summary>
    public void RecordStep(string cmdlet) =>
        Append(new JournalLine(JournalEvents.Step) { Details = new JournalDetails { Cmdlet = cmdlet } });

    /// <summary>The key's balance when this run begins or ends (<see cref="BalanceReadings"/>).</summary>
    public void RecordBalance(string at, ToApisBalance balance)
    {
        Append(new JournalLine(JournalEvents.Balance) { BalanceAt = at, Balance = balance });
        lock (_gate)
        {
            _balanceReadAtStart = at == BalanceReadings.Start;
        }
    }

    /// <summary>This run read the balance when it began and not yet when it ended.</summary>
    public bool AwaitsClosingBalance
    {
        get
        {
            lock (_gate)
            {
                return _balanceReadAtStart;
            }
        }
    }

    private void Append(JournalLine entry)
    {
        var line = Encoding.UTF8.GetBytes(entry.ToJson() + "\n");
        lock (_gate)
        {
            var end = _file.Seek(0, SeekOrigin.End);
            var bytes = _mayEndMidLine && end > 0 && LastByte(end) != (byte)'\n' ? Prefixed(line) : line;
            try
            {
                // One write of the whole line: a kill leaves it whole or absent.
                _file.Write(bytes, 0, bytes.Length);
                _file.Flush(flushToDisk: true);
                _mayEndMidLine = false;
            }
            catch (IOException)
            {
                // Part of the line may be on disk (a full disk): cut it off, or end it before the next record.
                try
                {
                    _file.SetLength(end);
                }
                catch (IOException)
                {
                    _mayEndMidLine = true;
                }

                throw;
            }

            Remember(entry, loadedFromEarlierRun: false);
        }
    }

    private byte LastByte(long length)
    {
        _file.Seek(length - 1, SeekOrigin.Begin);
        var last = _file.ReadByte();
        _file.Seek(0, SeekOrigin.End);
        return (byte)last;
    }

    private static byte[] Prefixed(byte[] line)
    {
        var bytes = new byte[line.Length + 1];
        bytes[0] = (byte)'\n';
        Buffer.BlockCopy(line, 0, bytes, 1, line.Length);
        return bytes;
    }

    private void Load()
    {
        if (_file.Length == 0)
        {
            return;
        }

        _mayEndMidLine = true;
        using var reader = new StreamReader(_file, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 4096, leaveOpen: true);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            // A line cut short by a crash is skipped; everything before it still counts.
            using var document = Json.TryParse(line);
            if (document?.RootElement is { ValueKind: JsonValueKind.Object } entry)
            {
                Remember(JournalLine.From(entry), loadedFromEarlierRun: true);
            }
        }
    }

    private void Remember(JournalLine entry, bool loadedFromEarlierRun)
    {
        var businessId = entry.ClientBusinessId;
        if (businessId is not null && entry.TaskId is { } createdTaskId && entry.Event is JournalEvents.Submitted or JournalEvents.Reused)
        {
            _taskIdByBusinessId[businessId] = createdTaskId;
            _knownTask ??= (businessId, createdTaskId);
        }

        if (entry.Event == JournalEvents.Saved && entry.File is not null && entry.TaskId is { } savedTaskId && entry.ImageIndex is { } index)
        {
            _savedFileByImage[$"{savedTaskId}|{index}"] = entry.File;
        }

        if (businessId is null)
        {
            return;
        }

        if (entry.Event is JournalEvents.Submitting or JournalEvents.Unknown)
        {
            // This run's own unanswered submits are the engine's to report, not a rerun's question.
            if (loadedFromEarlierRun)
            {
                _unresolvedByEarlierRuns.Add(businessId);
            }
        }
        else
        {
            _unresolvedByEarlierRuns.Remove(businessId); // a task was seen, or the submit provably made none
        }
    }
}

/// <summary>One journal line.</summary>
internal sealed class JournalLine
{
    public JournalLine(string journalEvent) => Event = journalEvent;

    public string Event { get; }

    public string? TaskId { get; set; }

    public string? ClientBusinessId { get; set; }

    public string? Status { get; set; }

    public string? Prompt { get; set; }

    public string? Model { get; set; }

    public string? ErrorCode { get; set; }

    public string? ErrorMessage { get; set; }

    public int? ImageIndex { get; set; }

    public string? File { get; set; }

    public string? Size { get; set; }

    public int? ImageCount { get; set; }

    /// <summary>The row's position in the input of the run that wrote the line (1-based).</summary>
    public int? RowNumber { get; set; }

    /// <summary>The input row and, on an error line, the error (see <see cref="JournalDetails"/>).</summary>
    public JournalDetails? Details { get; set; }

    /// <summary>On a <c>balance</c> line: which reading (<see cref="BalanceReadings"/>) and the key's balance.</summary>
    public string? BalanceAt { get; set; }

    public ToApisBalance? Balance { get; set; }

    public static JournalLine From(JsonElement line) => new(line.String("event") ?? "")
    {
        TaskId = line.String("task_id"),
        ClientBusinessId = line.String("client_business_id"),
        File = line.String("file"),
        ImageIndex = (int?)line.Int64("image_index"),
    };

    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, Json.ReadableWriterOptions()))
        {
            var line = new Dictionary<string, object?>
            {
                [JournalFields.Time] = DateTimeOffset.UtcNow,
                [JournalFields.Event] = Event,
                [JournalFields.TaskId] = TaskId,
                [JournalFields.ClientBusinessId] = ClientBusinessId,
                [JournalFields.Status] = Status,
                [JournalFields.Prompt] = Prompt,
                [JournalFields.Model] = Model,
                [JournalFields.Size] = Size,
                [JournalFields.ImageCount] = ImageCount,
                [JournalFields.RowNumber] = RowNumber,
                [JournalFields.ErrorCode] = ErrorCode,
                [JournalFields.ErrorMessage] = ErrorMessage,
                [JournalFields.ImageIndex] = ImageIndex,
                [JournalFields.File] = File,
            };
            Details?.AddTo(line);
            if (Balance is { } balance)
            {
                line[JournalFields.BalanceAt] = BalanceAt;
                line[JournalFields.RemainCredits] = balance.RemainCredits;
                line[JournalFields.UsedCredits] = balance.UsedCredits;
                line[JournalFields.RemainBalance] = balance.RemainBalance;
                line[JournalFields.UsedBalance] = balance.UsedBalance;
                line[JournalFields.CreditsPerUsd] = balance.CreditsPerUsd;
                line[JournalFields.UnlimitedQuota] = balance.UnlimitedQuota;
            }

            // A line about the run rather than a task (step, balance) carries only the fields it has.
            if (Event is JournalEvents.Step or JournalEvents.Balance)
            {
                foreach (var empty in line.Where(field => field.Value is null).Select(field => field.Key).ToList())
                {
                    line.Remove(empty);
                }
            }

            JsonValueWriter.Write(writer, line);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
