using System;

namespace ToApis.Models;

/// <summary>A model the key can use, with the limits the docs give for it (null where undocumented).</summary>
public sealed class ToApisModel
{
    public string Id { get; set; } = "";

    public string? OwnedBy { get; set; }

    public DateTimeOffset? Created { get; set; }

    public string[] SupportedEndpointTypes { get; set; } = Array.Empty<string>();

    /// <summary>Documented aspect ratios; empty when the model is newer than the client's catalogue.</summary>
    public string[] Sizes { get; set; } = Array.Empty<string>();

    public int? MaxReferenceImages { get; set; }

    public int? MaxCount { get; set; }

    public override string ToString() => Id;
}
