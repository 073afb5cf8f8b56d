namespace ToApis.Emulator.Files;

/// <summary>Builds public URLs on the files host, whose port is known only once it listens.</summary>
internal sealed class FileUrls
{
    private string? origin;

    public string Origin
    {
        get => origin ?? throw new InvalidOperationException("The files host has not started yet.");
        set => origin = value.TrimEnd('/');
    }

    public string For(string path) => Origin + path;
}
