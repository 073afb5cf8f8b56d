using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using ToApis.Emulator.Images;

namespace ToApis.Emulator.Files;

/// <summary>
/// Makes a rendered result as large as a real one (1–3 MB) without rendering megapixels: the bytes a viewer
/// skips are added inside the file, as PNG ancillary chunks before <c>IEND</c> or JPEG comment segments after
/// <c>SOI</c>, so the file stays a valid image of its type. The padding starts with the image's seed, so every
/// image's bytes differ, and is otherwise one shared block: serving a 3 MB image allocates almost nothing.
/// </summary>
internal static class ResultPadding
{
    private const int BlockBytes = 64 * 1024;

    /// <summary>Private, ancillary, safe-to-copy: decoders that do not know it skip it.</summary>
    private static readonly byte[] PngChunkType = "paDd"u8.ToArray();

    private static readonly byte[] SharedBlock = CreateSharedBlock();

    /// <summary>Most chunks are the whole shared block: its CRC is computed once.</summary>
    private static readonly uint SharedBlockCrc = Crc32.Compute(PngChunkType, SharedBlock);

    /// <summary>
    /// The file's bytes as segments to send in order, padded to about <paramref name="targetBytes"/>; formats
    /// that cannot be padded (WebP, GIF) and images already that large come back whole.
    /// </summary>
    public static IReadOnlyList<ReadOnlyMemory<byte>> Pad(byte[] image, ImageFileFormat format, long targetBytes, string seed)
    {
        var padding = targetBytes - image.Length;
        return format switch
        {
            ImageFileFormat.Png when padding > 12 => PadPng(image, padding, seed),
            ImageFileFormat.Jpeg when padding > 4 => PadJpeg(image, padding, seed),
            _ => [image],
        };
    }

    /// <summary>A size between the bounds that is the same every time for the same image.</summary>
    public static long SizeFor(string seed, long minBytes, long maxBytes)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(seed), hash);
        var fraction = BinaryPrimitives.ReadUInt32LittleEndian(hash) / (double)uint.MaxValue;
        return minBytes + (long)((maxBytes - minBytes) * fraction);
    }

    private static List<ReadOnlyMemory<byte>> PadPng(byte[] image, long padding, string seed)
    {
        const int ChunkOverhead = 12; // length, type, CRC
        var segments = new List<ReadOnlyMemory<byte>> { image.AsMemory(0, image.Length - ChunkOverhead) };
        foreach (var (data, wholeSharedBlock) in Blocks(padding, ChunkOverhead, BlockBytes, seed))
        {
            var header = new byte[8];
            BinaryPrimitives.WriteInt32BigEndian(header, data.Length);
            PngChunkType.CopyTo(header, 4);
            var crc = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(crc, wholeSharedBlock ? SharedBlockCrc : Crc32.Compute(PngChunkType, data.Span));
            segments.Add(header);
            segments.Add(data);
            segments.Add(crc);
        }

        segments.Add(image.AsMemory(image.Length - ChunkOverhead)); // IEND
        return segments;
    }

    private static List<ReadOnlyMemory<byte>> PadJpeg(byte[] image, long padding, string seed)
    {
        const int SegmentOverhead = 4; // marker FF FE, then a length that counts its own two bytes
        const int MaxComment = ushort.MaxValue - 2;
        var segments = new List<ReadOnlyMemory<byte>> { image.AsMemory(0, 2) }; // SOI
        foreach (var (data, _) in Blocks(padding, SegmentOverhead, MaxComment, seed))
        {
            var header = new byte[] { 0xFF, 0xFE, 0, 0 };
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), (ushort)(data.Length + 2));
            segments.Add(header);
            segments.Add(data);
        }

        segments.Add(image.AsMemory(2));
        return segments;
    }

    /// <summary>Payloads of at most <paramref name="maxData"/> bytes whose sizes plus overheads add up to <paramref name="padding"/>.</summary>
    private static IEnumerable<(ReadOnlyMemory<byte> Data, bool WholeSharedBlock)> Blocks(long padding, int overhead, int maxData, string seed)
    {
        var first = true;
        while (padding > overhead)
        {
            var size = (int)Math.Min(maxData, padding - overhead);
            padding -= size + overhead;
            if (first)
            {
                // The seed first: two images of the same size never have the same bytes.
                var unique = new byte[size];
                var seedBytes = Encoding.UTF8.GetBytes(seed);
                seedBytes.AsSpan(0, Math.Min(seedBytes.Length, size)).CopyTo(unique);
                SharedBlock.AsSpan(0, size - Math.Min(seedBytes.Length, size)).CopyTo(unique.AsSpan(Math.Min(seedBytes.Length, size)));
                first = false;
                yield return (unique, false);
            }
            else
            {
                yield return (SharedBlock.AsMemory(0, size), size == SharedBlock.Length);
            }
        }
    }

    private static byte[] CreateSharedBlock()
    {
        // Incompressible, like the entropy-coded body of a real image.
        var block = new byte[BlockBytes];
        new Random(20261124).NextBytes(block);
        return block;
    }
}
