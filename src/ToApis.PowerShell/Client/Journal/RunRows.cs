using System;
using System.Collections.Generic;
using System.Linq;

namespace ToApis.Client.Journal;

/// <summary>
/// The rows of a journal and how a line finds its row: by task id, by client_business_id, by the key of the row a
/// FailedRows object retries, or as the same input read again by a later invocation.
/// </summary>
internal sealed class RunRows
{
    private readonly List<RunRow> _rows = new();
    private readonly Dictionary<string, RunRow> _byTaskId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RunRow> _byBusinessId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<RunRow>> _byRowText = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RunRow> _byKey = new(StringComparer.Ordinal);

    public IReadOnlyList<RunRow> All => _rows;

    /// <summary>The row whose current task this is.</summary>
    public RunRow? WithTask(string taskId) => _byTaskId.TryGetValue(taskId, out var row) && row.TaskId == taskId ? row : null;

    /// <summary>The row the line is about (a new one if none matches), with what the line says of its input.</summary>
    public RunRow For(JournalRecord record)
    {
        var row = Find(record);
        if (row is null)
        {
            row = new RunRow { Order = _rows.Count };
            _rows.Add(row);
        }

        Remember(row, record);
        return row;
    }

    private RunRow? Find(JournalRecord record)
    {
        if (record.TaskId is { } taskId && _byTaskId.TryGetValue(taskId, out var byTask))
        {
            return byTask;
        }

        if (record.ClientBusinessId is { } businessId && _byBusinessId.TryGetValue(businessId, out var byId))
        {
            return byId;
        }

        // A FailedRows object fed again, whether or not it was corrected first.
        if (record.RetryOf is { } retried && _byKey.TryGetValue(retried, out var byKey))
        {
            return byKey;
        }

        // The same input read again by a later invocation (FailedRows fed back, a fixed rerun without -RunKey):
        // it retries a row that failed or never got a task. Alike rows within one invocation stay apart.
        return record.RowText is { } text && _byRowText.TryGetValue(text, out var alike)
            ? alike.FirstOrDefault(row => row.RunId != record.RunId && (row.IsFailed || row.TaskId is null))
            : null;
    }

    private void Remember(RunRow row, JournalRecord record)
    {
        if (record.TaskId is { } taskId)
        {
            _byTaskId[taskId] = row;
        }

        if (record.ClientBusinessId is { } businessId)
        {
            _byBusinessId[businessId] = row;
        }

        if (record.RowText is { } text)
        {
            if (row.RowText != text)
            {
                if (!_byRowText.TryGetValue(text, out var alike))
                {
                    _byRowText[text] = alike = new List<RunRow>();
                }

                alike.Add(row);
            }

            row.Row = record.Row;
            row.RowText = text;
        }

        if (row.Key is null && record.RunId is { } runId && record.RowNumber is { } number)
        {
            row.Key = $"{runId}#{number}";
            _byKey[row.Key] = row;
        }

        row.RunId = record.RunId ?? row.RunId;
        row.RowNumber ??= record.RowNumber;
        row.Prompt = record.Prompt ?? row.Prompt;
        row.Model = record.Model ?? row.Model;
        row.Size = record.Size ?? row.Size;
    }
}
