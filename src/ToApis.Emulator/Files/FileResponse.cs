using System.Diagnostics;

namespace ToApis.Emulator.Files;

/// <summary>
/// A files-host answer sent the way a CDN sends it: the first byte after a delay, then the body at a bandwidth
/// per connection, in slices written as they are due, so a client sees a slow, streaming download. A client that
/// gives up ends it at once.
/// </summary>
internal sealed class FileResponse(IReadOnlyList<ReadOnlyMemory<byte>> segments, string contentType, TimeSpan firstByteDelay, long bytesPerSecond)
    : IResult
{
    private const int SliceBytes = 64 * 1024;

    public long Length { get; } = segments.Sum(segment => (long)segment.Length);

    public async Task ExecuteAsync(HttpContext context)
    {
        var aborted = context.RequestAborted;
        try
        {
            if (firstByteDelay > TimeSpan.Zero)
            {
                await Task.Delay(firstByteDelay, aborted);
            }

            var response = context.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = contentType;
            response.ContentLength = Length;
            var started = Stopwatch.GetTimestamp();
            long sent = 0;
            foreach (var segment in segments)
            {
                for (var offset = 0; offset < segment.Length; offset += SliceBytes)
                {
                    var slice = segment.Slice(offset, Math.Min(SliceBytes, segment.Length - offset));
                    if (bytesPerSecond > 0)
                    {
                        var due = TimeSpan.FromSeconds((double)sent / bytesPerSecond) - Stopwatch.GetElapsedTime(started);
                        if (due > TimeSpan.Zero)
                        {
                            await Task.Delay(due, aborted);
                        }
                    }

                    await response.Body.WriteAsync(slice, aborted);
                    sent += slice.Length;
                }
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client hung up: nothing more to send, and nothing to report.
        }
    }
}
