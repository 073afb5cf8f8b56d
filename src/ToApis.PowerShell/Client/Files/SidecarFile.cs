using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using ToApis.Client.Wire;

namespace ToApis.Client.Files;

/// <summary>The JSON record written beside a saved image: what made it, so a folder of images explains itself.</summary>
internal static class SidecarFile
{
    public static string PathFor(string imagePath) => imagePath + ".json";

    public static void Write(string imagePath, IDictionary<string, object?> content)
    {
        var target = PathFor(imagePath);
        var partial = target + ".toapis-partial";
        using (var stream = File.Create(partial))
        using (var writer = new Utf8JsonWriter(stream, Json.ReadableWriterOptions(indented: true)))
        {
            JsonValueWriter.Write(writer, content);
        }

        if (File.Exists(target))
        {
            File.Replace(partial, target, null);
        }
        else
        {
            File.Move(partial, target);
        }
    }
}
