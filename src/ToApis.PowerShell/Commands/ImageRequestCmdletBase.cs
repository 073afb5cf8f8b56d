using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ToApis.Binding;
using ToApis.Client;
using ToApis.Client.Files;
using ToApis.Client.Submitting;
using ToApis.Completion;

namespace ToApis.Commands;

/// <summary>
/// Base of the cmdlets that describe an image to generate: the request's parameters, bound from the command
/// line or a row by property name, turned into a checked <see cref="GenerationInput"/> per row.
/// </summary>
public abstract class ImageRequestCmdletBase : JournaledCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Text")]
    [AllowEmptyString]
    public string Prompt { get; set; } = "";

    /// <summary>The whole pipeline object (e.g. a CSV row), kept on the task for later cmdlets.</summary>
    [Parameter(ValueFromPipeline = true, DontShow = true)]
    public PSObject? InputObject { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    [ArgumentCompleter(typeof(ModelCompleter))]
    public string Model { get; set; } = ModelCatalog.DefaultModel;

    /// <summary>An aspect ratio such as 16:9 (not pixels), or auto / match_input_image where the model takes them.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("AspectRatio")]
    [AllowEmptyString]
    [ArgumentCompleter(typeof(SizeCompleter))]
    public string? Size { get; set; }

    /// <summary>
    /// Images to generate (the API's n); many models allow only 1. 0 (or an empty CSV cell) leaves it to the model.
    /// Bound as text so that a CSV cell such as "abc" or "1.5" is this row's error, never silently dropped or rounded.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("N")]
    [AllowEmptyString]
    [AllowNull]
    public string? Count { get; set; }

    /// <summary>Reference images as public http(s) URLs; an upload object's Url binds here.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Url", "ImageUrls", "image_urls")]
    [AllowEmptyCollection]
    [AllowEmptyString]
    public string[] ImageUrl { get; set; } = Array.Empty<string>();

    /// <summary>Local reference images (wildcards allowed): checked, uploaded, then sent as image_urls.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? ImagePath { get; set; }

    /// <summary>Model-specific parameters, sent as the request's metadata object unchanged.</summary>
    [Parameter]
    public Hashtable? Metadata { get; set; }

    [Parameter]
    [ValidateRange(0.0, 2.0)]
    public double? Temperature { get; set; }

    [Parameter]
    [ValidateRange(0.0, 1.0)]
    public double? TopP { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? MaxOutputTokens { get; set; }

    [Parameter]
    [ValidateSet("ALLOW_ALL", "ALLOW_ADULT", "ALLOW_NONE")]
    public string? PersonGeneration { get; set; }

    /// <summary>The generated file type (metadata.imageOutputOptions.mimeType).</summary>
    [Parameter]
    [ValidateSet("image/png", "image/jpeg", "image/webp")]
    public string? OutputMimeType { get; set; }

    /// <summary>JPEG/WebP quality 0–100 (metadata.imageOutputOptions.compressionQuality).</summary>
    [Parameter]
    [ValidateRange(0, 100)]
    public int? CompressionQuality { get; set; }

    /// <summary>Safety thresholds: hashtables with category and threshold (metadata.safetySettings).</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable[]? SafetySetting { get; set; }

    /// <summary>Your own id for the task: it can be used instead of the task id to look the task up.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("client_business_id", "BusinessId")]
    [AllowEmptyString]
    public string? ClientBusinessId { get; set; }

    /// <summary>Other top-level request fields some models take: resolution, quality, reference_images, seed, …</summary>
    [Parameter]
    public Hashtable? ExtraBody { get; set; }

    private bool _promptOnCommandLine;

    protected override void BeginProcessing()
    {
        // Only command-line arguments are bound at this point.
        _promptOnCommandLine = MyInvocation.BoundParameters.ContainsKey(nameof(Prompt));
        base.BeginProcessing();
    }

    /// <summary>The current row's request as given, and its local reference images, read and checked.</summary>
    internal (GenerationInput Input, List<LocalImage> LocalImages) ReadRequest()
    {
        CheckPromptCameFromTheInput();
        var localImages = new List<LocalImage>();
        foreach (var (_, path, error) in ResolveFilePaths(ImagePath ?? Array.Empty<string>(), literal: false))
        {
            localImages.Add(error is null ? LocalImage.Read(path!) : throw error);
        }

        var input = new GenerationInput
        {
            Prompt = Prompt, Model = Model, Size = Size, Count = Count, ImageUrls = ImageUrl, LocalImageCount = localImages.Count,
            Metadata = PSValues.ToDictionary(Metadata), ExtraBody = PSValues.ToDictionary(ExtraBody),
            Temperature = Temperature, TopP = TopP, MaxOutputTokens = MaxOutputTokens, PersonGeneration = PersonGeneration,
            OutputMimeType = OutputMimeType, CompressionQuality = CompressionQuality, ClientBusinessId = ClientBusinessId,
            SafetySettings = SafetySetting?.Select(PSValues.ToDictionary).ToList(),
        };
        return (input, localImages);
    }

    /// <summary>
    /// PowerShell would otherwise bind a row with no Prompt column by turning the whole row into text
    /// ("@{Name=fox}") and send that as the prompt.
    /// </summary>
    private void CheckPromptCameFromTheInput()
    {
        if (!_promptOnCommandLine && InputObject is { BaseObject: not string } row
            && row.Properties[nameof(Prompt)] is null && row.Properties["Text"] is null)
        {
            throw new ToApisValidationException(
                "Prompt", $"The input object ({row.BaseObject.GetType().Name}) has no Prompt property. Add a Prompt column, or pass -Prompt.");
        }
    }
}
