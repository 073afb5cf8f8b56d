using ToApis.Client.Journal;
using ToApis.Journaling;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Journal;

/// <summary>
/// Folding a journal into rows: one row per input row across New, Wait and Save and across reruns, a torn or
/// unknown line never in the way.
/// </summary>
public sealed class RunSummaryTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string Line(string journalEvent, string? task = null, string? id = null, string extra = "") =>
        "{\"time\":\"2026-11-30T10:00:00+00:00\",\"event\":\"" + journalEvent + "\"" +
        (task is null ? "" : ",\"task_id\":\"" + task + "\"") +
        (id is null ? "" : ",\"client_business_id\":\"" + id + "\"") + extra + "}";

    private static string Row(string name, int number, string run = "r1") =>
        $",\"row_number\":{number},\"run_id\":\"{run}\",\"row\":{{\"Name\":\"{name}\",\"Prompt\":\"A {name}\",\"Size\":\"1:1\"}}";

    private RunSummary Summarise(params string[] lines)
    {
        var path = Path.Combine(_temp.Path, Guid.NewGuid().ToString("N") + ".jsonl");
        File.WriteAllLines(path, lines);
        return RunSummary.Read(path);
    }

    private ToApis.Models.ToApisRun Run(params string[] lines) => RunReport.ToRun(Summarise(lines), "run.jsonl", (columns, _) => columns);

    [Fact]
    public void New_wait_and_save_lines_of_one_task_are_one_row()
    {
        var run = Run(
            Line("submitted", "t1", "k-1", Row("fox", 1)),
            Line("submitted", "t2", "k-2", Row("owl", 2)),
            Line("completed", "t1", "k-1", ",\"image_count\":2"),
            Line("completed", "t2", "k-2"),
            Line("saved", "t1", "k-1", ",\"image_index\":1,\"file\":\"/out/fox.png\""),
            Line("saved", "t1", "k-1", ",\"image_index\":2,\"file\":\"/out/fox (2).png\""),
            Line("saved", "t2", "k-2", ",\"image_index\":1,\"file\":\"/out/owl.png\""));

        Assert.Equal((2, 2, 2, 2, 0, 0, 3), (run.Rows, run.Submitted, run.Completed, run.Saved, run.Failed, run.Pending, run.Images));
        Assert.Equal("Save", run.LastStep);
        Assert.Empty(run.FailedRows);
    }

    [Fact]
    public void A_task_with_images_left_to_save_is_not_saved()
    {
        var run = Run(
            Line("submitted", "t1", "k-1", Row("fox", 1)),
            Line("completed", "t1", "k-1", ",\"image_count\":2"),
            Line("saved", "t1", "k-1", ",\"image_index\":1,\"file\":\"/out/fox.png\""));

        Assert.Equal((0, 1, 1), (run.Saved, run.Pending, run.FailedRows.Length));
    }

    [Fact]
    public void Failed_rows_keep_their_input_and_errors_are_counted_by_error_id()
    {
        var run = Run(
            Line("error", extra: Row("bad-size", 1) + ",\"error_id\":\"ToApis.InvalidParameter\",\"error_message\":\"Size is not a ratio.\""),
            Line("submitted", "t2", "k-2", Row("owl", 2)),
            Line("submitted", "t3", "k-3", Row("cat", 3)),
            Line("failed", "t2", "k-2", ",\"error_code\":\"generation_failed\",\"error_message\":\"upstream 422\""),
            Line("error", "t2", "k-2", Row("owl", 2) + ",\"error_id\":\"ToApis.TaskFailed\",\"recommended_action\":\"Adjust the prompt.\""),
            Line("completed", "t3", "k-3"));

        Assert.Equal((3, 1, 2), (run.Rows, run.Completed, run.Failed));
        Assert.Equal(new Dictionary<string, int> { ["ToApis.InvalidParameter"] = 1, ["ToApis.TaskFailed"] = 1 }, run.Errors);
        var rows = run.FailedRows.Cast<RowColumns>().ToList();
        Assert.Equal(["bad-size", "owl"], rows.Select(r => r.Text("Name")));
        Assert.Equal(["Name", "Prompt", "Size"], rows[0].Select(c => c.Key));
        Assert.Equal("1:1", rows[1].Text("Size"));
        Assert.Equal("Wait", run.LastStep);
    }

    [Fact]
    public void A_rerun_with_the_same_run_key_updates_the_row_instead_of_adding_one()
    {
        var run = Run(
            Line("submitted", "t1", "key-a", Row("fox", 1)),
            Line("failed", "t1", "key-a"),
            Line("submitted", "t9", "key-a", Row("fox", 1, run: "r2")),
            Line("completed", "t9", "key-a"),
            Line("saved", "t9", "key-a", ",\"image_index\":1,\"file\":\"/out/fox.png\""));

        Assert.Equal((1, 2, 1, 0, 0), (run.Rows, run.Submitted, run.Saved, run.Failed, run.Pending));
        Assert.Empty(run.Errors);
    }

    [Fact]
    public void Failed_rows_fed_again_without_a_run_key_retry_the_rows_they_came_from()
    {
        var run = Run(
            Line("error", extra: Row("fox", 4) + ",\"error_id\":\"ToApis.ServerError\""),
            Line("submitted", "t1", "random-1", Row("owl", 5)),
            Line("failed", "t1", "random-1"),
            // The re-feed: a new invocation, new row numbers, new random client_business_ids.
            Line("submitted", "t7", "random-7", Row("fox", 1, run: "r2")),
            Line("submitted", "t8", "random-8", Row("owl", 2, run: "r2")),
            Line("completed", "t7", "random-7"),
            Line("completed", "t8", "random-8"));

        Assert.Equal((2, 2, 0), (run.Rows, run.Completed, run.Failed));
    }

    [Fact]
    public void A_failed_row_corrected_and_fed_again_is_the_same_row()
    {
        var run = Run(
            Line("error", extra: Row("poster", 7) + ",\"error_id\":\"ToApis.InvalidParameter\""),
            Line("submitted", "t9", "random-9", Row("poster-fixed", 1, run: "r2") + ",\"retry_of\":\"r1#7\""),
            Line("completed", "t9", "random-9"));

        Assert.Equal((1, 1, 0), (run.Rows, run.Completed, run.Failed));
        Assert.Equal(7, Summarise(
            Line("error", extra: Row("poster", 7) + ",\"error_id\":\"ToApis.InvalidParameter\""),
            Line("submitted", "t9", "random-9", Row("poster-fixed", 1, run: "r2") + ",\"retry_of\":\"r1#7\"")).Rows.Single().RowNumber);
    }

    [Fact]
    public void Rows_alike_within_one_invocation_stay_separate_rows()
    {
        var run = Run(
            Line("error", extra: Row("fox", 1) + ",\"error_id\":\"ToApis.ServerError\""),
            Line("submitted", "t2", "random-2", Row("fox", 2)));

        Assert.Equal((2, 1), (run.Rows, run.Failed));
    }

    [Fact]
    public void A_reused_completed_task_whose_file_was_saved_before_stays_saved()
    {
        var run = Run(
            Line("submitted", "t1", "key-a", Row("fox", 1)),
            Line("completed", "t1", "key-a"),
            Line("saved", "t1", "key-a", ",\"image_index\":1,\"file\":\"/out/fox.png\""),
            Line("reused", "t1", "key-a", Row("fox", 1, run: "r2") + ",\"status\":\"completed\""),
            Line("completed", "t1", "key-a"));

        Assert.Equal((1, 1, 1, 1, 0), (run.Rows, run.Submitted, run.Reused, run.Saved, run.Pending));
    }

    [Fact]
    public void Rows_still_running_are_pending_and_offered_again()
    {
        var run = Run(
            Line("submitted", "t1", "k-1", Row("fox", 1)),
            Line("submitted", "t2", "k-2", Row("owl", 2)),
            Line("completed", "t1", "k-1"));

        Assert.Equal((1, 0, 1), (run.Completed, run.Failed, run.Pending));
        Assert.Equal("owl", Assert.IsType<RowColumns>(Assert.Single(run.FailedRows)).Text("Name"));
    }

    [Fact]
    public void A_journal_written_before_rows_were_kept_offers_the_prompt()
    {
        var summary = Summarise(
            Line("submitted", "t1", "k-1", ",\"prompt\":\"A fox\""),
            Line("failed", "t1", "k-1", ",\"error_message\":\"no\""));
        var run = RunReport.ToRun(summary, "run.jsonl", (columns, _) => columns);

        Assert.Equal(1, run.Failed);
        Assert.Equal([new KeyValuePair<string, object?>("Prompt", "A fox")], Assert.IsType<RowColumns>(Assert.Single(run.FailedRows)));
        Assert.Equal(1, RunReport.RowsWithoutInput(summary));
    }

    [Fact]
    public void Unknown_events_are_ignored_and_time_comes_from_every_line()
    {
        var run = Run(
            Line("submitting", "t1", "k-1", Row("fox", 1)).Replace("10:00:00", "09:59:00"),
            Line("submitted", "t1", "k-1", Row("fox", 1)),
            Line("unknown", "t1", "k-1"),
            Line("completed", "t1", "k-1").Replace("10:00:00", "10:01:30"));

        Assert.Equal((1, 1, 0), (run.Rows, run.Completed, run.Pending));
        Assert.Equal(TimeSpan.FromSeconds(150), run.Duration);
        Assert.Equal(0.4, run.ImagesPerMinute!.Value, 3);
    }

    [Fact]
    public void A_journal_being_written_is_read_without_its_torn_last_line()
    {
        var path = Path.Combine(_temp.Path, "run.jsonl");
        using var writer = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        var text = Line("submitted", "t1", "k-1", Row("fox", 1)) + "\n" + Line("completed", "t1", "k-1") + "\n" + "{\"time\":\"2026-11-30T10:00:01+00:00\",\"event\":\"sav";
        writer.Write(System.Text.Encoding.UTF8.GetBytes(text));
        writer.Flush();

        var summary = RunSummary.Read(path);

        Assert.Equal(1, summary.SkippedLines);
        Assert.True(Assert.Single(summary.Rows).IsCompleted);
    }

    [Fact]
    public void A_failed_wait_journaled_by_an_older_version_as_two_lines_reads_as_its_one_line()
    {
        const string error = ",\"error_message\":\"Row 2 (Name=owl): the task failed: upstream 422\",\"recommended_action\":\"Adjust the prompt.\"";
        string[] start = [Line("submitted", "t1", "k-1", Row("fox", 1)), Line("submitted", "t2", "k-2", Row("owl", 2)), Line("completed", "t1", "k-1")];
        var older = Run([.. start,
            Line("failed", "t2", "k-2", ",\"error_code\":\"generation_failed\",\"error_message\":\"upstream 422\""),
            Line("error", "t2", "k-2", Row("owl", 2) + ",\"cmdlet\":\"Wait-ToApisTask\",\"error_id\":\"ToApis.TaskFailed\"" + error)]);
        var current = Run([.. start,
            Line("failed", "t2", "k-2", Row("owl", 2) + ",\"error_code\":\"generation_failed\",\"cmdlet\":\"Wait-ToApisTask\",\"error_id\":\"ToApis.TaskFailed\"" + error)]);

        Assert.Equal(current.ToString(), older.ToString());
        Assert.Equal((2, 1, 1, 0), (older.Rows, older.Completed, older.Failed, older.Pending));
        Assert.Equal(new Dictionary<string, int> { ["ToApis.TaskFailed"] = 1 }, older.Errors);
        Assert.Equal("owl", Assert.IsType<RowColumns>(Assert.Single(older.FailedRows)).Text("Name"));
        // Older still: a bare failed line alone, and an error line without an ErrorId that follows a timeout.
        var oldest = Summarise(
            Line("submitted", "t1", "k-1", Row("fox", 1)), Line("failed", "t1", "k-1", ",\"error_code\":\"x\",\"error_message\":\"no\""),
            Line("submitted", "t2", "k-2", Row("owl", 2)), Line("timedout", "t2", "k-2"), Line("error", "t2", "k-2", ",\"error_message\":\"late\""));
        Assert.Equal([("ToApis.TaskFailed", "x: no"), ("ToApis.TaskTimeout", "late")], oldest.Rows.Select(row => (row.Error!.ErrorId, row.Error.ErrorMessage)));
    }

    [Fact]
    public void A_record_written_reads_back_as_the_same_record()
    {
        var written = new JournalRecord(JournalEvents.Failed)
        {
            Time = new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.Zero), TaskId = "t1", ClientBusinessId = "k-1", ImageCount = 2, RowNumber = 3,
            Row = new RowColumns { ["Name"] = "fox", ["Size"] = "1:1" }, Cmdlet = "Wait-ToApisTask", RunId = "r1", ErrorId = "ToApis.TaskFailed",
        };
        var text = written.ToJson();

        Assert.Equal(written with { Row = null }, JournalRecord.Parse(text)! with { Row = null, RowText = null });
        Assert.Equal(written.Row, JournalRecord.Parse(text)!.Row);
        Assert.Contains("\"status\":null", text); // a task's line names every task field, as it always has
        Assert.Equal("{\"time\":\"2026-12-04T10:00:00+00:00\",\"event\":\"step\",\"cmdlet\":\"Save-ToApisImage\"}",
            (new JournalRecord(JournalEvents.Step) { Cmdlet = "Save-ToApisImage" } with { Time = written.Time }).ToJson());
    }

    [Fact]
    public void The_closing_line_says_what_is_done_failed_and_pending()
    {
        var run = Run(
            Line("submitted", "t1", "k-1", Row("fox", 1)),
            Line("completed", "t1", "k-1").Replace("10:00:00", "10:01:12"),
            Line("saved", "t1", "k-1", ",\"image_index\":1,\"file\":\"/out/fox.png\"").Replace("10:00:00", "10:01:12"),
            Line("error", extra: Row("owl", 2) + ",\"error_id\":\"ToApis.InvalidParameter\""));

        Assert.Equal("2 rows: 1 saved, 1 failed (ToApis.InvalidParameter 1), 0 pending; 1 image in 1m 12s (0.8 per minute).", run.ToString());
    }
}
