using ToApis.Client.Journal;
using ToApis.Client.RateLimiting;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Core;

/// <summary>One rule for what outlives a command: everything the module keeps goes under $env:TOAPIS_STATE_DIR when it is set.</summary>
public sealed class StateFolderTests
{
    [Fact]
    public void Run_key_locks_and_learned_paces_both_live_in_TOAPIS_STATE_DIR()
    {
        var runKeyLock = RunLock.PathForRunKey("catalog", new Uri("https://toapis.com/"));

        Assert.StartsWith(TestEnvironment.StateFolder + Path.DirectorySeparatorChar, runKeyLock);
        Assert.Equal(TestEnvironment.StateFolder, Path.GetDirectoryName(LearnedPaceFile.ForCurrentUser()!.Path));
    }
}
