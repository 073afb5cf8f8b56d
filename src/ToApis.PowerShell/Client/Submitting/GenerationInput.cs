using System;
using System.Collections.Generic;
using System.Linq;

namespace ToApis.Client.Submitting;

/// <summary>
/// One row's request as the user gave it, in plain CLR values (the PowerShell layer unwraps hashtables and
/// PSObjects first). <see cref="GenerationRequestFactory"/> checks it and turns it into a request.
/// </summary>
internal sealed class GenerationInput
{
    public string Prompt { get; set; } = "";

    /// <summary>The model ids this account may use, when the session knows them; null sends any model.</summary>
    public IReadOnlyList<string>? AvailableModels { get; set; }

    /// <summary>Send a model missing from <see cref="AvailableModels"/> (one newer than the list).</summary>
    public bool SkipModelCheck { get; set; }

    public string? Model { get; set; }

    public string? Size { get; set; }

    /// <summary>As given (a CSV cell is text): a whole number ≥ 0; empty or 0 leaves the number of images to the model.</summary>
    public string? Count { get; set; }

    public IReadOnlyList<string> ImageUrls { get; set; } = Array.Empty<string>();

    /// <summary>Local reference images (file name and type by content) that will be uploaded and added to the request's image_urls.</summary>
    public IReadOnlyList<(string FileName, ImageFormat Format)> LocalImages { get; set; } = Array.Empty<(string, ImageFormat)>();

    public Dictionary<string, object?> Metadata { get; set; } = new();

    public Dictionary<string, object?> ExtraBody { get; set; } = new();

    public double? Temperature { get; set; }

    public double? TopP { get; set; }

    public int? MaxOutputTokens { get; set; }

    public string? PersonGeneration { get; set; }

    public string? OutputMimeType { get; set; }

    public int? CompressionQuality { get; set; }

    public IReadOnlyList<Dictionary<string, object?>>? SafetySettings { get; set; }

    public string? ClientBusinessId { get; set; }

    /// <summary>Per-task webhook URL; a callback_url in <see cref="ExtraBody"/> is taken from there.</summary>
    public string? CallbackUrl { get; set; }

    /// <summary>-Metadata with the parameters that are metadata entries set in it (temperature, topP, imageOutputOptions, safetySettings and the like).</summary>
    public Dictionary<string, object?> MetadataToSend()
    {
        var metadata = new Dictionary<string, object?>(Metadata);
        SetGiven(metadata, ("temperature", Temperature), ("topP", TopP), ("maxOutputTokens", MaxOutputTokens), ("personGeneration", PersonGeneration));
        if (OutputMimeType is not null || CompressionQuality is not null)
        {
            var options = metadata.TryGetValue("imageOutputOptions", out var existing) && existing is Dictionary<string, object?> given
                ? given
                : new Dictionary<string, object?>();
            SetGiven(options, ("mimeType", OutputMimeType), ("compressionQuality", CompressionQuality));
            metadata["imageOutputOptions"] = options;
        }

        SetGiven(metadata, ("safetySettings", SafetySettings?.ToList()));
        return metadata;
    }

    private static void SetGiven(Dictionary<string, object?> target, params (string Key, object? Value)[] fields)
    {
        foreach (var (key, value) in fields.Where(field => field.Value is not null))
        {
            target[key] = value;
        }
    }
}
