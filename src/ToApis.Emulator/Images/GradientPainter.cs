using System.Security.Cryptography;
using System.Text;

namespace ToApis.Emulator.Images;

/// <summary>24-bit RGB pixels, row by row.</summary>
internal sealed record RgbImage(int Width, int Height, byte[] Pixels);

/// <summary>Paints a smooth colour gradient whose colours are derived from a seed text, so every image is repeatable.</summary>
internal static class GradientPainter
{
    public static RgbImage Paint(string seed, PixelSize size)
    {
        Span<byte> colours = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(seed), colours);
        var (width, height) = size;
        var pixels = new byte[width * height * 3];
        var xSpan = Math.Max(1, width - 1);
        var ySpan = Math.Max(1, height - 1);
        var diagonalSpan = xSpan + ySpan;

        for (var y = 0; y < height; y++)
        {
            var row = pixels.AsSpan(y * width * 3, width * 3);
            var green = Blend(colours[1], colours[4], y, ySpan);
            for (var x = 0; x < width; x++)
            {
                row[x * 3] = Blend(colours[0], colours[3], x, xSpan);
                row[(x * 3) + 1] = green;
                row[(x * 3) + 2] = Blend(colours[2], colours[5], x + y, diagonalSpan);
            }
        }

        return new RgbImage(width, height, pixels);
    }

    private static byte Blend(byte from, byte to, int position, int span) =>
        (byte)(from + ((to - from) * position / span));
}
