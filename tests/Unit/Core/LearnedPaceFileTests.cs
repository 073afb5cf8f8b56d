using ToApis.Client.RateLimiting;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Core;

/// <summary>The per-account memory of learned paces: what it holds, what it never holds, and sharing it.</summary>
public sealed class LearnedPaceFileTests : IDisposable
{
    private const string Key = "sk-this-key-must-never-be-written";
    private static readonly Uri Service = new("https://toapis.com/");

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string FilePath => Path.Combine(_temp.Path, "state", LearnedPaceFile.FileName);

    [Fact]
    public void A_written_pace_reads_back_under_a_hash_and_the_key_is_nowhere_in_the_file()
    {
        var file = new LearnedPaceFile(FilePath);
        var account = LearnedPaceFile.AccountId(Service, Key);

        Assert.Null(file.Write(account, new LearnedPace(19.4, 50, DateTimeOffset.UtcNow)));
        var read = new LearnedPaceFile(FilePath).Read(account, DateTimeOffset.UtcNow);

        Assert.Equal(19.4, read!.Submit);
        Assert.Equal(50, read.Query);
        Assert.Matches("^[0-9a-f]{64}$", account);
        var text = File.ReadAllText(FilePath);
        Assert.Contains(account, text);
        Assert.DoesNotContain(Key, text);
        Assert.DoesNotContain("this-key", text);
        Assert.Equal(new[] { LearnedPaceFile.FileName, LearnedPaceFile.FileName + ".lock" }, _temp.Files("state")); // no temporary file left behind
    }

    [Fact]
    public void The_same_key_at_another_service_is_another_account()
    {
        Assert.NotEqual(LearnedPaceFile.AccountId(Service, Key), LearnedPaceFile.AccountId(new Uri("https://toapis.cn/"), Key));
        Assert.NotEqual(LearnedPaceFile.AccountId(Service, Key), LearnedPaceFile.AccountId(Service, Key + "2"));
    }

    [Fact]
    public void Writers_keep_each_other_s_accounts_and_a_category_learned_nothing_keeps_its_figure()
    {
        var first = new LearnedPaceFile(FilePath);
        var second = new LearnedPaceFile(FilePath);
        var mine = LearnedPaceFile.AccountId(Service, Key);
        var theirs = LearnedPaceFile.AccountId(Service, "sk-other");

        // Paces 1 to 20: a pace of 0 reads as nothing learned, and whichever write lands last must leave a figure.
        var problems = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 20, i =>
        {
            if ((i % 2 == 0 ? first : second).Write(i % 2 == 0 ? mine : theirs, new LearnedPace(i + 1, null, DateTimeOffset.UtcNow)) is { } problem)
            {
                problems.Add(problem);
            }
        });
        Assert.Empty(problems);
        Assert.Null(first.Write(mine, new LearnedPace(null, 120, DateTimeOffset.UtcNow)));

        Assert.NotNull(first.Read(theirs, DateTimeOffset.UtcNow)?.Submit);
        var merged = first.Read(mine, DateTimeOffset.UtcNow)!;
        Assert.NotNull(merged.Submit);
        Assert.Equal(120, merged.Query);
    }

    [Fact]
    public void A_damaged_file_is_started_over_and_an_old_entry_is_forgotten()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        File.WriteAllText(FilePath, "{ not json");
        var file = new LearnedPaceFile(FilePath);
        var account = LearnedPaceFile.AccountId(Service, Key);

        Assert.Null(file.Read(account, DateTimeOffset.UtcNow));
        Assert.Null(file.Write(account, new LearnedPace(7, null, DateTimeOffset.UtcNow.AddDays(-45))));
        Assert.Null(file.Read(account, DateTimeOffset.UtcNow)); // a month and a half old: the tier may have changed since
    }

    [Fact]
    public void The_state_folder_comes_from_TOAPIS_STATE_DIR()
    {
        Assert.Equal(Path.Combine(TestEnvironment.StateFolder, LearnedPaceFile.FileName), LearnedPaceFile.ForCurrentUser()!.Path);
    }
}
