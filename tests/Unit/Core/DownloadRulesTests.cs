using System.Net;
using System.Text;
using ToApis.Client;
using ToApis.Client.Files;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Core;

/// <summary>The rules a result download is held to: whole images, safe redirects, names that fit.</summary>
public sealed class DownloadRulesTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static byte[] Gif => [.. "GIF89a"u8.ToArray(), 1, 0, 1, 0, 0, 0, 0, 0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 0x01, 0, 0x3B];

    private static byte[] WebP(int payload)
    {
        var body = new byte[payload];
        return [.. "RIFF"u8.ToArray(), .. BitConverter.GetBytes(payload + 4), .. "WEBP"u8.ToArray(), .. body];
    }

    public static TheoryData<string, byte[]> WholeImages() => new()
    {
        { "png", SampleImages.Png },
        { "jpeg", SampleImages.Jpeg(3) },
        { "jpeg padded", [.. SampleImages.Jpeg(5), 0, 0] },
        { "gif", Gif },
        { "webp", WebP(40) },
    };

    [Theory]
    [MemberData(nameof(WholeImages))]
    public void A_whole_image_is_complete_and_any_cut_of_it_is_not(string name, byte[] image)
    {
        var format = ImageFormats.Detect(image)!;

        Assert.True(IsComplete(image, format), name);
        var padding = image.Reverse().TakeWhile(b => b == 0).Count();
        foreach (var length in new[] { image.Length - padding - 1, image.Length / 2, ImageFormats.HeaderLength })
        {
            Assert.False(IsComplete(image[..length], format), $"{name} cut at {length} of {image.Length}");
        }
    }

    private bool IsComplete(byte[] bytes, ImageFormat format) =>
        ImageFormats.IsComplete(_temp.Write(Guid.NewGuid().ToString("N"), bytes), format);

    [Theory]
    [InlineData("169.254.169.254", false, "link-local")]
    [InlineData("169.254.169.254", true, "link-local")]
    [InlineData("fe80::1", true, "link-local")]
    [InlineData("10.1.2.3", false, "private")]
    [InlineData("172.20.0.1", false, "private")]
    [InlineData("192.168.1.1", false, "private")]
    [InlineData("127.0.0.1", false, "private")]
    [InlineData("::1", false, "private")]
    [InlineData("fd00::1", false, "private")]
    [InlineData("::ffff:10.0.0.1", false, "private")]
    [InlineData("10.1.2.3", true, null)]
    [InlineData("127.0.0.1", true, null)]
    [InlineData("203.0.113.7", false, null)]
    [InlineData("2606:4700::1111", false, null)]
    public void A_redirect_never_leads_to_a_link_local_address_nor_a_private_one_from_a_public_host(string address, bool filesHostIsLoopback, string? refused)
    {
        var reason = ResultRedirects.Forbidden(IPAddress.Parse(address), allowPrivate: filesHostIsLoopback);

        if (refused is null)
        {
            Assert.Null(reason);
        }
        else
        {
            Assert.Contains(refused, reason);
        }
    }

    [Theory]
    [InlineData("ascii", 1)]
    [InlineData("灯", 3)]
    [InlineData("👩‍👩‍👧", 18)]
    [InlineData("é", 3)] // e and a combining accent: one character of two code points
    public void Names_are_cut_to_the_platforms_limit_in_bytes_and_never_inside_a_character(string unit, int bytesPerUnit)
    {
        var name = string.Concat(Enumerable.Repeat(unit, 300 / bytesPerUnit + 10));
        const string Tail = " (2).png.json";

        var fitted = FileNames.WithTail(FileNames.Sanitize(name), Tail);

        Assert.InRange(Encoding.UTF8.GetByteCount(fitted), 255 - bytesPerUnit * 2 - 16, 255);
        Assert.EndsWith(Tail, fitted);
        var stem = fitted[..^Tail.Length];
        Assert.Equal(0, stem.Length % unit.Length);
        Assert.Equal(string.Concat(Enumerable.Repeat(unit, stem.Length / unit.Length)), stem);
    }
}
