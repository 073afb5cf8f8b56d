using System.Collections.Generic;
using System.Text.Json;
using ToApis.Client.Wire;

namespace ToApis.Client.Files;

/// <summary>The JSON record written beside a saved image: what made it, so a folder of images explains itself.</summary>
internal static class SidecarFile
{
    public static string PathFor(string imagePath) => imagePath + ".json";

    public static void Write(string imagePath, IDictionary<string, object?> content) =>
        AtomicFile.Write(PathFor(imagePath), stream =>
        {
            using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            JsonValueWriter.Write(writer, content);
        });
}
