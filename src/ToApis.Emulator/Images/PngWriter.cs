using System.Buffers.Binary;
using System.IO.Compression;

namespace ToApis.Emulator.Images;

/// <summary>Writes 8-bit RGB PNG files: signature, IHDR, one IDAT (zlib) and IEND, each chunk with its CRC-32.</summary>
internal static class PngWriter
{
    private const byte ColourTypeRgb = 2;
    private const byte FilterSub = 1;

    public static byte[] Encode(RgbImage image)
    {
        using var output = new MemoryStream();
        output.Write(ImageFileFormats.PngSignature);

        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, image.Width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], image.Height);
        header[8] = 8; // bits per sample
        header[9] = ColourTypeRgb;
        header[10] = 0; // deflate
        header[11] = 0; // adaptive filtering
        header[12] = 0; // no interlace
        WriteChunk(output, "IHDR"u8, header);
        WriteChunk(output, "IDAT"u8, CompressScanlines(image));
        WriteChunk(output, "IEND"u8, []);
        return output.ToArray();
    }

    private static byte[] CompressScanlines(RgbImage image)
    {
        var stride = image.Width * 3;
        var scanline = new byte[1 + stride];
        scanline[0] = FilterSub;
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            for (var y = 0; y < image.Height; y++)
            {
                var row = image.Pixels.AsSpan(y * stride, stride);
                // "Sub" filter: each byte minus the same channel of the pixel to its left; gradients shrink to near zeros.
                row[..3].CopyTo(scanline.AsSpan(1));
                for (var i = 3; i < stride; i++)
                {
                    scanline[1 + i] = (byte)(row[i] - row[i - 3]);
                }

                zlib.Write(scanline);
            }
        }

        return compressed.ToArray();
    }

    private static void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(number, data.Length);
        output.Write(number);
        output.Write(type);
        output.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(number, Crc32.Compute(type, data));
        output.Write(number);
    }
}

/// <summary>CRC-32 (ISO 3309, polynomial 0xEDB88320) as PNG chunks require; System.IO.Hashing is not in the framework.</summary>
internal static class Crc32
{
    private static readonly uint[] Table = CreateTable();

    public static uint Compute(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second) =>
        ~Update(Update(uint.MaxValue, first), second);

    private static uint Update(uint crc, ReadOnlySpan<byte> bytes)
    {
        foreach (var value in bytes)
        {
            crc = Table[(crc ^ value) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] CreateTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < table.Length; n++)
        {
            var c = n;
            for (var bit = 0; bit < 8; bit++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
