using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using ToApis.Client.Wire;

namespace ToApis.Client.Submitting;

/// <summary>
/// The request rules, checked before anything is sent or spent: the documented limits of each model
/// (<see cref="ModelCatalog"/>), aspect ratios, reference URLs, metadata shape, and fields -ExtraBody may not
/// shadow. A rule broken is a <see cref="ToApisValidationException"/> for that row; a doubt is a warning.
/// </summary>
internal static class GenerationRequestFactory
{
    /// <summary>Top-level fields that have parameters of their own, so -ExtraBody cannot set them behind their checks.</summary>
    private static readonly HashSet<string> ReservedFields = new(StringComparer.OrdinalIgnoreCase)
    {
        "model", "prompt", "size", "n", "image_urls", "metadata", "client_business_id",
    };

    private static readonly Regex AspectRatio = new(@"^\d{1,3}:\d{1,3}$", RegexOptions.CultureInvariant);

    public static GenerationRequest Build(GenerationInput input, ICollection<string> warnings)
    {
        var prompt = input.Prompt.Trim();
        if (prompt.Length == 0)
        {
            throw new ToApisValidationException("Prompt", "The prompt is empty.");
        }

        var model = NullIfBlank(input.Model) ?? ModelCatalog.DefaultModel;
        var info = ModelCatalog.Find(model);
        if (info?.MaxPromptLength is { } maxLength && prompt.Length > maxLength)
        {
            throw new ToApisValidationException(
                "Prompt", $"The prompt has {prompt.Length} characters; {model} accepts at most {maxLength}.");
        }

        var size = NullIfBlank(input.Size);
        if (size is not null)
        {
            CheckSize(size, model, info, warnings);
        }

        var count = ParseCount(input.Count);
        if (count > 0 && info?.MaxCount is { } maxCount && count > maxCount)
        {
            throw new ToApisValidationException(
                "Count", $"Count {count} is more than {model} makes per task (at most {maxCount}).");
        }

        var imageUrls = input.ImageUrls.Select(NullIfBlank).OfType<string>().ToList();
        CheckImageUrls(imageUrls, input.LocalImageCount, model, info);

        if (input.ExtraBody.Keys.FirstOrDefault(ReservedFields.Contains) is { } reserved)
        {
            throw new ToApisValidationException(
                "ExtraBody", $"-ExtraBody may not set '{reserved}': use the parameter for it (e.g. -Model, -Size, -Count, -ImageUrl, -Metadata, -ClientBusinessId).");
        }

        return new GenerationRequest
        {
            Model = model,
            Prompt = prompt,
            Size = size,
            Count = count > 0 ? count : null,
            ImageUrls = imageUrls,
            Metadata = BuildMetadata(input),
            ExtraBody = input.ExtraBody,
            ClientBusinessId = NullIfBlank(input.ClientBusinessId),
            CallbackUrl = Webhooks.CallbackUrls.Resolve(input.CallbackUrl, input.ExtraBody),
        };
    }

    /// <summary>The most images any model makes per task.</summary>
    private const int MaxCount = 100;

    /// <summary>A whole number from 0 to 100, as text (a CSV cell) or a number; empty means 0 (the model's default).</summary>
    private static int ParseCount(string? given)
    {
        var text = given?.Trim() ?? "";
        if (text.Length == 0)
        {
            return 0;
        }

        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var count) || count < 0 || count > MaxCount)
        {
            throw new ToApisValidationException(
                "Count", $"Count '{Shorten(given!)}' is not a whole number from 0 to {MaxCount}. Give the number of images (0 or empty leaves it to the model).");
        }

        return count;
    }

    public static string Shorten(string text) => text.Length <= 60 ? text : text.Substring(0, 57) + "...";

    private static void CheckSize(string size, string model, ModelInfo? info, ICollection<string> warnings)
    {
        if (!AspectRatio.IsMatch(size) && size != "auto" && size != "match_input_image")
        {
            throw new ToApisValidationException(
                "Size", $"Size '{size}' is not an aspect ratio. Use a ratio such as 1:1 or 16:9 (not pixels), or auto / match_input_image where the model takes them.");
        }

        // Models gain sizes over time: an undocumented one is worth a warning, not a refusal.
        if (info is { Sizes.Length: > 0 } && !info.Sizes.Contains(size))
        {
            warnings.Add($"Size '{size}' is not documented for {model} (documented: {string.Join(", ", info.Sizes)}); sending it anyway.");
        }
    }

    private static void CheckImageUrls(List<string> imageUrls, int localImageCount, string model, ModelInfo? info)
    {
        foreach (var url in imageUrls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new ToApisValidationException(
                    "ImageUrl", $"'{Shorten(url)}' is not a public http(s) URL. The service no longer accepts base64 or local paths: upload the file first (Send-ToApisFile) and pass its Url.");
            }
        }

        var total = imageUrls.Count + localImageCount;
        if (info is not null && total > info.MaxReferenceImages)
        {
            throw new ToApisValidationException(
                localImageCount > 0 ? "ImagePath" : "ImageUrl",
                $"{total} reference images given; {model} accepts at most {info.MaxReferenceImages}. Nothing was uploaded or submitted.");
        }
    }

    private static Dictionary<string, object?> BuildMetadata(GenerationInput input)
    {
        var metadata = new Dictionary<string, object?>(input.Metadata);
        SetIfGiven(metadata, "temperature", input.Temperature);
        SetIfGiven(metadata, "topP", input.TopP);
        SetIfGiven(metadata, "maxOutputTokens", input.MaxOutputTokens);
        SetIfGiven(metadata, "personGeneration", input.PersonGeneration);
        if (input.OutputMimeType is not null || input.CompressionQuality is not null)
        {
            var options = metadata.TryGetValue("imageOutputOptions", out var existing) && existing is Dictionary<string, object?> given
                ? given
                : new Dictionary<string, object?>();
            SetIfGiven(options, "mimeType", input.OutputMimeType);
            SetIfGiven(options, "compressionQuality", input.CompressionQuality);
            metadata["imageOutputOptions"] = options;
        }

        if (input.SafetySettings is { } settings)
        {
            if (settings.FirstOrDefault(s => !s.ContainsKey("category") || !s.ContainsKey("threshold")) is { } incomplete)
            {
                throw new ToApisValidationException(
                    "SafetySetting", $"Each -SafetySetting needs a category and a threshold, e.g. @{{ category = 'HARM_CATEGORY_HATE_SPEECH'; threshold = 'BLOCK_ONLY_HIGH' }}; got keys: {string.Join(", ", incomplete.Keys)}.");
            }

            metadata["safetySettings"] = settings.ToList();
        }

        return metadata;
    }

    private static void SetIfGiven(IDictionary<string, object?> target, string key, object? value)
    {
        if (value is not null)
        {
            target[key] = value;
        }
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value!.Trim();
}
