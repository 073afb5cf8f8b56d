using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using ToApis.Client.Files;
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
    private static readonly CountedShares<RunJournal> OpenInThisProcess = new();

    private readonly object _gate = new();
    private readonly RunLock _lock;
    private readonly TimeProvider _time;
    private readonly List<string> _lines = new();
    private volatile Action<string> _warn = _ => { };
    private FileStream _file;
    private long _length;
    private bool _warnedTampered;
    private bool _mayEndMidLine;
    private volatile bool _balanceReadAtStart;

    private RunJournal(string path, RunLock runLock, TimeProvider time)
    {
        Path = path;
        _lock = runLock;
        _time = time;
        _file = OpenFile(path);
        Load();
        _length = _file.Length;
    }

    public string Path { get; }

    /// <summary>
    /// The journal at <paramref name="path"/>, for one command of this process: shared with the other commands of
    /// the run. Waits for a run of another process that holds it (see <see cref="RunLock.Acquire"/>).
    /// </summary>
    /// <param name="onWarning">Where this command hears that something else cut or removed the journal (any thread).</param>
    public static RunJournal Open(
        string path, string command, TimeSpan lockTimeout, Action<string> onWaiting, Action<string> onWarning, CancellationToken cancellationToken,
        TimeProvider? time = null)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(fullPath)!);
        var runLock = RunLock.Acquire(
            fullPath + RunLock.Extension, $"The journal '{fullPath}'", command, lockTimeout, onWaiting, cancellationToken);
        RunJournal journal;
        try
        {
            journal = OpenInThisProcess.Join(fullPath, () => new RunJournal(fullPath, runLock, time ?? TimeProvider.System))!;
        }
        catch
        {
            runLock.Dispose();
            throw;
        }

        if (journal._lock != runLock)
        {
            runLock.Dispose(); // the shared instance holds one already
        }

        journal._warn = onWarning; // the command that opened the journal last hears of its trouble
        return journal;
    }

    /// <summary>This command is done with the journal; the last one closes it and releases the lock.</summary>
    public void Release()
    {
        if (!OpenInThisProcess.Leave(Path))
        {
            return;
        }

        lock (_gate)
        {
            try
            {
                KeepWhole(); // the journal is complete when the run ends, whatever cut it meanwhile
            }
            catch (IOException)
            {
                // Nothing more can be done for it: the warning (if any) named the file.
            }
            finally
            {
                _file.Dispose();
            }
        }

        _lock.Dispose();
    }

    /// <summary>What earlier runs (and this one) left: tasks by client_business_id, saved files, unanswered submits.</summary>
    public RunSummary Memory { get; } = new();

    /// <summary>A step of a task; <paramref name="details"/> adds the input row and, on a failure's line, the error.</summary>
    public void Record(string journalEvent, ToApisTask task, string? file = null, int? imageIndex = null, JournalRecord? details = null) =>
        Append(JournalRecord.OfTask(journalEvent, task, details) with { File = file, ImageIndex = imageIndex });

    /// <summary>A step of a submit that has no task (yet): <c>submitting</c>, <c>not_submitted</c>, <c>unknown</c>.</summary>
    public void RecordSubmit(string journalEvent, string clientBusinessId, string? prompt, string? model, int? row, string? error = null) =>
        Append(new JournalRecord(journalEvent)
        {
            ClientBusinessId = clientBusinessId, Prompt = prompt, Model = model, RowNumber = row, ErrorMessage = error,
        });

    /// <summary>A journaled cmdlet of this run began (see <see cref="JournalEvents.Step"/>).</summary>
    public void RecordStep(string cmdlet) => Append(new JournalRecord(JournalEvents.Step) { Cmdlet = cmdlet });

    /// <summary>The key's balance when this run begins or ends (<see cref="BalanceReadings"/>).</summary>
    public void RecordBalance(string at, ToApisBalance balance)
    {
        Append(new JournalRecord(JournalEvents.Balance) { BalanceAt = at, Balance = balance });
        _balanceReadAtStart = at == BalanceReadings.Start;
    }

    /// <summary>This run read the balance when it began and not yet when it ended.</summary>
    public bool AwaitsClosingBalance => _balanceReadAtStart;

    private void Append(JournalRecord record)
    {
        var text = (record with { Time = _time.GetUtcNow() }).ToJson();
        lock (_gate)
        {
            KeepWhole();
            var end = _file.Seek(0, SeekOrigin.End);
            var afterTornLine = _mayEndMidLine && end > 0 && LastByte(end) != (byte)'\n';
            var bytes = Encoding.UTF8.GetBytes((afterTornLine ? "\n" : "") + text + "\n");
            try
            {
                // One write of the whole line: a kill leaves it whole or absent.
                _file.Write(bytes, 0, bytes.Length);
                _file.Flush(flushToDisk: true);
                _mayEndMidLine = false;
                _length = end + bytes.Length;
                _lines.Add(text);
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

            // Read back as the file holds it, so this run's lines count exactly as a rerun will read them.
            Memory.Add(JournalRecord.Parse(text)!, fromEarlierRun: false);
        }
    }

    /// <summary>
    /// Something else cut the journal (a log rotation's copy-truncate) or removed or replaced it: says so once and
    /// writes back every line this run knows, so a rerun still finds every task and nothing is paid twice. Under the gate.
    /// </summary>
    private void KeepWhole()
    {
        var onDisk = new FileInfo(Path);
        var removed = !onDisk.Exists || onDisk.Length != _file.Length;
        if (!removed && _file.Length >= _length)
        {
            return;
        }

        if (!_warnedTampered)
        {
            _warnedTampered = true;
            var what = removed ? "removed or replaced" : "cut short";
            var message = $"The journal '{Path}' was {what} by something else while this run was writing it; the {_lines.Count} line(s) this run knows are written back. Keep log rotation and clean-up away from a journal in use.";
            _warn(message);
        }

        if (removed)
        {
            _file.Dispose();
            _file = OpenFile(Path);
        }

        var content = Encoding.UTF8.GetBytes(string.Concat(_lines.Select(known => known + "\n")));
        _file.SetLength(0);
        _file.Write(content, 0, content.Length);
        _file.Flush(flushToDisk: true);
        _length = _file.Length;
        _mayEndMidLine = false;
    }

    // Never through a link planted at the journal's name, also when it is opened again after being removed.
    private static FileStream OpenFile(string path) => AtomicFile.OpenShared(path, FileShare.ReadWrite | FileShare.Delete);

    private byte LastByte(long length)
    {
        _file.Seek(length - 1, SeekOrigin.Begin);
        var last = _file.ReadByte();
        _file.Seek(0, SeekOrigin.End);
        return (byte)last;
    }

    private void Load()
    {
        if (_file.Length == 0)
        {
            return;
        }

        _mayEndMidLine = true;
        using var reader = new StreamReader(_file, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 4096, leaveOpen: true);
        JournalRecord.ReadAll(reader, (text, record) =>
        {
            Memory.Add(record, fromEarlierRun: true);
            _lines.Add(text);
        });
    }
}
