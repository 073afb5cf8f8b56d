using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using ToApis.Client.Wire;
using ToApis.Models;

namespace ToApis.Client.Journal;

/// <summary>
/// One journal line, as written and as read back: the only shape of a record and its only codec
/// (<see cref="ToJson"/>, <see cref="Parse"/>). Fields a line does not have are null.
/// </summary>
internal sealed record JournalRecord(string Event)
{
    public DateTimeOffset? Time { get; init; }

    public string? TaskId { get; init; }

    public string? ClientBusinessId { get; init; }

    public string? Status { get; init; }

    public string? Prompt { get; init; }

    public string? Model { get; init; }

    public string? Size { get; init; }

    public int? ImageCount { get; init; }

    /// <summary>On a <c>saved</c> line: the 1-based image number, and the file.</summary>
    public int? ImageIndex { get; init; }

    public string? File { get; init; }

    /// <summary>What the service said of a failed task.</summary>
    public string? ErrorCode { get; init; }

    public string? ErrorMessage { get; init; }

    /// <summary>On a failure's line: the ErrorId and advice the user saw.</summary>
    public string? ErrorId { get; init; }

    public string? RecommendedAction { get; init; }

    /// <summary>The row's position in the input of the invocation that read it (1-based).</summary>
    public int? RowNumber { get; init; }

    /// <summary>The input row's columns in order, as plain values (a bare prompt is {"Prompt": …}).</summary>
    public RowColumns? Row { get; init; }

    /// <summary>The row exactly as read back: equal text is the same row.</summary>
    public string? RowText { get; init; }

    /// <summary>The cmdlet that wrote the line (a step line's, or a failure's).</summary>
    public string? Cmdlet { get; init; }

    /// <summary>Tells the invocations of a cmdlet apart: rows alike within one invocation are different rows.</summary>
    public string? RunId { get; init; }

    /// <summary>The row this one retries (a FailedRows object fed again, corrected or not), as RunRow.Key.</summary>
    public string? RetryOf { get; init; }

    /// <summary>On a <c>balance</c> line: which reading (<see cref="BalanceReadings"/>) and the key's balance then.</summary>
    public string? BalanceAt { get; init; }

    public ToApisBalance? Balance { get; init; }

    /// <summary>A step of a task; <paramref name="details"/> adds the input row and, on a failure's line, the error.</summary>
    public static JournalRecord OfTask(string journalEvent, ToApisTask task, JournalRecord? details = null) =>
        (details ?? new JournalRecord(journalEvent)) with
        {
            Event = journalEvent,
            TaskId = task.Id.Length > 0 ? task.Id : null,
            ClientBusinessId = task.ClientBusinessId,
            Status = task.Status,
            Prompt = task.Prompt,
            Model = task.Model,
            Size = task.Size,
            ImageCount = task.ImageUrls.Length > 0 ? task.ImageUrls.Length : null,
            ErrorCode = task.ErrorCode,
            ErrorMessage = details?.ErrorMessage ?? task.ErrorMessage,
        };

