using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading;
using ToApis.Client.Files;
using ToApis.Client.Wire;

namespace ToApis.Client.Journal;

/// <summary>
/// One run at a time per journal (or per run key), across processes: an OS-level lock on a small lock file,
/// released by the OS however the holder ends, even when it is killed. The lock is a byte-range lock
/// (fcntl on Linux and macOS, LockFileEx on Windows) far beyond the file's content, so others can still read
/// the JSON it holds: who holds it (process id, machine, start time, command). Within one process the lock is
/// shared and counted (the cmdlets of one pipeline all take it), and this process never opens a held lock
/// file a second time: closing any descriptor of a file would drop a POSIX lock.
/// </summary>
internal sealed class RunLock : IDisposable
{
    public const string Extension = ".lock";

    private const long LockedByte = 1L << 40;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private static readonly CountedShares<FileStream> HeldByThisProcess = new();

    private readonly string _path;
    private int _released;

    private RunLock(string path) => _path = path;

    /// <summary>
    /// Takes the lock in <paramref name="lockFile"/>, waiting up to <paramref name="timeout"/> for another
    /// process that holds it (told once to <paramref name="onWaiting"/>); then throws
    /// <see cref="ToApisRunInProgressException"/> naming the holder.
    /// </summary>
    /// <param name="resource">How messages name what is locked: "The journal 'run.jsonl'".</param>
    public static RunLock Acquire(
        string lockFile, string resource, string command, TimeSpan timeout, Action<string> onWaiting, CancellationToken cancellationToken,
        TimeProvider? time = null)
    {
        var clock = time ?? TimeProvider.System;
        var path = Path.GetFullPath(lockFile);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var started = clock.GetTimestamp();
        var taken = FileLock.WaitAsync(
                () => ShareOrTake(path, command, clock), timeout, () => PollInterval, clock, cancellationToken,
                () => onWaiting($"{resource} is in use by another run ({HolderOf(path)}); waiting up to {timeout.TotalSeconds:0} s for it to finish."))
            .GetAwaiter().GetResult();
        if (taken is null)
        {
            var holder = HolderOf(path);
            throw new ToApisRunInProgressException(
                resource, holder, $"{resource} is in use by another run ({holder}); waited {clock.GetElapsedTime(started).TotalSeconds:0} s for it to finish.");
        }

        return new RunLock(path);
    }

    /// <summary>
    /// The lock for runs of <paramref name="runKey"/> against <paramref name="service"/> that keep no
    /// journal: in the state folder (<see cref="StateFolder"/>, else the temporary folder), named by a hash
    /// (the key may hold any text).
    /// </summary>
    public static string PathForRunKey(string runKey, Uri service)
    {
        var folder = StateFolder.Find() ?? Path.Combine(Path.GetTempPath(), "ToApis"); // a sandbox without a profile

        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(runKey + "\n" + service.AbsoluteUri));
        var name = BitConverter.ToString(hash, 0, 16).Replace("-", "").ToLowerInvariant();
        return Path.Combine(folder, "locks", name + Extension);
    }

    /// <summary>This process's hold on the lock, shared when a command of it holds one already; else a new one, or null while another process holds it.</summary>
    private static FileStream? ShareOrTake(string path, string command, TimeProvider clock) =>
        HeldByThisProcess.Join(path, () => TryTake(path, command, clock));

    /// <summary>Who holds the lock; read while no command of this process takes or releases it, so this process never opens a file it holds.</summary>
    private static string HolderOf(string path) =>
        HeldByThisProcess.Read(path, heldHere => heldHere ? "a command of this process" : DescribeHolder(path));

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            HeldByThisProcess.Leave(_path, Release);
        }
    }

    private static void Release(FileStream stream)
    {
        try
        {
            stream.SetLength(0); // no stale holder for a reader to name
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.OSX))
            {
                stream.Unlock(LockedByte, 1); // Windows may take a while to release it on close alone
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // Closing the file releases the lock anyway.
        }

        stream.Dispose();
    }

    /// <summary>The lock file, held; or null while another process holds it.</summary>
    private static FileStream? TryTake(string path, string command, TimeProvider clock)
    {
        // No byte-range locks in .NET on macOS: hold the whole file instead; its holder is then not readable.
        var wholeFile = RuntimeInformation.IsOSPlatform(OSPlatform.OSX);
        FileStream? stream = null;
        try
        {
            stream = AtomicFile.OpenShared(path, wholeFile ? FileShare.None : FileShare.ReadWrite | FileShare.Delete);
            if (!wholeFile)
            {
                stream.Lock(LockedByte, 1); // released by the OS when the stream closes or the process ends, however it ends
            }
        }
        catch (IOException) when (wholeFile || stream is not null)
        {
            stream?.Dispose();
            return null; // another process holds it
        }

        WriteHolder(stream, command, clock);
        return stream;
    }

    private static void WriteHolder(FileStream stream, string command, TimeProvider clock)
    {
        using var process = Process.GetCurrentProcess();
        var holder = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object?>
        {
            ["pid"] = process.Id,
            ["machine"] = Environment.MachineName,
            ["user"] = Environment.UserName,
            ["started"] = clock.GetLocalNow(),
            ["command"] = command,
        });
        try
        {
            stream.SetLength(0);
            stream.Write(holder, 0, holder.Length);
            stream.Flush(flushToDisk: true);
        }
        catch (IOException)
        {
            // The lock holds without its description (a full disk): waiters then cannot name the holder.
        }
    }

    /// <summary>"process 4711 on BUILD01, New-ToApisImage, since 2026-11-24 10:00:00 +01:00", or what is known of it.</summary>
    private static string DescribeHolder(string path)
    {
        try
        {
            using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete), Encoding.UTF8);
            using var document = Json.TryParse(reader.ReadToEnd());
            if (document?.RootElement is { ValueKind: JsonValueKind.Object } holder)
            {
                var since = DateTimeOffset.TryParse(holder.String("started"), out var started) ? $", since {started:yyyy-MM-dd HH:mm:ss zzz}" : "";
                return $"process {holder.String("pid")} on {holder.String("machine")}, {holder.String("command")}{since}";
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
        }

        return "another process; its details are not readable";
    }
}
