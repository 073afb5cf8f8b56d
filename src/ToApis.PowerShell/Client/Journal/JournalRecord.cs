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
/// (<see cref="ToJson"/>, <see cref="Parse"/>). Fields a line does not have are null. The field names are what
/// users read (<c>Get-Content run.jsonl | ConvertFrom-Json</c>), so they never change.
/// </summary>
internal sealed record JournalRecord(string Event)
{
    private const int TaskFieldCount = 14;

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
        var fields = new (string Name, object? Value)[]
        {
            ("time", Time), ("event", Event), ("task_id", TaskId), ("client_business_id", ClientBusinessId), ("status", Status),
            ("prompt", Prompt), ("model", Model), ("size", Size), ("image_count", ImageCount), ("row_number", RowNumber),
            ("error_code", ErrorCode), ("error_message", ErrorMessage), ("image_index", ImageIndex), ("file", File),
            ("row", Row), ("cmdlet", Cmdlet), ("run_id", RunId), ("retry_of", RetryOf), ("error_id", ErrorId),
            ("recommended_action", RecommendedAction), ("balance_at", BalanceAt),
            ("remain_credits", Balance?.RemainCredits), ("used_credits", Balance?.UsedCredits), ("remain_balance", Balance?.RemainBalance),
            ("used_balance", Balance?.UsedBalance), ("credits_per_usd", Balance?.CreditsPerUsd), ("unlimited_quota", Balance?.UnlimitedQuota),
        };

        // A task's line names the task fields (up to file) even where unknown, as null; a line about the run rather
        // than a task (step, balance), and the fields after those, only where they are set.
        var taskLine = Event is not (JournalEvents.Step or JournalEvents.Balance);
        var line = fields.Where((field, index) => field.Value is not null || (taskLine && index < TaskFieldCount))
            .ToDictionary(field => field.Name, field => field.Value);
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
        if (document?.RootElement is not { ValueKind: JsonValueKind.Object } entry || entry.String("event") is not { } journalEvent)
        {
            return null;
        }

        var row = entry.Property("row") is { ValueKind: JsonValueKind.Object } rowElement ? rowElement : (JsonElement?)null;
        var isBalance = journalEvent == JournalEvents.Balance;
        return new JournalRecord(journalEvent)
        {
            Time = entry.Property("time") is { ValueKind: JsonValueKind.String } time && time.TryGetDateTimeOffset(out var moment) ? moment : null,
            TaskId = entry.String("task_id"),
            ClientBusinessId = entry.String("client_business_id"),
            Status = entry.String("status"),
            Prompt = entry.String("prompt"),
            Model = entry.String("model"),
            Size = entry.String("size"),
            ImageCount = (int?)entry.Int64("image_count"),
            ImageIndex = (int?)entry.Int64("image_index"),
            File = entry.String("file"),
            ErrorCode = entry.String("error_code"),
            ErrorMessage = entry.String("error_message"),
            ErrorId = entry.String("error_id"),
            RecommendedAction = entry.String("recommended_action"),
            RowNumber = (int?)entry.Int64("row_number"),
            Row = row is { } columns ? RowColumns.From(columns) : null,
            RowText = row?.GetRawText(),
            Cmdlet = entry.String("cmdlet"),
            RunId = entry.String("run_id"),
            RetryOf = entry.String("retry_of"),
            BalanceAt = isBalance ? entry.String("balance_at") : null,
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
            if (Parse(line) is { } record)
            {
                read(line, record);
            }
            else if (!string.IsNullOrWhiteSpace(line))
            {
                skipped++;
            }
        }

        return skipped;
    }
}
