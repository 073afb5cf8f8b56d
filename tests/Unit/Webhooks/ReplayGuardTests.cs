using ToApis.Client.Webhooks;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Webhooks;

/// <summary>Each event id passes once: in a process, and across processes through the seen-id file.</summary>
public sealed class ReplayGuardTests
{
    [Fact]
    public async Task An_id_passes_once_per_process()
    {
        var guard = new WebhookReplayGuard(new SeenEventIds(100), file: null);

        Assert.True(await guard.IsFirstDeliveryAsync("evt_1", CancellationToken.None));
        Assert.False(await guard.IsFirstDeliveryAsync("evt_1", CancellationToken.None));
        Assert.True(await guard.IsFirstDeliveryAsync("evt_2", CancellationToken.None));
    }

    [Fact]
    public void The_in_process_list_forgets_the_oldest_beyond_its_capacity()
    {
        var seen = new SeenEventIds(capacity: 2);

        Assert.True(seen.TryAdd("a"));
        Assert.True(seen.TryAdd("b"));
        Assert.True(seen.TryAdd("c"));

        Assert.True(seen.TryAdd("a")); // forgotten
        Assert.False(seen.TryAdd("c"));
    }

    [Fact]
    public async Task Receivers_sharing_a_file_accept_each_id_exactly_once_even_at_the_same_moment()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "state", "seen-ids.txt"); // the folder is created on first use
        var ids = Enumerable.Range(1, 40).Select(i => $"evt_{i:D3}").ToList();

        // Eight receivers, each with its own file handle (as separate processes have), all given every id at once.
        var receivers = Enumerable.Range(0, 8).Select(_ => new SeenEventIdFile(path)).ToList();
        var outcomes = await Task.WhenAll(receivers.SelectMany(receiver => ids.Select(async id =>
            (Id: id, Accepted: await Task.Run(() => receiver.TryAddAsync(id, CancellationToken.None))))));

        Assert.All(ids, id => Assert.Equal(1, outcomes.Count(o => o.Id == id && o.Accepted)));
        var lines = File.ReadAllLines(path);
        Assert.Equal(ids, lines.Select(line => line.Split('\t')[0]).Order());
        Assert.All(lines, line => Assert.Matches(@"^evt_\d{3}\t\d{10}$", line));
    }

    [Fact]
    public async Task A_line_cut_short_by_a_dying_writer_is_not_glued_to_the_next_id()
    {
        using var folder = new TempFolder();
        var path = folder.Write("seen.txt", "evt_old\t1700000000\nevt_half"u8.ToArray());
        var file = new SeenEventIdFile(path);

        Assert.True(await file.TryAddAsync("evt_new", CancellationToken.None));
        Assert.False(await file.TryAddAsync("evt_new", CancellationToken.None));
        Assert.False(await file.TryAddAsync("evt_half", CancellationToken.None));
        Assert.Equal(["evt_old", "evt_half", "evt_new"], File.ReadAllLines(path).Select(line => line.Split('\t')[0]));
    }

    [Fact]
    public async Task Expired_ids_are_pruned_once_they_are_most_of_the_file()
    {
        using var folder = new TempFolder();
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var old = now - SeenEventIdFile.Retention - TimeSpan.FromHours(1);
        var recent = now - TimeSpan.FromHours(1);
        var content = string.Concat(Enumerable.Range(0, 1000).Select(i => $"evt_old{i}\t{old.ToUnixTimeSeconds()}\n"))
            + $"evt_recent\t{recent.ToUnixTimeSeconds()}\nevt_by_hand\n";
        var path = folder.Write("seen.txt", System.Text.Encoding.UTF8.GetBytes(content));
        var file = new SeenEventIdFile(path, new ManualTimeProvider(now));

        Assert.True(await file.TryAddAsync("evt_new", CancellationToken.None));

        Assert.Equal(["evt_recent", "evt_by_hand", "evt_new"], File.ReadAllLines(path).Select(line => line.Split('\t')[0]));
        Assert.False(await file.TryAddAsync("evt_recent", CancellationToken.None));
        Assert.True(await file.TryAddAsync("evt_old7", CancellationToken.None)); // past retention: forgotten
    }

    [Fact]
    public async Task When_the_file_cannot_be_written_the_id_is_not_remembered_so_a_redelivery_gets_through()
    {
        using var folder = new TempFolder();
        var seen = new SeenEventIds(100);
        var unusable = new WebhookReplayGuard(seen, new SeenEventIdFile(folder.Path)); // a folder, not a file

        await Assert.ThrowsAnyAsync<Exception>(() => unusable.IsFirstDeliveryAsync("evt_1", CancellationToken.None));

        Assert.True(await new WebhookReplayGuard(seen, null).IsFirstDeliveryAsync("evt_1", CancellationToken.None));
    }
}
