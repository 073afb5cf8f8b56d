using System.Collections;
using System.Management.Automation;
using ToApis.Client;
using ToApis.Client.Files;
using ToApis.Client.RateLimiting;
using ToApis.Client.Webhooks;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Cmdlets;

/// <summary>
/// Someone who can write to a shared output, journal or state folder plants symbolic links where the module will
/// write, pointing at a file of the account that runs it. Whatever the module writes, no byte reaches that file:
/// a link at a target is refused as ToApis.UnsafePath naming it, and temporary names are fresh and exclusive.
/// </summary>
public sealed class PlantedLinkTests : IDisposable
{
    private const string VictimText = "the victim's own content";

    private readonly TempFolder _temp = new();

    public PlantedLinkTests() => Victim = _temp.Write("elsewhere/victim.txt", System.Text.Encoding.UTF8.GetBytes(VictimText));

    private string Victim { get; }

    public void Dispose() => _temp.Dispose();

    private string Plant(string relativePath, string? pointingAt = null)
    {
        var link = Path.Combine(_temp.Path, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        File.CreateSymbolicLink(link, pointingAt ?? Victim);
        return link;
    }

    private void AssertVictimUntouched() => Assert.Equal(VictimText, File.ReadAllText(Victim));

    private static ErrorRecord AssertUnsafePath(IEnumerable<ErrorRecord> errors, string link)
    {
        var error = Assert.Single(errors, e => e.FullyQualifiedErrorId.StartsWith("ToApis.UnsafePath", StringComparison.Ordinal));
        ErrorAssert.Is(error, "ToApis.UnsafePath", ErrorCategory.SecurityError);
        Assert.Contains(link, error.Exception.Message);
        Assert.False(string.IsNullOrEmpty(error.ErrorDetails?.RecommendedAction));
        return error;
    }

    private static async Task<(EmulatedService Service, IReadOnlyList<PSObject> Tasks)> CompletedTaskAsync()
    {
        var service = await EmulatedService.StartAsync(o => o.RateLimitsEnabled = false, EmulatedService.FastRetries + " -RateTier None");
        var tasks = service.Run(EmulatedService.CsvRows(1) + $"$rows | New-ToApisImage | Wait-ToApisTask {EmulatedService.FastPolling}").Output;
        return (service, Assert.Single(tasks) is var task ? [task] : []);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-Force")]
    public async Task An_image_name_planted_as_a_link_is_refused_and_its_target_untouched(string force)
    {
        var (service, tasks) = await CompletedTaskAsync();
        await using var _ = service;
        var folder = Path.Combine(_temp.Path, "out");
        var links = new[] { ".png", ".jpg", ".webp" }.Select(extension => Plant(Path.Combine("out", "row1" + extension))).ToList();

        var result = service.Run(
            $"param($tasks, $out) $tasks | Save-ToApisImage -Path $out -FileName '{{Name}}' {force}", new Hashtable { ["tasks"] = tasks, ["out"] = folder });

        Assert.Empty(result.Output);
        var error = Assert.Single(result.Errors);
        Assert.Contains(links, link => error.Exception.Message.Contains(link, StringComparison.Ordinal));
        ErrorAssert.Is(error, "ToApis.UnsafePath", ErrorCategory.SecurityError);
        AssertVictimUntouched();
        Assert.DoesNotContain(Directory.GetFiles(folder), f => f.EndsWith(PartialFiles.Suffix, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_sidecar_name_planted_as_a_link_is_refused_and_its_target_untouched()
    {
        var (service, tasks) = await CompletedTaskAsync();
        await using var _ = service;
        var folder = Path.Combine(_temp.Path, "out");
        var links = new[] { ".png", ".jpg", ".webp" }.Select(extension => Plant(Path.Combine("out", "row1" + extension + SidecarFile.Extension))).ToList();

        var result = service.Run(
            "param($tasks, $out) $tasks | Save-ToApisImage -Path $out -FileName '{Name}' -Sidecar", new Hashtable { ["tasks"] = tasks, ["out"] = folder });

        var error = Assert.Single(result.Errors);
        ErrorAssert.Is(error, "ToApis.UnsafePath", ErrorCategory.SecurityError);
        Assert.Contains(links, link => error.Exception.Message.Contains(link, StringComparison.Ordinal));
        AssertVictimUntouched();
    }

    [Fact]
    public async Task A_gallery_planted_as_a_link_or_beside_one_never_writes_through_it()
    {
        await using var service = await EmulatedService.StartAsync();
        var journal = Path.Combine(_temp.Path, "run.jsonl");
        File.WriteAllText(journal, "");
        var page = Path.Combine(_temp.Path, "shared", "gallery.html");
        Plant(Path.Combine("shared", "gallery.html" + PartialFiles.Suffix)); // the name earlier versions wrote to first

        var written = service.Run("param($j, $p) Export-ToApisGallery -Journal $j -Path $p", new Hashtable { ["j"] = journal, ["p"] = page });

        Assert.Empty(written.Errors);
        Assert.Contains("<html", File.ReadAllText(page), StringComparison.OrdinalIgnoreCase);
        AssertVictimUntouched();

        File.Delete(page);
        Plant(Path.Combine("shared", "gallery.html"));
        var refused = service.Run("param($j, $p) Export-ToApisGallery -Journal $j -Path $p", new Hashtable { ["j"] = journal, ["p"] = page });

        AssertUnsafePath(refused.Errors, page);
        AssertVictimUntouched();
    }

    [Theory]
    [InlineData("run.jsonl.lock")]
    [InlineData("run.jsonl")]
    public async Task A_journal_or_its_lock_planted_as_a_link_ends_the_command_before_anything_is_sent(string planted)
    {
        await using var service = await EmulatedService.StartAsync();
        var link = Plant(Path.Combine("journals", planted));
        var journal = Path.Combine(_temp.Path, "journals", "run.jsonl");

        var result = service.Run("param($j) 'a fox' | New-ToApisImage -Journal $j", new Hashtable { ["j"] = journal });

        AssertUnsafePath(result.Errors, link);
        Assert.Equal(0, service.Submits);
        AssertVictimUntouched();
    }

    [Fact]
    public async Task A_seen_id_file_planted_as_a_link_is_refused()
    {
        var link = Plant(Path.Combine("webhooks", "seen.txt"));

        var error = await Assert.ThrowsAsync<ToApisFileException>(() => new SeenEventIdFile(link).TryAddAsync("evt_1", CancellationToken.None));

        Assert.Equal(FileProblem.UnsafePath, error.Problem);
        AssertVictimUntouched();
    }

    [Theory]
    [InlineData(LearnedPaceFile.FileName)]
    [InlineData(LearnedPaceFile.FileName + ".lock")]
    public void The_learned_pace_file_or_its_lock_planted_as_a_link_is_left_alone(string planted)
    {
        var link = Plant(Path.Combine("state", planted));
        var file = new LearnedPaceFile(Path.Combine(_temp.Path, "state", LearnedPaceFile.FileName));

        var why = file.Write("account", new LearnedPace(5, 10, DateTimeOffset.UtcNow));

        Assert.Contains(link, why);
        AssertVictimUntouched();
    }

    [Fact]
    public void A_dangling_link_counts_as_a_link_and_a_missing_file_does_not()
    {
        var dangling = Plant("dangling", pointingAt: Path.Combine(_temp.Path, "nothing-here"));

        Assert.True(AtomicFile.IsLink(dangling));
        Assert.False(AtomicFile.IsLink(Path.Combine(_temp.Path, "nothing-here")));
        Assert.Throws<ToApisFileException>(() => AtomicFile.Write(dangling, s => s.WriteByte(1)));
        Assert.False(File.Exists(Path.Combine(_temp.Path, "nothing-here")));
    }
}
