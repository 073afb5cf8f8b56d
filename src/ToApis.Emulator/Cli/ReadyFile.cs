using System.Text.Json;

namespace ToApis.Emulator.Cli;

/// <summary>Tells a launching script where the emulator listens: <c>{"baseUrl","filesUrl","apiKey"}</c>.</summary>
internal static class ReadyFile
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Writes to a temporary file, then renames it, so a reader never sees half a file.</summary>
    public static async Task WriteAsync(string path, string baseUrl, string filesUrl, string apiKey)
    {
        var fullPath = Path.GetFullPath(path);
        var temporaryPath = $"{fullPath}.{Environment.ProcessId}.tmp";
        await File.WriteAllTextAsync(temporaryPath, JsonSerializer.Serialize(new Content(baseUrl, filesUrl, apiKey), Json));
        File.Move(temporaryPath, fullPath, overwrite: true);
    }

    public static void Delete(string path) => File.Delete(Path.GetFullPath(path));

    private sealed record Content(string BaseUrl, string FilesUrl, string ApiKey);
}
