using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using ToApis.Emulator;
using Xunit;

namespace ToApis.Tests.Emulator;

/// <summary>The emulator's files host made as slow and as heavy as a CDN serving real results.</summary>
public sealed class FilesHostTests
{
    private static EmulatorOptions Options(Action<EmulatorOptions> configure)
    {
        var options = new EmulatorOptions { TimeScale = 0.001, Seed = 3 };
        configure(options);
        return options;
    }

    /// <summary>The result URL of each of <paramref name="tasks"/> completed tasks.</summary>
    private static async Task<string[]> CompletedResultsAsync(ToApisEmulator emulator, int tasks)
    {
        using var http = new HttpClient { BaseAddress = emulator.BaseUri };
        http.DefaultRequestHeaders.Authorization = new("Bearer", emulator.ApiKey);
        var ids = new List<string>();
        for (var i = 0; i < tasks; i++)
        {
            var body = $$"""{"model":"gemini-2.5-flash-image-official","prompt":"p{{i}}"}""";
            using var created = await http.PostAsync("v1/images/generations", new StringContent(body, Encoding.UTF8, "application/json"));
            ids.Add(JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!);
        }

        emulator.Clock.Advance(TimeSpan.FromMinutes(1));
        var urls = new List<string>();
        foreach (var id in ids)
        {
            var task = JsonDocument.Parse(await http.GetStringAsync($"v1/images/generations/{id}")).RootElement;
            urls.Add(task.GetProperty("result").GetProperty("data")[0].GetProperty("url").GetString()!);
        }

        return [.. urls];
    }

    [Fact]
    public async Task Results_padded_to_real_sizes_are_still_valid_images_each_with_its_own_bytes()
    {
        await using var emulator = await ToApisEmulator.StartAsync(Options(o => (o.ResultMinBytes, o.ResultMaxBytes) = (1_000_000, 3_000_000)));
        var urls = await CompletedResultsAsync(emulator, tasks: 3);
        using var http = new HttpClient();

        var images = new List<byte[]>();
        foreach (var url in urls)
        {
            images.Add(await http.GetByteArrayAsync(url));
        }

        Assert.All(images, image => Assert.InRange(image.Length, 1_000_000 - 12, 3_000_000));
        Assert.All(images, AssertValidPng);
        Assert.Equal(3, images.Select(Convert.ToHexString).Distinct().Count());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(images[0])), emulator.Stats.ServedSha256(urls[0]));
    }

    [Fact]
    public async Task A_download_waits_for_its_first_byte_and_then_comes_at_the_bandwidth()
    {
        await using var emulator = await ToApisEmulator.StartAsync(Options(o =>
        {
            (o.ResultMinBytes, o.ResultMaxBytes) = (1_000_000, 1_000_000);
            (o.DownloadMinLatency, o.DownloadMaxLatency) = (TimeSpan.FromSeconds(0.3), TimeSpan.FromSeconds(0.3));
            o.DownloadBandwidth = 2_000_000;
        }));
        var urls = await CompletedResultsAsync(emulator, tasks: 1);
        using var http = new HttpClient();

        var clock = Stopwatch.StartNew();
        using var response = await http.GetAsync(urls[0], HttpCompletionOption.ResponseHeadersRead);
        var firstByte = clock.Elapsed;
        var length = (await response.Content.ReadAsByteArrayAsync()).Length;
        var whole = clock.Elapsed;

        // Lower bounds only: a busy machine can make a download slower, never faster.
        Assert.True(firstByte >= TimeSpan.FromSeconds(0.29), $"first byte after {firstByte.TotalSeconds:0.000} s");
        Assert.True(whole >= TimeSpan.FromSeconds(0.29 + (0.9 * length / 2_000_000.0)), $"{length} bytes in {whole.TotalSeconds:0.000} s");
        Assert.Equal(response.Content.Headers.ContentLength, length);
    }

    /// <summary>Walks the chunks: signature, then length, type, data and a CRC-32 that matches, ending in IEND.</summary>
    private static void AssertValidPng(byte[] png)
    {
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        var offset = 8;
        string type;
        do
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            type = Encoding.ASCII.GetString(png, offset + 4, 4);
            var crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset + 8 + length));
            Assert.Equal(Crc32(png.AsSpan(offset + 4, 4 + length)), crc);
            offset += 12 + length;
        }
        while (type != "IEND");

        Assert.Equal(png.Length, offset);
    }

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }
}
