using System;
using System.IO;

namespace ToApis.Client.Files;

/// <summary>
/// Every file the module creates or replaces goes through here, so none is ever written through a link planted
/// in a shared folder. New content goes to a fresh random name opened with exclusive create (which fails on
/// anything already there, a link included), then is renamed over the target, which replaces a directory entry
/// and never writes through it. A link (a symbolic link, or any reparse point on Windows) at a target or at a
/// predictable name is refused as <see cref="FileProblem.UnsafePath"/>. netstandard2.0 has no LinkTarget API, so
/// a link is recognised by <see cref="FileAttributes.ReparsePoint"/>, which .NET reports for symbolic links on Unix too.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="target"/> whole or not at all: a reader never sees half a file, and a failed write leaves the old one.</summary>
    public static void Write(string target, Action<Stream> write)
    {
        var partial = PartialFiles.NewPath(Path.GetDirectoryName(Path.GetFullPath(target))!);
        try
        {
            using (var stream = CreateNew(partial))
            {
                write(stream);
            }

            Commit(partial, target, replace: true);
        }
        finally
        {
            PartialFiles.TryDelete(partial);
        }
    }

    /// <summary>A new file at a random <paramref name="path"/> (<see cref="PartialFiles.NewPath"/>): fails if anything is there, a link included.</summary>
    public static FileStream CreateNew(string path, bool useAsync = false) =>
        new(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, useAsync);

    /// <summary>Renames <paramref name="partial"/> to <paramref name="target"/>; a file there is replaced only when <paramref name="replace"/>, a link never.</summary>
    public static void Commit(string partial, string target, bool replace)
    {
        RefuseLink(target);
        if (replace && File.Exists(target))
        {
            File.Replace(partial, target, null);
        }
        else
        {
            File.Move(partial, target);
        }
    }

    /// <summary>
    /// Opens, creating it if missing, a file at a predictable name that several runs share (a lock, a journal, a
    /// list of seen ids). An existing one is opened only when it is not a link, and checked again once open, so a
    /// link swapped in between is caught before anything is written.
    /// </summary>
    public static FileStream OpenShared(string path, FileShare share)
    {
        for (var attempt = 0; ; attempt++)
        {
            RefuseLink(path);
            try
            {
                return new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, share, bufferSize: 1);
            }
            catch (IOException) when (File.Exists(path) || IsLink(path))
            {
                // There already: open what is there, below.
            }

            RefuseLink(path);
            FileStream stream;
            try
            {
                stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, share, bufferSize: 1);
            }
            catch (FileNotFoundException) when (attempt < 3)
            {
                continue; // removed meanwhile: create it
            }

            if (IsLink(path))
            {
                stream.Dispose();
                RefuseLink(path);
            }

            return stream;
        }
    }

    public static void RefuseLink(string path)
    {
        if (IsLink(path))
        {
            throw new ToApisFileException(
                FileProblem.UnsafePath, path,
                $"'{path}' is a symbolic link (or another reparse point); ToApis never writes through a link, so nothing was written there. Remove the link, or choose another path.");
        }
    }

    /// <summary>Whether <paramref name="path"/> itself (not what it points to) is a link; false when nothing is there.</summary>
    public static bool IsLink(string path)
    {
        try
        {
            return (File.GetAttributes(path) & FileAttributes.ReparsePoint) != 0;
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
    }
}
