using System;
using System.Collections.Generic;
using System.IO;

namespace ToApis.Client.Files;

/// <summary>
/// The folders a disk-full error was met in during this run, and how much space each needs before it is written
/// to again, so the other images are not downloaded only to fail the same way.
/// </summary>
internal sealed class FullFolders
{
    /// <summary>After a disk-full error, a folder is written to again only once it has this much free (or what the failed image had written, plus room).</summary>
    private const long MinimumSpaceAfterDiskFull = 1024 * 1024;

    private readonly object _gate = new();
    private readonly Dictionary<string, long> _spaceNeededByFullFolder = new(StringComparer.Ordinal);

    /// <summary>
    /// After a disk-full error in this folder, the other images are not downloaded only to fail the same way:
    /// each fails at once, until enough space has come back.
    /// </summary>
    public void FailFastWhileFull(string folder)
    {
        var key = Path.GetFullPath(folder);
        long needed;
        lock (_gate)
        {
            if (!_spaceNeededByFullFolder.TryGetValue(key, out needed))
            {
                return;
            }
        }

        var free = FreeSpace(folder);
        if (free is null || free >= needed)
        {
            lock (_gate)
            {
                _spaceNeededByFullFolder.Remove(key);
            }

            return;
        }

        throw new ToApisFileException(
            FileProblem.WriteFailed, folder,
            $"'{folder}' is still full ({free / 1024} KB free since an earlier image failed to fit); this image was not downloaded.")
        {
            LocalFailure = LocalFileFailure.DiskFull,
        };
    }

    public void Remember(string folder, string partial)
    {
        long written = 0;
        try
        {
            written = new FileInfo(partial).Length;
        }
        catch (Exception error) when (LocalFileErrors.IsLocalFileError(error))
        {
        }

        lock (_gate)
        {
            _spaceNeededByFullFolder[Path.GetFullPath(folder)] = Math.Max(MinimumSpaceAfterDiskFull, written + 256 * 1024);
        }
    }

    private static long? FreeSpace(string folder)
    {
        try
        {
            return new DriveInfo(Path.GetFullPath(folder)).AvailableFreeSpace;
        }
        catch (Exception)
        {
            return null; // unknown (a share, a sandbox): try the download
        }
    }
}
