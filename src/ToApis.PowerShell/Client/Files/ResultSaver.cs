using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;

namespace ToApis.Client.Files;

/// <summary>How saving one result image ended.</summary>
internal sealed record SavedImage(string Path, ImageFormat Format, long Length, bool AlreadyPresent);

/// <summary>
/// Saves result images into a folder whole or not at all: <see cref="ResultDownloader"/> fetches each into a
/// hidden partial file there (<see cref="PartialFiles"/>), and only a complete image is renamed to its name
/// (<see cref="AtomicFile.Commit"/>, never through a link). An identical file already there is kept; a different
/// one gets a numbered name, or is replaced under -Force. One instance per command invocation, so names it gave
/// out are not reused within a run; safe to call concurrently.
/// </summary>
internal sealed class ResultSaver(ToApisConnection connection, IRequestLog log)
{
    private readonly ResultDownloader _downloader = new(connection, log);
    private readonly FullFolders _fullFolders = new();
    private readonly object _gate = new();
    private readonly HashSet<string> _writtenThisRun = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, bool> _tidiedFolders = new(StringComparer.Ordinal);

    /// <summary>
    /// A file name (without extension) another image of this run has claimed: never taken as the numbered
    /// alternative to a different existing file, even before that image is written.
    /// </summary>
    internal Func<string, bool> NameTakenInThisRun { get; set; } = _ => false;

    /// <summary>Saves <paramref name="url"/> as <paramref name="baseName"/> plus the extension its bytes call for.</summary>
    public async Task<SavedImage> SaveAsync(
        Uri url, string folder, string baseName, bool force, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        if (!ResultRedirects.IsFetchable(url))
        {
            throw new ToApisFileException(
                FileProblem.UnsupportedUrl, url.ToString(),
                $"The result URL '{url}' is a {url.Scheme}: URL; results are fetched only over http and https, so nothing was downloaded for '{baseName}'.");
        }

        if (expiresAt is { } expiry && expiry <= connection.Time.GetUtcNow())
        {
            throw ResultDownloader.Expired(url, expiry);
        }

        LocalFileErrors.Writing(folder, () => Directory.CreateDirectory(folder));
        RemoveLeftovers(folder);
        _fullFolders.FailFastWhileFull(folder);
        var partial = PartialFiles.NewPath(folder);
        try
        {
            var (length, format) = await _downloader.DownloadAsync(url, partial, expiresAt, cancellationToken).ConfigureAwait(false);
            return Place(partial, folder, baseName, format, length, force);
        }
        catch (ToApisFileException error) when (error.LocalFailure == LocalFileFailure.DiskFull)
        {
            _fullFolders.Remember(folder, partial);
            throw;
        }
        catch (ToApisFileException error) when (error.Problem == FileProblem.WriteFailed && !Directory.Exists(folder))
        {
            // What failed was a hidden partial file, or the rename: the user needs the folder and the image's name.
            throw new ToApisFileException(
                FileProblem.FolderMissing, folder,
                $"The folder '{folder}' was removed while '{baseName}' was being saved into it; nothing was saved.", error);
        }
        finally
        {
            // Also on Ctrl+C and on every failure: no partial file is left behind.
            PartialFiles.TryDelete(partial);
        }
    }

    /// <summary>Once per folder and run: removes the partial files that killed or crashed runs left there.</summary>
    private void RemoveLeftovers(string folder)
    {
        if (_tidiedFolders.TryAdd(Path.GetFullPath(folder), true) && PartialFiles.RemoveLeftovers(folder) is var removed and > 0)
        {
            log.Verbose($"Removed {removed} partial file(s) that an interrupted run left in '{folder}'.");
        }
    }

    private SavedImage Place(string partial, string folder, string baseName, ImageFormat format, long length, bool force)
    {
        var folderPath = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        lock (_gate)
        {
            for (var attempt = 1; ; attempt++)
            {
                // Room is kept for the sidecar's extension, so an image's name never makes its sidecar's too long.
                var suffix = attempt == 1 ? "" : $" ({attempt})";
                var name = FileNames.WithTail(baseName, suffix + format.Extension + SidecarFile.Extension);
                name = name.Substring(0, name.Length - SidecarFile.Extension.Length);
                var target = Path.GetFullPath(Path.Combine(folderPath, name));
                if (!target.StartsWith(folderPath, StringComparison.Ordinal))
                {
                    throw new ToApisFileException(FileProblem.OutsideTargetFolder, target, $"'{name}' would be saved outside '{folder}'; nothing was saved.");
                }

                if (_writtenThisRun.Contains(target) || (attempt > 1 && NameTakenInThisRun(baseName + suffix)))
                {
                    continue;
                }

                AtomicFile.RefuseLink(target);
                var taken = File.Exists(target);
                if (taken && LocalFileErrors.Reading(target, () => SameContent(target, partial)))
                {
                    log.Verbose($"'{target}' already holds this image; kept as is.");
                    return Placed(target, alreadyPresent: true);
                }

                if (!taken || force)
                {
                    LocalFileErrors.Writing(target, () => AtomicFile.Commit(partial, target, replace: taken));
                    return Placed(target, alreadyPresent: false);
                }
            }
        }

        SavedImage Placed(string target, bool alreadyPresent)
        {
            _writtenThisRun.Add(target);
            return new SavedImage(target, format, length, alreadyPresent);
        }
    }

    private static bool SameContent(string first, string second) =>
        new FileInfo(first).Length == new FileInfo(second).Length && Sha256(first).SequenceEqual(Sha256(second));

    private static byte[] Sha256(string path)
    {
        using var sha = SHA256.Create();
        using var stream = File.OpenRead(path);
        return sha.ComputeHash(stream);
    }
}
