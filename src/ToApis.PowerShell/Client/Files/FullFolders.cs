using System;
using System.Collections.Concurrent;
using System.IO;

namespace ToApis.Client.Files;

/// <summary>
/// The folders a disk-full error was met in during this run, and how much free space each needs before it is
/// written to again: until then the other images fail at once instead of being downloaded to fail the same way.
/// </summary>
internal sealed class FullFolders
{
    /// <summary>At least this much, or what the failed image had written plus room.</summary>
    private const long MinimumSpaceAfterDiskFull = 1024 * 1024;

    private readonly ConcurrentDictionary<string, long> _spaceNeeded = new(StringComparer.Ordinal);

    public void FailFastWhileFull(string folder)
    {
        var key = Path.GetFullPath(folder);
        if (!_spaceNeeded.TryGetValue(key, out var needed))
        {
            return;
        }

        var free = FreeSpace(folder);
        if (free is null || free >= needed)
        {
            _spaceNeeded.TryRemove(key, out _);
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

        _spaceNeeded[Path.GetFullPath(folder)] = Math.Max(MinimumSpaceAfterDiskFull, written + 256 * 1024);
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
