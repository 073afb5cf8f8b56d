using System;
using System.IO;
using System.Linq;

namespace ToApis.Client;

/// <summary>An image type recognised by its first bytes, never by its file name.</summary>
internal sealed record ImageFormat(string Name, string MimeType, string Extension);

/// <summary>
/// The four types the upload endpoint accepts (JPEG, PNG, WebP, GIF), told apart by magic bytes: a text
/// file renamed to .png is not a PNG, and a result URL's extension may not match what it serves.
/// </summary>
internal static class ImageFormats
{
    public static readonly ImageFormat Jpeg = new("JPEG", "image/jpeg", ".jpg");
    public static readonly ImageFormat Png = new("PNG", "image/png", ".png");
    public static readonly ImageFormat WebP = new("WebP", "image/webp", ".webp");
    public static readonly ImageFormat Gif = new("GIF", "image/gif", ".gif");

    /// <summary>Bytes needed to recognise every supported type.</summary>
    public const int HeaderLength = 12;

    /// <summary>The upload endpoint's documented limit.</summary>
    public const long MaxUploadBytes = 10L * 1024 * 1024;

    public const string Supported = "JPEG, PNG, WebP, GIF";

    private const int TailLength = 64;

    public static ImageFormat? Detect(byte[] bytes)
    {
        bool StartsWith(int offset, string magic) => Matches(bytes, bytes.Length, offset, magic);
        return StartsWith(0, "\u00FF\u00D8\u00FF") ? Jpeg
            : StartsWith(0, "\u0089PNG\r\n\u001A\n") ? Png
            : StartsWith(0, "GIF8") && (StartsWith(4, "7a") || StartsWith(4, "9a")) ? Gif
            : StartsWith(0, "RIFF") && StartsWith(8, "WEBP") ? WebP
            : null;
    }

    /// <summary>The type of a file on disk, reading only its first bytes.</summary>
    public static ImageFormat? DetectFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Detect(ReadAt(stream, 0, HeaderLength));
    }

    /// <summary>
    /// Whether a file of <paramref name="format"/> is whole by its own structure: a PNG ends with its IEND
    /// chunk, a JPEG with the EOI marker, a GIF with its trailer, and a WebP is as long as its RIFF header says.
    /// A body cut short (by a proxy closing early, with no Content-Length to tell) fails this check.
    /// </summary>
    public static bool IsComplete(string path, ImageFormat format)
    {
        using var stream = File.OpenRead(path);
        var length = stream.Length;
        if (format == WebP)
        {
            var header = ReadAt(stream, 0, HeaderLength);
            return header.Length == HeaderLength && (uint)(header[4] | header[5] << 8 | header[6] << 16 | header[7] << 24) + 8L <= length; // little-endian RIFF size
        }

        // Encoders may pad a JPEG with zero bytes after its end marker.
        var tail = ReadAt(stream, Math.Max(0, length - TailLength), TailLength);
        var end = tail.Length;
        while (format == Jpeg && end > 0 && tail[end - 1] == 0)
        {
            end--;
        }

        bool EndsWith(string trailer) => end >= trailer.Length && Matches(tail, end, end - trailer.Length, trailer);
        return format == Png ? EndsWith("IEND\u00AE\u0042\u0060\u0082") // the IEND chunk and its fixed CRC
            : format == Jpeg ? EndsWith("\u00FF\u00D9")
            : format == Gif && EndsWith(";");
    }

    /// <summary>Whether <paramref name="bytes"/> (of which the first <paramref name="length"/> count) hold <paramref name="magic"/>, one byte per character, at <paramref name="offset"/>.</summary>
    private static bool Matches(byte[] bytes, int length, int offset, string magic) =>
        length >= offset + magic.Length && magic.Select((character, i) => bytes[offset + i] == character).All(same => same);

    private static byte[] ReadAt(Stream stream, long offset, int count)
    {
        stream.Position = offset;
        var buffer = new byte[count];
        var total = 0;
        int read;
        while (total < count && (read = stream.Read(buffer, total, count - total)) > 0)
        {
            total += read;
        }

        Array.Resize(ref buffer, total);
        return buffer;
    }
}
