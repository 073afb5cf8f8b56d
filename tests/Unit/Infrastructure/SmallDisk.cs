using System.Diagnostics;

namespace ToApis.Tests.Infrastructure;

/// <summary>
/// A real, small file system (tmpfs) mounted for one test, to fill or make read-only: disk errors as the field
/// has them, not simulated. Needs root and <c>mount</c>; <see cref="TryMount"/> returns null where they are missing.
/// </summary>
public sealed class SmallDisk : IDisposable
{
    private readonly string _filler;

    private SmallDisk(string path)
    {
        Path = path;
        _filler = System.IO.Path.Combine(path, "filler");
    }

    public string Path { get; }

    public static SmallDisk? TryMount(int megabytes)
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            return null;
        }

        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "toapis-disk-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        if (Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m", "tmpfs", path) != 0)
        {
            Directory.Delete(path);
            return null;
        }

        return new SmallDisk(path);
    }

    /// <summary>Writes a file until the disk is full.</summary>
    public void Fill()
    {
        using var stream = new FileStream(_filler, FileMode.Append, FileAccess.Write, FileShare.None, bufferSize: 1); // unbuffered: closing writes nothing more
        var chunk = new byte[64 * 1024];
        try
        {
            while (true)
            {
                stream.Write(chunk);
                stream.Flush();
            }
        }
        catch (IOException)
        {
        }

        // Whatever is left (less than a chunk) goes too, byte by byte.
        try
        {
            while (true)
            {
                stream.WriteByte(0);
                stream.Flush();
            }
        }
        catch (IOException)
        {
        }
    }

    public void Free() => File.Delete(_filler);

    public void MakeReadOnly()
    {
        if (Run("mount", "-o", "remount,ro", Path) != 0)
        {
            throw new InvalidOperationException("remount,ro failed");
        }
    }

    public void Dispose()
    {
        Run("umount", "-l", Path);
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int Run(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1; // no such command
        }
    }
}
