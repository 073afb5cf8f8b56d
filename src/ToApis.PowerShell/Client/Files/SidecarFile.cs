using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using ToApis.Client.Wire;

namespace ToApis.Client.Files;

/// <summary>The JSON record written beside a saved image: what made it, so a folder of images explains itself.</summary>
internal static class SidecarFile
{
    public const string Extension = ".json";

    public static string PathFor(string imagePath) => imagePath + Extension;

    /// <summary>Writes the sidecar whole or not at all, never through a link; a local failure is a <see cref="FileProblem.WriteFailed"/> naming it.</summary>
    public static void Write(string imagePath, IDictionary<string, object?> content)
    {
        var target = PathFor(imagePath);
        LocalFileErrors.Writing(target, () => AtomicFile.Write(target, stream =>
        {
            using var writer = new Utf8JsonWriter(stream, Json.ReadableWriterOptions(indented: true));
            JsonValueWriter.Write(writer, content);
        }));
    }
}
