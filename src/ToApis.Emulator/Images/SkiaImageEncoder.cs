using SkiaSharp;

namespace ToApis.Emulator.Images;

/// <summary>JPEG and WebP through SkiaSharp. When its native library cannot load, results fall back to PNG.</summary>
internal static class SkiaImageEncoder
{
    private const int Quality = 90;

    private static readonly Lazy<bool> Availability = new(ProbeNativeLibrary);

    public static bool IsAvailable => Availability.Value;

    public static byte[] Encode(RgbImage image, ImageFileFormat format)
    {
        var skiaFormat = format switch
        {
            ImageFileFormat.Jpeg => SKEncodedImageFormat.Jpeg,
            ImageFileFormat.WebP => SKEncodedImageFormat.Webp,
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Only JPEG and WebP go through Skia."),
        };

        var rgba = new byte[image.Width * image.Height * 4];
        for (int source = 0, target = 0; source < image.Pixels.Length; source += 3, target += 4)
        {
            rgba[target] = image.Pixels[source];
            rgba[target + 1] = image.Pixels[source + 1];
            rgba[target + 2] = image.Pixels[source + 2];
            rgba[target + 3] = byte.MaxValue;
        }

        var info = new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var skiaImage = SKImage.FromPixelCopy(info, rgba, info.RowBytes);
        using var encoded = skiaImage.Encode(skiaFormat, Quality)
            ?? throw new InvalidOperationException($"SkiaSharp could not encode {format}.");
        return encoded.ToArray();
    }

    private static bool ProbeNativeLibrary()
    {
        try
        {
            return Encode(new RgbImage(1, 1, [0, 0, 0]), ImageFileFormat.Jpeg).Length > 0;
        }
        catch (Exception exception) when (exception is DllNotFoundException or TypeInitializationException
                                              or BadImageFormatException or EntryPointNotFoundException
                                              or InvalidOperationException)
        {
            return false;
        }
    }
}
