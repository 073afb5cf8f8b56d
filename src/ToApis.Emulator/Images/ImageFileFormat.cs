namespace ToApis.Emulator.Images;

internal enum ImageFileFormat
{
    Png,
    Jpeg,
    WebP,
    Gif,
}

internal static class ImageFileFormats
{
    public static string Extension(this ImageFileFormat format) => format switch
    {
        ImageFileFormat.Png => "png",
        ImageFileFormat.Jpeg => "jpg",
        ImageFileFormat.WebP => "webp",
        ImageFileFormat.Gif => "gif",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    public static string MimeType(this ImageFileFormat format) => format switch
    {
        ImageFileFormat.Png => "image/png",
        ImageFileFormat.Jpeg => "image/jpeg",
        ImageFileFormat.WebP => "image/webp",
        ImageFileFormat.Gif => "image/gif",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    /// <summary>Identifies an image by its magic bytes, whatever its name or declared content type says.</summary>
    public static ImageFileFormat? Detect(ReadOnlySpan<byte> header)
    {
        if (header.StartsWith(JpegSignature))
        {
            return ImageFileFormat.Jpeg;
        }

        if (header.StartsWith(PngSignature))
        {
            return ImageFileFormat.Png;
        }

        if (header.StartsWith("GIF87a"u8) || header.StartsWith("GIF89a"u8))
        {
            return ImageFileFormat.Gif;
        }

        if (header.Length >= 12 && header.StartsWith("RIFF"u8) && header[8..12].SequenceEqual("WEBP"u8))
        {
            return ImageFileFormat.WebP;
        }

        return null;
    }

    private static ReadOnlySpan<byte> JpegSignature => [0xFF, 0xD8, 0xFF];

    public static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
}
