using System;
using System.Collections.Generic;
using System.IO;

namespace ToApis.Client.Files;

/// <summary>Why a local file operation failed, in the terms a user acts on.</summary>
internal enum LocalFileFailure
{
    Other,
    DiskFull,
    ReadOnly,
    PermissionDenied,
    NameTooLong,
    InUse,
}

/// <summary>
/// Local file errors are never transient: retrying a download cannot free a disk or fix a permission. This
/// turns them into <see cref="ToApisFileException"/>s that name the path and the cause, so that no retry
/// rule mistakes them for the network's (which are plain <see cref="IOException"/>s too).
/// </summary>
internal static class LocalFileErrors
{
    /// <summary>By HResult: .NET on Unix puts errno there, Windows its Win32 code as 0x8007xxxx.</summary>
    private static readonly Dictionary<int, LocalFileFailure> ByHResult = new()
    {
        [28] = LocalFileFailure.DiskFull, // ENOSPC
        [122] = LocalFileFailure.DiskFull, // EDQUOT on Linux
        [69] = LocalFileFailure.DiskFull, // EDQUOT on macOS
        [30] = LocalFileFailure.ReadOnly, // EROFS
        [11] = LocalFileFailure.InUse, // EAGAIN
        [Win32(112)] = LocalFileFailure.DiskFull, // ERROR_DISK_FULL
        [Win32(39)] = LocalFileFailure.DiskFull, // ERROR_HANDLE_DISK_FULL
        [Win32(19)] = LocalFileFailure.ReadOnly, // ERROR_WRITE_PROTECT
        [Win32(32)] = LocalFileFailure.InUse, // ERROR_SHARING_VIOLATION
        [Win32(33)] = LocalFileFailure.InUse, // ERROR_LOCK_VIOLATION
        [Win32(206)] = LocalFileFailure.NameTooLong, // ERROR_FILENAME_EXCED_RANGE
    };

    public static bool IsLocalFileError(Exception error) => error is IOException or UnauthorizedAccessException;

    public static LocalFileFailure Classify(Exception error) => error switch
    {
        PathTooLongException => LocalFileFailure.NameTooLong,
        UnauthorizedAccessException => LocalFileFailure.PermissionDenied,
        IOException when ByHResult.TryGetValue(error.HResult, out var failure) => failure,
        _ => LocalFileFailure.Other,
    };

    /// <summary>A read or write of <paramref name="path"/> failed: the error to report, never retried.</summary>
    public static ToApisFileException Failed(FileProblem problem, string path, Exception error, string? consequence = null)
    {
        var failure = Classify(error);
        var cause = failure switch
        {
            LocalFileFailure.DiskFull => "the disk is full",
            LocalFileFailure.ReadOnly => "the file system is read-only",
            LocalFileFailure.PermissionDenied => "permission denied",
            LocalFileFailure.NameTooLong => "the name or path is too long",
            LocalFileFailure.InUse => "the file is locked by another program",
            _ => error.Message,
        };
        var what = problem == FileProblem.ReadFailed ? "read" : "written";
        return new ToApisFileException(problem, path, $"'{path}' could not be {what}: {cause}{(consequence is null ? "" : "; " + consequence)}.", error)
        {
            LocalFailure = failure,
        };
    }

    /// <summary>Runs a local file operation, turning its failure into a write error that names <paramref name="path"/>.</summary>
    public static T Writing<T>(string path, Func<T> operation) => Guarded(FileProblem.WriteFailed, path, operation);

    public static void Writing(string path, Action operation) => Writing(path, () =>
    {
        operation();
        return true;
    });

    /// <summary>Runs a local file read, turning its failure into a read error that names <paramref name="path"/>.</summary>
    public static T Reading<T>(string path, Func<T> operation) => Guarded(FileProblem.ReadFailed, path, operation);

    private static T Guarded<T>(FileProblem problem, string path, Func<T> operation)
    {
        try
        {
            return operation();
        }
        catch (Exception error) when (IsLocalFileError(error))
        {
            throw Failed(problem, path, error);
        }
    }

    private static int Win32(int code) => unchecked((int)0x80070000) | code;
}
