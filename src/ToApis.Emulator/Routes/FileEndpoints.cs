using ToApis.Emulator.Files;
using ToApis.Emulator.Hosting;
using ToApis.Emulator.Images;
using ToApis.Emulator.Tasks;

namespace ToApis.Emulator.Routes;

/// <summary>The public files host (contract §9.8): result and upload bytes, no authentication.</summary>
internal sealed class FileEndpoints(
    EmulatorOptions options,
    EmulatorClock clock,
    TaskStore tasks,
    GeneratedImageStore images,
    UploadStore uploads,
    EmulatorStats stats,
    EmulatorRandom random)
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/images/{taskId}/{fileName}", (HttpContext context, string taskId, string fileName, FileEndpoints endpoints) =>
                endpoints.ResultImage(context, taskId, fileName))
            .WithEmulatorRoute(EmulatorRoute.Files);
        routes.MapGet("/uploads/{userId}/{fileName}", (HttpContext context, string userId, string fileName, FileEndpoints endpoints) =>
                endpoints.Upload(context, userId, fileName))
            .WithEmulatorRoute(EmulatorRoute.Files);
        routes.MapFallback("/{**path}", () => NotFound())
            .WithEmulatorRoute(EmulatorRoute.Files);
    }

    private IResult ResultImage(HttpContext context, string taskId, string fileName)
    {
        var now = clock.UtcNow;
        var task = tasks.FindById(taskId);
        if (task is null || task.StateAt(now).Phase != TaskPhase.Completed || task.FindResultImage(fileName) is not { } imageIndex)
        {
            return NotFound();
        }

        if (task.ResultsExpiredAt(now))
        {
            return options.ExpiredResultsAnswer403
                ? Results.Text("Forbidden: this result has expired", "text/plain", statusCode: StatusCodes.Status403Forbidden)
                : NotFound();
        }

        var format = task.Output.Format;
        if (options.ResultMaxBytes <= 0)
        {
            return Serve(context, [images.GetOrRender(task, imageIndex)], format.MimeType());
        }

        // Sized like a real result: a small image, padded to its size.
        var seed = $"{task.Id}#{imageIndex}";
        var size = ResultPadding.SizeFor(seed, options.ResultMinBytes, options.ResultMaxBytes);
        return Serve(context, ResultPadding.Pad(images.GetOrRenderSmall(task, imageIndex), format, size, seed), format.MimeType());
    }

    private IResult Upload(HttpContext context, string userId, string fileName) =>
        uploads.Find(userId, fileName) is { } file ? Serve(context, [file.Content], file.MimeType) : NotFound();

    private IResult Serve(HttpContext context, IReadOnlyList<ReadOnlyMemory<byte>> content, string mimeType)
    {
        stats.RecordServedFile(context.Request.Path, content);
        var latency = options.DownloadMinLatency + ((options.DownloadMaxLatency - options.DownloadMinLatency) * random.NextDouble());
        return new FileResponse(content, mimeType, latency, options.DownloadBandwidth);
    }

    private static IResult NotFound() => Results.Text("Not Found", "text/plain", statusCode: StatusCodes.Status404NotFound);
}
