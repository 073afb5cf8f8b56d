namespace ToApis.Tests.Infrastructure;

/// <summary>A scratch folder under the system temp folder, deleted with the test.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "toapis-tests-" + Guid.NewGuid().ToString("N"));

    public string Write(string name, byte[] content)
    {
        var path = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }

    /// <summary>Every file below the folder, hidden ones included, relative to it.</summary>
    public IReadOnlyList<string> Files(string subfolder = "") =>
        Directory.Exists(System.IO.Path.Combine(Path, subfolder))
            ? Directory.GetFiles(System.IO.Path.Combine(Path, subfolder), "*", SearchOption.AllDirectories)
                .Select(f => System.IO.Path.GetRelativePath(System.IO.Path.Combine(Path, subfolder), f)).Order().ToList()
            : [];

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Bytes that pass (or fail) the upload endpoint's content checks.</summary>
public static class SampleImages
{
    /// <summary>A real 1×1 PNG.</summary>
    public static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    public static byte[] Jpeg(int seed) => [0xFF, 0xD8, 0xFF, 0xE0, .. Enumerable.Range(0, 64).Select(i => (byte)(i * seed)), 0xFF, 0xD9];

    public static readonly byte[] Bmp = [(byte)'B', (byte)'M', .. new byte[64]];

    public static readonly byte[] Text = "this is not an image"u8.ToArray();

    /// <summary>A PNG signature followed by 11 MB: over the 10 MB limit.</summary>
    public static byte[] OversizedPng() => [.. Png.Take(8), .. new byte[11 * 1024 * 1024]];
}
