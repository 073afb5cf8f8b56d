namespace ToApis.Models;

/// <summary>
/// A reference image uploaded to the service. <see cref="Url"/> binds to New-ToApisImage -ImageUrl
/// by property name, so uploads can be piped straight into generation.
/// </summary>
public sealed class ToApisUpload
{
    public string Url { get; set; } = "";

    public string? Id { get; set; }

    public string? MimeType { get; set; }

    /// <summary>Bytes stored (named like FileInfo.Length so it never binds to New-ToApisImage -Size).</summary>
    public long Length { get; set; }

    /// <summary>The local file that was uploaded.</summary>
    public string? Path { get; set; }

    public override string ToString() => Url;
}
