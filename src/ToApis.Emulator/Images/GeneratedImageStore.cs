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
    private const int SmallLongSide = 128;

    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = CacheBudgetBytes });

    public byte[] GetOrRender(EmulatedTask task, int imageIndex) =>
        cache.GetOrCreate((task.Id, imageIndex), entry =>
        {
            var bytes = Render(task, imageIndex);
            entry.Size = bytes.Length;
            return bytes;
        })!;

    /// <summary>
    /// The same picture at a fraction of the pixels, cheap to render at a CDN's pace, for results that are
    /// padded to a real result's size anyway.
    /// </summary>
    public byte[] GetOrRenderSmall(EmulatedTask task, int imageIndex) =>
        cache.GetOrCreate((task.Id, imageIndex, "small"), entry =>
        {
            var bytes = Render(task, imageIndex, task.Output.Size.Shrunk(SmallLongSide));
            entry.Size = bytes.Length;
            return bytes;
        })!;

    public void Dispose() => cache.Dispose();

    private static byte[] Render(EmulatedTask task, int imageIndex) => Render(task, imageIndex, task.Output.Size);

    private static byte[] Render(EmulatedTask task, int imageIndex, PixelSize size)
    {
        var pixels = GradientPainter.Paint($"{task.Id}#{imageIndex}", size);
        return task.Output.Format == ImageFileFormat.Png
            ? PngWriter.Encode(pixels)
            : SkiaImageEncoder.Encode(pixels, task.Output.Format);
    }
}
