using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ToApis.Client.Files;

namespace ToApis.Client.Webhooks;

/// <summary>
/// Accepted webhook event ids in a text file (<c>id&lt;TAB&gt;unix seconds</c> a line) that several processes share:
/// each check-and-append holds the file exclusively (a sharing lock on Windows, flock on Linux and macOS), so two
/// receivers given the same event at once cannot both accept it, and their lines never interleave.
/// </summary>
internal sealed class SeenEventIdFile(string path, TimeProvider? time = null)
{
    /// <summary>Retries end about 31 h after a task finishes; ids are kept well past that, then pruned.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(3);

    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(10);
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    /// <summary>The file is rewritten without expired ids once this many have gathered and they are at least half of it.</summary>
    private const int PruneAfterExpired = 1000;

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    /// <summary>Records the id and returns true, or returns false if the file already holds it.</summary>
    public async Task<bool> TryAddAsync(string eventId, CancellationToken cancellationToken)
    {
        using var stream = await OpenExclusiveAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var content = ReadAll(stream);
        var lines = content.Split('\n').Select(line => line.TrimEnd('\r')).Where(line => line.Length > 0).ToList();
        if (lines.Any(line => IdOf(line) == eventId))
        {
            return false;
        }

        var kept = lines.Where(line => SeenAt(line) is not { } at || now - at <= Retention).ToList();
        var expired = lines.Count - kept.Count;
        var entry = eventId + "\t" + now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) + "\n";
        if (expired >= PruneAfterExpired && expired >= kept.Count)
        {
            stream.Position = 0;
            Write(stream, string.Concat(kept.ConvertAll(line => line + "\n")) + entry);
            stream.SetLength(stream.Position);
        }
        else
        {
            stream.Seek(0, SeekOrigin.End);
            // A writer that died mid-line must not glue its fragment to this id.
            Write(stream, (content.Length > 0 && !content.EndsWith("\n", StringComparison.Ordinal) ? "\n" : "") + entry);
        }

        stream.Flush(flushToDisk: true);
        return true;
    }

    private async Task<FileStream> OpenExclusiveAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        // Another receiver holds it for a read and an append: a few milliseconds.
        var random = new Random();
        return await FileLock.WaitAsync(
                () => FileLock.TryOpenExclusive(Path), LockTimeout, () => TimeSpan.FromMilliseconds(random.Next(2, 20)), _time, cancellationToken)
                .ConfigureAwait(false)
            ?? throw new IOException($"The seen-id file '{Path}' stayed locked by another process for {LockTimeout.TotalSeconds:0} s.");
    }

    private static string ReadAll(FileStream stream)
    {
        using var reader = new StreamReader(stream, Utf8, detectEncodingFromByteOrderMarks: true, bufferSize: 4096, leaveOpen: true);
        return reader.ReadToEnd();
    }

    private static void Write(FileStream stream, string text)
    {
        var bytes = Utf8.GetBytes(text);
        stream.Write(bytes, 0, bytes.Length);
    }

    /// <summary>A line is "id TAB unix seconds"; one without a time (written by hand) is kept for good.</summary>
    private static string IdOf(string line) => line.LastIndexOf('\t') is var tab and >= 0 ? line.Substring(0, tab) : line.Trim();

    private static DateTimeOffset? SeenAt(string line) =>
        line.LastIndexOf('\t') is var tab and >= 0
        && long.TryParse(line.Substring(tab + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;
}
