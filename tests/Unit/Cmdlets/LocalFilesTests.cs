using System.Collections;
using System.Diagnostics;
using System.Management.Automation;
using System.Text;
using ToApis.Client.Files;
using ToApis.Emulator;
using ToApis.Models;
using ToApis.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace ToApis.Tests.Cmdlets;

/// <summary>
/// The local side of saving and reading: full and read-only disks (a real tmpfs where the machine allows),
/// names too long for the platform, files other programs hold, and what killed runs leave behind. Local
/// errors are never retried as if the network had failed.
/// </summary>
public sealed class LocalFilesTests(ITestOutputHelper log) : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static async Task<(EmulatedService Service, IReadOnlyList<PSObject> Tasks)> CompletedTasksAsync(int count)
    {
        var service = await EmulatedService.StartAsync(o => o.RateLimitsEnabled = false, EmulatedService.FastRetries + " -RateTier None");
        var tasks = service.Run(EmulatedService.CsvRows(count) + $"$rows | New-ToApisImage | Wait-ToApisTask {EmulatedService.FastPolling}").Output;
        Assert.Equal(count, tasks.Count);
        return (service, tasks);
    }

    private static ScriptResult Save(EmulatedService service, IReadOnlyList<PSObject> tasks, string folder, string extra = "") =>
        service.Run($"param($tasks, $out) $tasks | Save-ToApisImage -Path $out -FileName '{{Name}}' {extra}", new Hashtable { ["tasks"] = tasks, ["out"] = folder });

    /// <summary>
    /// Disk full: each image is one clear error naming the path and the cause, not six downloads and a network
    /// error; after the first, the others fail at once without a download, and saving resumes once space is back.
    /// </summary>
    [Fact]
    public async Task On_a_full_disk_every_image_fails_at_once_naming_the_path_and_saving_resumes_when_space_returns()
    {
        using var disk = SmallDisk.TryMount(megabytes: 64);
        var (service, tasks) = await CompletedTasksAsync(200);
        await using var _ = service;
        var folder = disk is null ? Path.Combine(_temp.Path, "not-a-folder") : Path.Combine(disk.Path, "out");
        if (disk is null)
        {
            // No tmpfs here (not root): a file where the folder should be is a local error too, never retried.
            File.WriteAllText(folder, "a file, not a folder");
        }
        else
        {
            Directory.CreateDirectory(folder);
            disk.Fill();
        }

        var clock = Stopwatch.StartNew();
        var full = Save(service, tasks, folder, $"-Journal '{Path.Combine(disk?.Path ?? _temp.Path, "run.jsonl")}'");
        clock.Stop();

        var downloads = service.Emulator.Stats.RequestCount(RouteKeys.Files);
        log.WriteLine($"{(disk is null ? "file in place of the folder" : "full tmpfs")}: 200 images failed in {clock.Elapsed.TotalSeconds:0.0} s with {downloads} download request(s), {downloads / 200.0:0.###} per image");
        Assert.Empty(full.Output);
        Assert.Equal(200, full.Errors.Count(e => e.FullyQualifiedErrorId.StartsWith("ToApis.FileWriteFailed,")));
        var first = ErrorAssert.Is(full.Errors.First(e => e.FullyQualifiedErrorId.StartsWith("ToApis.FileWriteFailed,")), "ToApis.FileWriteFailed", ErrorCategory.WriteError);
        Assert.Contains(folder, first.Exception.Message);
        Assert.DoesNotContain(full.Errors, e => e.FullyQualifiedErrorId.StartsWith("ToApis.ConnectionFailed"));
        if (disk is null)
        {
            Assert.Equal(0, downloads);
            return;
        }

        Assert.Contains("the disk is full", first.Exception.Message);
        Assert.Contains("Free space", first.ErrorDetails.RecommendedAction);
        // Downloads already in flight when the disk filled (at most Save's -ThrottleLimit, 48) fail once each, never
        // retried; every image after them fails at once without a download.
        Assert.InRange(downloads, 1, 49);
        Assert.DoesNotContain(Directory.GetFiles(disk.Path, "*", SearchOption.AllDirectories), f => f.EndsWith(".toapis-partial"));

        disk.Free();
        var resumed = Save(service, tasks, folder);

        Assert.Empty(resumed.Errors);
        Assert.Equal(200, Directory.GetFiles(folder, "*.png").Length);
    }

    [Fact]
    public async Task On_a_read_only_disk_each_image_is_one_write_error_without_a_retry()
    {
        using var disk = SmallDisk.TryMount(megabytes: 4);
        var (service, tasks) = await CompletedTasksAsync(3);
        await using var _ = service;
        string folder;
        if (disk is null)
        {
            folder = Path.Combine(_temp.Path, "blocked");
            File.WriteAllText(folder, "a file, not a folder");
        }
        else
        {
            folder = Path.Combine(disk.Path, "out");
            Directory.CreateDirectory(folder);
            disk.MakeReadOnly();
        }

        var result = Save(service, tasks, folder);

        Assert.Equal(3, result.Errors.Count);
        Assert.All(result.Errors, e => ErrorAssert.Is(e, "ToApis.FileWriteFailed", ErrorCategory.WriteError));
        Assert.InRange(service.Emulator.Stats.RequestCount(RouteKeys.Files), 0, 3);
        if (disk is not null)
        {
            Assert.Contains("read-only", result.Errors[0].Exception.Message);
            Assert.Contains("writable folder", result.Errors[0].ErrorDetails.RecommendedAction);
        }
    }

    /// <summary>A journal on a full disk: the submit is not sent without its write-ahead line, and no line is left torn.</summary>
    [Fact]
    public async Task A_full_disk_under_the_journal_sends_nothing_unrecorded_and_tears_no_line()
    {
        using var disk = SmallDisk.TryMount(megabytes: 4);
        await using var service = await EmulatedService.StartAsync();
        var journal = Path.Combine(disk?.Path ?? _temp.Path, "run.jsonl");
        const string Rows = "'a fox', 'a whale', 'a heron'";
        Assert.Empty(service.Run("'a fox', 'a whale' | New-ToApisImage -RunKey 'full'").Errors);
        if (disk is null)
        {
            return; // the torn-line rules are covered by JournalTests; a full disk needs the tmpfs
        }

        disk.Fill();
        var full = service.Run($"{Rows} | New-ToApisImage -RunKey 'full' -Journal '{journal}'");
        var submitsWhileFull = service.Submits;
        disk.Free();
        var after = service.Run($"{Rows} | New-ToApisImage -RunKey 'full' -Journal '{journal}'");

        var refused = ErrorAssert.Is(Assert.Single(full.Errors, e => e.FullyQualifiedErrorId.StartsWith("ToApis.FileWriteFailed,")), "ToApis.FileWriteFailed", ErrorCategory.WriteError);
        Assert.StartsWith("Row 3: not submitted: the journal", refused.Exception.Message);
        Assert.Equal(2, full.Errors.Count(e => e.FullyQualifiedErrorId.StartsWith("ToApis.JournalWriteFailed,")));
        Assert.Equal(2, full.OutputOf<ToApisTask>().Count()); // the tasks themselves are passed on
        Assert.Equal(2, submitsWhileFull);
        Assert.Empty(after.Errors);
        Assert.Equal(3, service.Emulator.Stats.TasksCreated);
        Assert.All(File.ReadAllLines(journal), line => System.Text.Json.JsonDocument.Parse(line).Dispose());
    }

    /// <summary>Names are cut to the platform's limit in bytes, at a character boundary; a long CJK name never fails.</summary>
    [Fact]
    public async Task A_name_longer_than_the_platform_allows_is_shortened_at_a_character_boundary_and_saved()
    {
        await using var service = await EmulatedService.StartAsync();
        var name = string.Concat(Enumerable.Repeat("灯塔的水彩画", 20)) + "👩‍👩‍👧"; // 120 CJK characters (360 bytes), then an emoji sequence

        var result = service.Run(
            $"param($out, $name) [pscustomobject]@{{ Prompt = 'p'; Name = $name }} | New-ToApisImage | Wait-ToApisTask {EmulatedService.FastPolling} | Save-ToApisImage -Path $out -FileName '{{Name}}' -Sidecar",
            new Hashtable { ["out"] = Path.Combine(_temp.Path, "out"), ["name"] = name });

        Assert.Empty(result.Errors);
        var saved = Assert.IsType<FileInfo>(Assert.Single(result.Output).BaseObject);
        Assert.InRange(Encoding.UTF8.GetByteCount(saved.Name + SidecarFile.Extension), 200, 255);
        Assert.StartsWith("灯塔的水彩画", saved.Name);
        Assert.True(Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(saved.Name)) == saved.Name, "cut inside a character");
        Assert.True(File.Exists(saved.FullName + SidecarFile.Extension));
    }

    /// <summary>A file another program holds is that row's error; the command and the other rows go on.</summary>
    [Fact]
    public async Task A_locked_reference_image_is_a_read_error_for_its_row_only()
    {
        await using var service = await EmulatedService.StartAsync();
        var locked = _temp.Write("locked.png", SampleImages.Png);
        using var holder = new FileStream(locked, FileMode.Open, FileAccess.ReadWrite, FileShare.None);

        var result = service.Run($"'first', 'second' | New-ToApisImage -ImagePath '{locked}'; 'after' | New-ToApisImage");

        Assert.Equal(2, result.Errors.Count);
        var error = ErrorAssert.Is(result.Errors[0], "ToApis.FileReadFailed", ErrorCategory.ReadError);
        Assert.Contains(locked, error.Exception.Message);
        Assert.Equal("first", ErrorAssert.Target(error));
        Assert.Equal("after", Assert.Single(result.OutputOf<ToApisTask>()).Prompt);
    }

    /// <summary>
    /// A killed run leaves its partial file: a later save in that folder removes it at once when its process is gone,
    /// and otherwise only once it is minutes old (a concurrent run may still be writing it).
    /// </summary>
    [Fact]
    public async Task Partial_files_that_killed_runs_left_are_removed_and_a_live_runs_are_spared()
    {
        await using var service = await EmulatedService.StartAsync();
        var output = Directory.CreateDirectory(Path.Combine(_temp.Path, "out")).FullName;
        using var gone = Process.Start("true")!;
        gone.WaitForExit();
        string Partial(string name, TimeSpan age)
        {
            var path = Path.Combine(output, name);
            File.WriteAllBytes(path, [1, 2, 3]);
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);
            return path;
        }

        var deadRun = Partial($".{PartialFiles.MachineTag}-{gone.Id}-{Guid.NewGuid():N}.toapis-partial", TimeSpan.Zero);
        var oldRun = Partial($".{Guid.NewGuid():N}.toapis-partial", TimeSpan.FromMinutes(10));
        var liveRun = Partial(Path.GetFileName(PartialFiles.NewPath(output)), TimeSpan.Zero);
        var recentUnknown = Partial($".{Guid.NewGuid():N}.toapis-partial", TimeSpan.FromSeconds(5));
        var notOurs = Partial("report.toapis-partial", TimeSpan.FromDays(1));

        var result = service.Run($"param($out) New-ToApisImage 'p' | Wait-ToApisTask {EmulatedService.FastPolling} | Save-ToApisImage -Path $out -Verbose", new Hashtable { ["out"] = output });

        Assert.Empty(result.Errors);
        Assert.False(File.Exists(deadRun));
        Assert.False(File.Exists(oldRun));
        Assert.True(File.Exists(liveRun));
        Assert.True(File.Exists(recentUnknown));
        Assert.True(File.Exists(notOurs));
        Assert.Contains(result.Verbose, v => v.Message.Contains("Removed 2 partial file(s)"));
    }
}
