using ToApis.Client;
using ToApis.Client.RateLimiting;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Core;

/// <summary>
/// The client's timeouts run on the connection's clock: a request that never answers times out when a manual
/// clock passes the limit, not when the wall clock does, so no test waits for one.
/// </summary>
public sealed class ClientClockTests
{
    [Fact]
    public async Task A_request_that_never_answers_times_out_when_the_manual_clock_passes_the_limit()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.Parse("2026-12-04T10:00:00Z"));
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var settings = new ToApisConnectionSettings
        {
            BaseUri = new Uri("https://toapis.invalid/"),
            RequestTimeout = TimeSpan.FromSeconds(60),
            OverallTimeout = TimeSpan.FromMinutes(5),
            MaximumRetryCount = 0,
            RateLimits = new RateLimitSettings(PaceSetting.Off, PaceSetting.Off),
            Time = clock,
        };
        using var connection = new ToApisConnection(settings, "sk-clock-test-0123456789", new SilentHandler(arrived));

        var request = connection.CreateClient().GetTaskAsync("tsk_img_x", CancellationToken.None);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.False(request.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(2));

        var error = await Assert.ThrowsAsync<ToApisTransportException>(() => request.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("timed out (limit 60 s per attempt", error.Message);
    }

    /// <summary>Takes every request and never answers it, until it is cancelled.</summary>
    private sealed class SilentHandler(TaskCompletionSource arrived) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            arrived.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }
}
