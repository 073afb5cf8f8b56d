using System.Globalization;
using System.IO;

namespace ToApis.Client.Files;

/// <summary>A local image checked the way the upload endpoint will check it, before any byte is sent.</summary>
internal sealed record LocalImage(string Path, byte[] Content, ImageFormat Format)
{
    public string FileName => System.IO.Path.GetFileName(Path);

    public static LocalImage Read(string path)
    {
        if (Directory.Exists(path))
        {
            throw new ToApisFileException(FileProblem.IsFolder, path, $"'{path}' is a folder, not an image file.");
        }

        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new ToApisFileException(FileProblem.NotFound, path, $"File '{path}' does not exist.");
        }

        if (file.Length > ImageFormats.MaxUploadBytes)
        {
            throw new ToApisFileException(
                FileProblem.TooLarge, path,
                $"File '{path}' is {Bytes(file.Length)}; the upload limit is {Bytes(ImageFormats.MaxUploadBytes)}, so it is {file.Length - ImageFormats.MaxUploadBytes:N0} byte(s) too large.");
        }

        // A locked or unreadable file is this row's problem, never the end of the command.
        var content = LocalFileErrors.Reading(path, () => File.ReadAllBytes(path));
        var format = ImageFormats.Detect(content)
            ?? throw new ToApisFileException(
                FileProblem.UnsupportedType, path,
                $"File '{path}' is not a {ImageFormats.Supported} image (judged by its content, not its name).");
        return new LocalImage(path, content, format);
    }

    /// <summary>Exact figures: rounding would call a file one byte over the limit "10 MB", the limit itself.</summary>
    private static string Bytes(long count) =>
        string.Format(CultureInfo.InvariantCulture, "{0:N0} bytes ({1:0.###} MiB)", count, count / (1024.0 * 1024.0));
}
