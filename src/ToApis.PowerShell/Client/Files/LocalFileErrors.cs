using System;
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
    // errno values (.NET on Unix puts errno in HResult) and Win32 codes (in HResult as 0x8007xxxx).
    private const int ENOSPC = 28;
    private const int EROFS = 30;
    private const int EAGAIN = 11;
    private const int EDQUOT_LINUX = 122;
    private const int EDQUOT_MACOS = 69;
    private const int ERROR_WRITE_PROTECT = 19;
    private const int ERROR_SHARING_VIOLATION = 32;
    private const int ERROR_LOCK_VIOLATION = 33;
    private const int ERROR_HANDLE_DISK_FULL = 39;
    private const int ERROR_DISK_FULL = 112;
    private const int ERROR_FILENAME_EXCED_RANGE = 206;

    public static bool IsLocalFileError(Exception error) => error is IOException or UnauthorizedAccessException;

    public static LocalFileFailure Classify(Exception error)
    {
        switch (error)
        {
            case PathTooLongException:
                return LocalFileFailure.NameTooLong;
            case UnauthorizedAccessException:
                return LocalFileFailure.PermissionDenied;
            case not IOException:
                return LocalFileFailure.Other;
        }

        var code = error.HResult;
        var win32 = (code & 0xFFFF0000) == 0x80070000 ? code & 0xFFFF : -1;
        return code switch
        {
            ENOSPC or EDQUOT_LINUX or EDQUOT_MACOS => LocalFileFailure.DiskFull,
            EROFS => LocalFileFailure.ReadOnly,
            EAGAIN => LocalFileFailure.InUse,
            _ => win32 switch
            {
                ERROR_DISK_FULL or ERROR_HANDLE_DISK_FULL => LocalFileFailure.DiskFull,
                ERROR_WRITE_PROTECT => LocalFileFailure.ReadOnly,
                ERROR_SHARING_VIOLATION or ERROR_LOCK_VIOLATION => LocalFileFailure.InUse,
                ERROR_FILENAME_EXCED_RANGE => LocalFileFailure.NameTooLong,
                _ => LocalFileFailure.Other,
            },
        };
    }

    public static string Describe(LocalFileFailure failure, Exception error) => failure switch
    {
        LocalFileFailure.DiskFull => "the disk is full",
        LocalFileFailure.ReadOnly => "the file system is read-only",
        LocalFileFailure.PermissionDenied => "permission denied",
        LocalFileFailure.NameTooLong => "the name or path is too long",
        LocalFileFailure.InUse => "the file is locked by another program",
        _ => error.Message,
    };

    /// <summary>A write to <paramref name="path"/> failed: the error to report, never retried.</summary>
    public static ToApisFileException WriteFailed(string path, Exception error, string? consequence = null)
    {
        var failure = Classify(error);
        return new ToApisFileException(
            FileProblem.WriteFailed, path,
            $"'{path}' could not be written: {Describe(failure, error)}{(consequence is null ? "" : "; " + consequence)}.", error)
        {
            LocalFailure = failure,
        };
    }

    /// <summary>A read of <paramref name="path"/> failed.</summary>
    public static ToApisFileException ReadFailed(string path, Exception error)
    {
        var failure = Classify(error);
        return new ToApisFileException(FileProblem.ReadFailed, path, $"'{path}' could not be read: {Describe(failure, error)}.", error)
        {
            LocalFailure = failure,
        };
    }

    /// <summary>Runs a local file operation, turning its failure into a write error that names <paramref name="path"/>.</summary>
    public static T Writing<T>(string path, Func<T> operation)
    {
        try
        {
            return operation();
        }
        catch (Exception error) when (IsLocalFileError(error))
        {
            throw WriteFailed(path, error);
        }
    }

    public static void Writing(string path, Action operation) => Writing(path, () =>
    {
        operation();
        return true;
    });

    /// <summary>Runs a local file read, turning its failure into a read error that names <paramref name="path"/>.</summary>
    public static T Reading<T>(string path, Func<T> operation)
    {
        try
        {
            return operation();
        }
        catch (Exception error) when (IsLocalFileError(error))
        {
            throw ReadFailed(path, error);
        }
    }
}
