using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;
using ToApis.Client.Wire;

namespace ToApis.Client.Journal;

/// <summary>One line of a journal, as read back. Fields the line does not have are null.</summary>
internal sealed class JournalEntry
{
    public DateTimeOffset? Time { get; init; }

    public string Event { get; init; } = "";

    public string? TaskId { get; init; }

    public string? ClientBusinessId { get; init; }

    public string? Status { get; init; }

    public string? Prompt { get; init; }

    public string? Model { get; init; }

    public string? Size { get; init; }

    public int? ImageCount { get; init; }

    public int? ImageIndex { get; init; }

    public string? File { get; init; }

    public string? ErrorCode { get; init; }

    public string? ErrorMessage { get; init; }

    public string? ErrorId { get; init; }

    public string? RecommendedAction { get; init; }

    public int? RowNumber { get; init; }

    /// <summary>The input row's columns in their order; nested objects are <see cref="RowColumns"/> too, arrays lists.</summary>
    public RowColumns? Row { get; init; }

    /// <summary>The row exactly as written: equal text is the same row.</summary>
    public string? RowText { get; init; }

    public string? Cmdlet { get; init; }

    /// <summary>The invocation of the cmdlet that wrote the line.</summary>
    public string? RunId { get; init; }

    /// <summary>The key of the row this line's row retries.</summary>
    public string? RetryOf { get; init; }

    /// <summary>What the service said the task cost, where it says so.</summary>
    public double? Credits { get; init; }

    /// <summary>On a <c>balance</c> line: which reading (<see cref="BalanceReadings"/>).</summary>
    public string? BalanceAt { get; init; }

    /// <summary>On a <c>balance</c> line: the key's balance then.</summary>
    public Models.ToApisBalance? Balance { get; init; }
}

/// <summary>An object's properties in the order they were written (a CSV row keeps its column order).</summary>
internal sealed class RowColumns : List<KeyValuePair<string, object?>>
{
    /// <summary>The value of the first column with this name, compared without case.</summary>
    public object? this[string name]
    {
        get
        {
            foreach (var column in this)
            {
                if (string.Equals(column.Key, name, StringComparison.OrdinalIgnoreCase))
                {
                    return column.Value;
                }
            }

            return null;
        }
    }

    /// <summary>The column's value as text, or null when it is missing or blank.</summary>
    public string? Text(string name) => this[name] switch
    {
        null => null,
        string text => string.IsNullOrWhiteSpace(text) ? null : text,
        IFormattable value => value.ToString(null, CultureInfo.InvariantCulture),
        var other => other.ToString(),
    };
}

/// <summary>
/// Reads a journal, also while a run is still appending to it: the file is opened without blocking its
/// writers, and a line that is not a JSON object (the last one, cut short by a crash or still being written)
/// is skipped. Events of any name are returned; callers ignore the ones they do not know.
/// </summary>
internal static class JournalReader
{
    public static JournalRead Read(string path)
    {
        var entries = new List<JournalEntry>();
        var skipped = 0;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), detectEncodingFromByteOrderMarks: true);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            if (Parse(line) is { } entry)
            {
                entries.Add(entry);
            }
            else
            {
                skipped++;
            }
        }

        return new JournalRead(entries, skipped);
    }

    internal static JournalEntry? Parse(string line)
    {
        using var document = Json.TryParse(line);
        if (document?.RootElement is not { ValueKind: JsonValueKind.Object } entry || entry.String(JournalFields.Event) is not { } journalEvent)
        {
            return null;
        }

        var row = entry.Property(JournalFields.Row) is { ValueKind: JsonValueKind.Object } rowElement ? rowElement : (JsonElement?)null;
        return new JournalEntry
        {
            Time = Time(entry),
            Event = journalEvent,
            TaskId = entry.String(JournalFields.TaskId),
            ClientBusinessId = entry.String(JournalFields.ClientBusinessId),
            Status = entry.String(JournalFields.Status),
            Prompt = entry.String(JournalFields.Prompt),
            Model = entry.String(JournalFields.Model),
            Size = entry.String(JournalFields.Size),
            ImageCount = (int?)entry.Int64(JournalFields.ImageCount),
            ImageIndex = (int?)entry.Int64(JournalFields.ImageIndex),
            File = entry.String(JournalFields.File),
            ErrorCode = entry.String(JournalFields.ErrorCode),
            ErrorMessage = entry.String(JournalFields.ErrorMessage),
            ErrorId = entry.String(JournalFields.ErrorId),
            RecommendedAction = entry.String(JournalFields.RecommendedAction),
            RowNumber = (int?)entry.Int64(JournalFields.RowNumber),
            Row = row is { } columns ? Columns(columns) : null,
            RowText = row?.GetRawText(),
            Cmdlet = entry.String(JournalFields.Cmdlet),
            RunId = entry.String(JournalFields.RunId),
            RetryOf = entry.String(JournalFields.RetryOf),
            Credits = entry.Property(JournalFields.Credits) is { ValueKind: JsonValueKind.Number } credits ? credits.GetDouble() : null,
            BalanceAt = journalEvent == JournalEvents.Balance ? entry.String(JournalFields.BalanceAt) : null,
            Balance = journalEvent == JournalEvents.Balance ? AccountParser.BalanceFrom(entry, "Token") : null,
        };
    }

    private static DateTimeOffset? Time(JsonElement line) =>
        line.Property(JournalFields.Time) is { ValueKind: JsonValueKind.String } time && time.TryGetDateTimeOffset(out var moment) ? moment : null;

    private static RowColumns Columns(JsonElement element)
    {
        var columns = new RowColumns();
        foreach (var property in element.EnumerateObject())
        {
            columns.Add(new KeyValuePair<string, object?>(property.Name, Plain(property.Value)));
        }

        return columns;
    }

    private static object? Plain(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.TryGetInt64(out var whole) ? whole : value.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Object => Columns(value),
        JsonValueKind.Array => Items(value),
        _ => null,
    };

    private static List<object?> Items(JsonElement array)
    {
        var items = new List<object?>();
        foreach (var item in array.EnumerateArray())
        {
            items.Add(Plain(item));
        }

        return items;
    }
}

/// <summary>The entries of a journal, and how many lines could not be read (a torn last line, for one).</summary>
internal sealed record JournalRead(IReadOnlyList<JournalEntry> Entries, int SkippedLines);
