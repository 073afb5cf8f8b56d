using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using ToApis.Client.Wire;
using ToApis.Models;

namespace ToApis.Client.Journal;

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

    /// <param name="time">When the step happened, as the run's clock says.</param>
    public string ToJson(DateTimeOffset time)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, Json.ReadableWriterOptions()))
        {
            var line = new Dictionary<string, object?>
            {
                [JournalFields.Time] = time,
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