    public string ToJson()
    {
        var line = new Dictionary<string, object?>
        {
            [Field.Time] = Time, [Field.Event] = Event, [Field.TaskId] = TaskId, [Field.ClientBusinessId] = ClientBusinessId,
            [Field.Status] = Status, [Field.Prompt] = Prompt, [Field.Model] = Model, [Field.Size] = Size,
            [Field.ImageCount] = ImageCount, [Field.RowNumber] = RowNumber, [Field.ErrorCode] = ErrorCode,
            [Field.ErrorMessage] = ErrorMessage, [Field.ImageIndex] = ImageIndex, [Field.File] = File,
        };
        var optional = new (string Name, object? Value)[]
        {
            (Field.Row, Row), (Field.Cmdlet, Cmdlet), (Field.RunId, RunId), (Field.RetryOf, RetryOf),
            (Field.ErrorId, ErrorId), (Field.RecommendedAction, RecommendedAction),
            (Field.BalanceAt, BalanceAt), (Field.RemainCredits, Balance?.RemainCredits), (Field.UsedCredits, Balance?.UsedCredits),
            (Field.RemainBalance, Balance?.RemainBalance), (Field.UsedBalance, Balance?.UsedBalance),
            (Field.CreditsPerUsd, Balance?.CreditsPerUsd), (Field.UnlimitedQuota, Balance?.UnlimitedQuota),
        };
        foreach (var (name, value) in optional.Where(field => field.Value is not null))
        {
            line[name] = value;
        }

        // A line about the run rather than a task (step, balance) carries only the fields it has.
        if (Event is JournalEvents.Step or JournalEvents.Balance)
        {
            foreach (var empty in line.Where(field => field.Value is null).Select(field => field.Key).ToList())
            {
                line.Remove(empty);
            }
        }

        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, Json.ReadableWriterOptions()))
        {
            JsonValueWriter.Write(writer, line);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The record a line holds; null for a line that is not a JSON object with an event (a torn last line, for one).</summary>
    public static JournalRecord? Parse(string line)
    {
        using var document = Json.TryParse(line);
        if (document?.RootElement is not { ValueKind: JsonValueKind.Object } entry || entry.String(Field.Event) is not { } journalEvent)
        {
            return null;
        }

        var row = entry.Property(Field.Row) is { ValueKind: JsonValueKind.Object } rowElement ? rowElement : (JsonElement?)null;
        var isBalance = journalEvent == JournalEvents.Balance;
        return new JournalRecord(journalEvent)
        {
            Time = entry.Property(Field.Time) is { ValueKind: JsonValueKind.String } time && time.TryGetDateTimeOffset(out var moment) ? moment : null,
            TaskId = entry.String(Field.TaskId),
            ClientBusinessId = entry.String(Field.ClientBusinessId),
            Status = entry.String(Field.Status),
            Prompt = entry.String(Field.Prompt),
            Model = entry.String(Field.Model),
            Size = entry.String(Field.Size),
            ImageCount = (int?)entry.Int64(Field.ImageCount),
            ImageIndex = (int?)entry.Int64(Field.ImageIndex),
            File = entry.String(Field.File),
            ErrorCode = entry.String(Field.ErrorCode),
            ErrorMessage = entry.String(Field.ErrorMessage),
            ErrorId = entry.String(Field.ErrorId),
            RecommendedAction = entry.String(Field.RecommendedAction),
            RowNumber = (int?)entry.Int64(Field.RowNumber),
            Row = row is { } columns ? RowColumns.From(columns) : null,
            RowText = row?.GetRawText(),
            Cmdlet = entry.String(Field.Cmdlet),
            RunId = entry.String(Field.RunId),
            RetryOf = entry.String(Field.RetryOf),
            BalanceAt = isBalance ? entry.String(Field.BalanceAt) : null,
            Balance = isBalance ? AccountParser.BalanceFrom(entry, "Token") : null,
        };
    }

    /// <summary>
    /// Hands each record of a journal to <paramref name="read"/> with its text, in order; returns how many lines were
    /// not records (a line cut short by a crash, or still being written, is skipped and everything before it counts).
    /// </summary>
    public static int ReadAll(TextReader reader, Action<string, JournalRecord> read)
    {
        var skipped = 0;
        while (reader.ReadLine() is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            if (Parse(line) is { } record)
            {
                read(line, record);
            }
            else
            {
                skipped++;
            }
        }

        return skipped;
    }

    /// <summary>The field names: users read them (<c>Get-Content run.jsonl | ConvertFrom-Json</c>), so they never change.</summary>
    private static class Field
    {
        public const string Time = "time";
        public const string Event = "event";
        public const string TaskId = "task_id";
        public const string ClientBusinessId = "client_business_id";
        public const string Status = "status";
        public const string Prompt = "prompt";
        public const string Model = "model";
        public const string Size = "size";
        public const string ImageCount = "image_count";
        public const string ImageIndex = "image_index";
        public const string File = "file";
        public const string ErrorCode = "error_code";
        public const string ErrorMessage = "error_message";
        public const string ErrorId = "error_id";
        public const string RecommendedAction = "recommended_action";
        public const string RowNumber = "row_number";
        public const string Row = "row";
        public const string Cmdlet = "cmdlet";
        public const string RunId = "run_id";
        public const string RetryOf = "retry_of";
        public const string BalanceAt = "balance_at";
        public const string RemainCredits = "remain_credits";
        public const string UsedCredits = "used_credits";
        public const string RemainBalance = "remain_balance";
        public const string UsedBalance = "used_balance";
        public const string CreditsPerUsd = "credits_per_usd";
        public const string UnlimitedQuota = "unlimited_quota";
    }
}
