using Microsoft.Extensions.Caching.Memory;
using ToApis.Emulator.Tasks;

namespace ToApis.Emulator.Images;

/// <summary>
/// Result images are rendered on first download and cached within a byte budget; evicted images are simply rendered
/// again (they are deterministic), so 10,000 tasks cost memory only for what is actually downloaded.
/// </summary>
internal sealed class GeneratedImageStore : IDisposable
{
    private const long CacheBudgetBytes = 64L * 1024 * 1024;

    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = CacheBudgetBytes });

    public byte[] GetOrRender(EmulatedTask task, int imageIndex) =>
        cache.GetOrCreate((task.Id, imageIndex), entry =>
        {
            var bytes = Render(task, imageIndex);
            entry.Size = bytes.Length;
            return bytes;
        })!;

    public void Dispose() => cache.Dispose();

    private static byte[] Render(EmulatedTask task, int imageIndex)
    {
        var pixels = GradientPainter.Paint($"{task.Id}#{imageIndex}", task.Output.Size);
        return task.Output.Format == ImageFileFormat.Png
            ? PngWriter.Encode(pixels)
            : SkiaImageEncoder.Encode(pixels, task.Output.Format);
    }
}
