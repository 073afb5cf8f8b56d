using System.Globalization;

namespace ToApis.Emulator.Images;

internal readonly record struct PixelSize(int Width, int Height)
{
    private const int LongSide = 1024;

    public static PixelSize Square { get; } = new(LongSide, LongSide);

    /// <summary>
    /// Pixel size for an aspect-ratio <c>size</c> such as "16:9" (long side 1024, so 1024x576). Values that are not
    /// a ratio (<c>auto</c>, <c>match_input_image</c>, none) give a square.
    /// </summary>
    public static PixelSize FromAspectRatio(string? size)
    {
        var parts = size?.Split(':');
        if (parts is not [var widthText, var heightText]
            || !double.TryParse(widthText, NumberStyles.Float, CultureInfo.InvariantCulture, out var ratioWidth)
            || !double.TryParse(heightText, NumberStyles.Float, CultureInfo.InvariantCulture, out var ratioHeight)
            || ratioWidth <= 0 || ratioHeight <= 0)
        {
            return Square;
        }

        return ratioWidth >= ratioHeight
            ? new PixelSize(LongSide, ShortSide(ratioHeight / ratioWidth))
            : new PixelSize(ShortSide(ratioWidth / ratioHeight), LongSide);
    }

    /// <summary>The same aspect ratio with a long side of at most <paramref name="longSide"/> pixels.</summary>
    public PixelSize Shrunk(int longSide)
    {
        var scale = Math.Min(1.0, (double)longSide / Math.Max(Width, Height));
        return new PixelSize(Math.Max(1, (int)Math.Round(Width * scale)), Math.Max(1, (int)Math.Round(Height * scale)));
    }

    private static int ShortSide(double fraction) => Math.Max(1, (int)Math.Round(LongSide * fraction));
}
