using System;
using System.Diagnostics;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace ToApis.Client.Files;

/// <summary>
/// The hidden temporary files a download or a sidecar is written to before its rename. Each name says which
/// process on which machine wrote it (<c>.&lt;machine&gt;-&lt;pid&gt;-&lt;guid&gt;.toapis-partial</c>), so a later save
/// can remove what a killed run left behind at once, and spare what a concurrent run is still writing.
/// </summary>
internal static class PartialFiles
{
    public const string Suffix = ".toapis-partial";

    /// <summary>A partial file whose writer cannot be known to be gone is removed only once it is this old.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(5);

    internal static readonly string MachineTag = Tag(Environment.MachineName);

    private static readonly int ProcessId = CurrentProcessId();

    // Ours: the current ".<machine>-<pid>-<guid>" form, and the ".<guid>" form of earlier versions.
    private static readonly Regex OwnName = new(
        @"^\.(?:(?<machine>[0-9a-f]{8})-(?<pid>\d+)-)?[0-9a-f]{32}" + Regex.Escape(Suffix) + "$",
        RegexOptions.CultureInvariant);

    public static string NewPath(string folder) =>
        Path.Combine(folder, $".{MachineTag}-{ProcessId}-{Guid.NewGuid():N}{Suffix}");

    /// <summary>
    /// Deletes our partial files in <paramref name="folder"/> that no run will finish (a process of this machine
    /// that no longer runs, or older than <see cref="StaleAfter"/>) and returns how many. Never fails: a file that cannot be deleted stays.
    /// </summary>
    public static int RemoveLeftovers(string folder)
    {
        string[] candidates;
        try
        {
            candidates = Directory.GetFiles(folder, "*" + Suffix);
        }
        catch (Exception error) when (LocalFileErrors.IsLocalFileError(error))
        {
            return 0;
        }

        var removed = 0;
        foreach (var path in candidates)
        {
            var match = OwnName.Match(Path.GetFileName(path));
            if (!match.Success)
            {
                continue;
            }

            try
            {
                var writerGone = match.Groups["machine"].Value == MachineTag
                    && int.TryParse(match.Groups["pid"].Value, out var pid) && pid != ProcessId && !IsRunning(pid);
                // A file's write time is the wall clock's, so its age is measured on the wall clock, not the run's.
                if (writerGone || TimeProvider.System.GetUtcNow().UtcDateTime - File.GetLastWriteTimeUtc(path) > StaleAfter)
                {
                    File.Delete(path);
                    removed++;
                }
            }
            catch (Exception error) when (LocalFileErrors.IsLocalFileError(error))
            {
            }
        }

        return removed;
    }

    /// <summary>Deletes a partial file if it is there; a failure leaves it for <see cref="RemoveLeftovers"/>.</summary>
    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception error) when (LocalFileErrors.IsLocalFileError(error))
        {
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception error)
        {
            // No such process (ArgumentException), or it exited; when the sandbox will not say, assume it runs: the age rule still applies.
            return error is not (ArgumentException or InvalidOperationException);
        }
    }

    private static int CurrentProcessId()
    {
        using var current = Process.GetCurrentProcess();
        return current.Id;
    }

    private static string Tag(string machine)
    {
        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(machine.ToUpperInvariant()));
        return BitConverter.ToString(hash, 0, 4).Replace("-", "").ToLowerInvariant();
    }
}
