using System;

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

    public static ImageFormat? Detect(byte[] header, int length)
    {
        bool StartsWith(int offset, params byte[] magic)
        {
            if (length < offset + magic.Length)
            {
                return false;
            }

            for (var i = 0; i < magic.Length; i++)
            {
                if (header[offset + i] != magic[i])
                {
                    return false;
                }
            }

            return true;
        }

        if (StartsWith(0, 0xFF, 0xD8, 0xFF))
        {
            return Jpeg;
        }

        if (StartsWith(0, 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A))
        {
            return Png;
        }

        if (StartsWith(0, (byte)'G', (byte)'I', (byte)'F', (byte)'8') && (StartsWith(4, (byte)'7', (byte)'a') || StartsWith(4, (byte)'9', (byte)'a')))
        {
            return Gif;
        }

        return StartsWith(0, (byte)'R', (byte)'I', (byte)'F', (byte)'F') && StartsWith(8, (byte)'W', (byte)'E', (byte)'B', (byte)'P')
            ? WebP
            : null;
    }

    public static ImageFormat? Detect(byte[] bytes) => Detect(bytes, Math.Min(bytes.Length, HeaderLength));

    /// <summary>
    /// Whether a file of <paramref name="format"/> is whole by its own structure: a PNG ends with its IEND
    /// chunk, a JPEG with the EOI marker, a GIF with its trailer, and a WebP is as long as its RIFF header says.
    /// A body cut short (by a proxy closing early, with no Content-Length to tell) fails this check.
    /// </summary>
    public static bool IsComplete(string path, ImageFormat format)
    {
        using var stream = System.IO.File.OpenRead(path);
        var length = stream.Length;
        if (format == WebP)
        {
            var header = ReadAt(stream, 0, HeaderLength);
            return header.Length == HeaderLength && BitConverter.ToUInt32(LittleEndian(header, 4), 0) + 8L <= length;
        }

        // Encoders may pad a JPEG with zero bytes after its end marker.
        var tail = ReadAt(stream, Math.Max(0, length - TailLength), TailLength);
        var end = tail.Length;
        if (format == Jpeg)
        {
            while (end > 0 && tail[end - 1] == 0)
            {
                end--;
            }
        }

        bool EndsWith(params byte[] trailer)
        {
            if (end < trailer.Length)
            {
                return false;
            }

            for (var i = 0; i < trailer.Length; i++)
            {
                if (tail[end - trailer.Length + i] != trailer[i])
                {
                    return false;
                }
            }

            return true;
        }

        if (format == Png)
        {
            return EndsWith(0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82); // "IEND" and its fixed CRC
        }

        return format == Jpeg ? EndsWith(0xFF, 0xD9) : format == Gif && EndsWith(0x3B);
    }

    private const int TailLength = 64;

    private static byte[] ReadAt(System.IO.Stream stream, long offset, int count)
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

    private static byte[] LittleEndian(byte[] bytes, int offset)
    {
        var value = new[] { bytes[offset], bytes[offset + 1], bytes[offset + 2], bytes[offset + 3] };
        if (!BitConverter.IsLittleEndian)
        {
            Array.Reverse(value);
        }

        return value;
    }

    /// <summary>The type of a file on disk, reading only its first bytes.</summary>
    public static ImageFormat? DetectFile(string path)
    {
        var header = new byte[HeaderLength];
        using var stream = System.IO.File.OpenRead(path);
        var read = stream.Read(header, 0, header.Length);
        return Detect(header, read);
    }
}
