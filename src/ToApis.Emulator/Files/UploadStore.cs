using System.Collections.Concurrent;

namespace ToApis.Emulator.Files;

internal sealed record UploadedFile(string Path, byte[] Content, string MimeType);

/// <summary>Uploaded bytes by URL path. Upload URLs never expire here: the docs state no retention (contract U6).</summary>
internal sealed class UploadStore
{
    private readonly ConcurrentDictionary<string, UploadedFile> filesByPath = new(StringComparer.Ordinal);

    /// <summary>The decoded URL path of an upload, as the files host sees it.</summary>
    public static string PathOf(string userId, string fileName) => $"/uploads/{userId}/{fileName}";

    public void Add(UploadedFile file) => filesByPath[file.Path] = file;

    public UploadedFile? Find(string userId, string fileName) => filesByPath.GetValueOrDefault(PathOf(userId, fileName));
}
