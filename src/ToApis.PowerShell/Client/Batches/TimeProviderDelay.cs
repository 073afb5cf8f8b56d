using System;
using System.Threading;
using System.Threading.Tasks;

namespace ToApis.Client.Batches;

/// <summary>The core's one way to wait: on an injected clock, so tests advance time instead of waiting for it.</summary>
internal static class TimeProviderDelay
{
    public static Task DelayAsync(this TimeProvider time, TimeSpan delay, CancellationToken cancellationToken = default) =>
#if NET8_0_OR_GREATER
        Task.Delay(delay, time, cancellationToken);
#else
        TimeProviderTaskExtensions.Delay(time, delay, cancellationToken);
#endif
}
