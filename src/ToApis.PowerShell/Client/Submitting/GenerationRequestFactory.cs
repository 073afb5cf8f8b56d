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
        "model", "prompt", "n", "image_urls", "metadata", "client_business_id",
    };

    /// <summary>What /v1/images/edits documents, plus what every task takes (client_business_id, callback_url).</summary>
    private static readonly HashSet<string> EditFields = new(StringComparer.OrdinalIgnoreCase)
    {
        "model", "prompt", "image_urls", "n", "client_business_id", "callback_url",
    };

    private const string ReferenceImagesField = "reference_images";
    private const string BusinessIdField = "client_business_id";

    private static readonly Regex Pixels = new(@"^\d+\s*[xX*]\s*\d+$", RegexOptions.CultureInvariant);

    public static GenerationRequest Build(GenerationInput input, ICollection<string> warnings)
    {
        var prompt = input.Prompt.Trim();
        if (prompt.Length == 0)
        {
            throw new ToApisValidationException("Prompt", "The prompt is empty.");
        }

        var model = NullIfBlank(input.Model) ?? ModelCatalog.DefaultModel;
        CheckModelIsAvailable(model, input);
        var info = ModelCatalog.Find(model);
        var promptLength = CountCharacters(prompt);
        if (info?.MaxPromptLength is { } maxLength && promptLength > maxLength)
        {
            throw new ToApisValidationException(
                "Prompt", $"The prompt has {promptLength} characters; {model} accepts at most {maxLength} (each Unicode character, an emoji too, counts once).");
        }

        var extraBody = new Dictionary<string, object?>(input.ExtraBody, StringComparer.Ordinal);
        if (extraBody.Keys.FirstOrDefault(ReservedFields.Contains) is { } reserved)
        {
            throw new ToApisValidationException(
                "ExtraBody", $"-ExtraBody may not set '{reserved}': use the parameter for it (e.g. -Model, -Count, -ImageUrl, -Metadata, -ClientBusinessId).");
        }

        var size = TakeSize(input.Size, extraBody);
        var count = ParseCount(input.Count);
        if (count > 0 && info?.Counts is { } counts && !counts.Contains(count))
        {
            throw new ToApisValidationException(
                "Count", $"Count {count} is not allowed for {model}: it makes {ModelCatalog.DescribeCounts(counts)} image(s) per task.");
        }

        var imageUrls = input.ImageUrls.Select(NullIfBlank).OfType<string>().ToList();
        CheckUrls("ImageUrl", imageUrls);
        var referenceImages = TakeReferenceImages(extraBody, model, warnings);
        if (extraBody.TryGetValue("mask_url", out var mask))
        {
            CheckUrls("ExtraBody", new[] { mask as string ?? throw NotAUrl("ExtraBody", "mask_url", mask) }, "mask_url");
        }

        var references = imageUrls.Count + referenceImages + input.LocalImages.Count;
        if (info is not null)
        {
            CheckReferences(info, model, references, input.LocalImages.Count > 0 ? "ImagePath" : "ImageUrl", count);
            CheckLocalImageTypes(info, model, input.LocalImages);
            if (size is not null)
            {
                CheckSize(size, model, info, references, warnings);
            }
        }
        else if (size is not null && Pixels.IsMatch(size))
        {
            warnings.Add($"Size '{size}' looks like pixels; the service documents sizes as aspect ratios such as 1:1 or 16:9. Sending it anyway.");
        }

        var metadata = BuildMetadata(input);
        var request = new GenerationRequest
        {
            Model = model,
            Prompt = prompt,
            Size = size,
            Count = count > 0 ? count : null,
            ImageUrls = imageUrls,
            Metadata = metadata,
            ExtraBody = extraBody,
            ClientBusinessId = BusinessId(input.ClientBusinessId, metadata),
            CallbackUrl = Webhooks.CallbackUrls.Resolve(input.CallbackUrl, extraBody),
        };

        if (request.IsEdit)
        {
            WarnAboutFieldsEditsDoNotTake(request, warnings);
        }

        return request;
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

    /// <summary>Characters as the docs count them: Unicode code points, so a surrogate pair (an emoji) is one.</summary>
    internal static int CountCharacters(string text)
    {
        var count = 0;
        for (var i = 0; i < text.Length; i++)
        {
            count++;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
        }

        return count;
    }

    /// <summary>
    /// The account's model list, when the session knows it, catches a mistyped model before it costs a request;
    /// a model newer than the list is sent with -SkipModelCheck. Without a list the service decides.
    /// </summary>
    private static void CheckModelIsAvailable(string model, GenerationInput input)
    {
        if (input.SkipModelCheck || input.AvailableModels is not { Count: > 0 } available || available.Contains(model, StringComparer.Ordinal))
        {
            return;
        }

        // A documented alias (nano-banana) is the model the list may name only by its id, and the other way round.
        if (ModelCatalog.Find(model) is { } documented && documented.Names.Any(name => available.Contains(name, StringComparer.Ordinal)))
        {
            return;
        }

        var close = ModelCatalog.ClosestNames(model, available);
        var suggestion = close.Count > 0 ? $"Did you mean {string.Join(", ", close)}? " : "List them with Get-ToApisModel. ";
        throw new ToApisValidationException(
            "Model",
            $"Model '{model}' is not in this account's model list ({available.Count} image models). {suggestion}" +
            "If the model is newer than the list, add -SkipModelCheck to send it anyway.");
    }

    /// <summary>-Size, or a size given in -ExtraBody (one value, one set of checks); both at once must agree.</summary>
    private static string? TakeSize(string? given, Dictionary<string, object?> extraBody)
    {
        var size = NullIfBlank(given);
        var key = extraBody.Keys.FirstOrDefault(k => string.Equals(k, "size", StringComparison.OrdinalIgnoreCase));
        if (key is null)
        {
            return size;
        }

        var extra = extraBody[key] is string text ? NullIfBlank(text) : throw new ToApisValidationException(
            "ExtraBody", $"-ExtraBody size must be text such as '16:9', not {Describe(extraBody[key])}.");
        extraBody.Remove(key);
        if (size is not null && extra is not null && !string.Equals(size, extra, StringComparison.Ordinal))
        {
            throw new ToApisValidationException(
                "Size", $"-Size '{size}' and -ExtraBody size '{extra}' disagree; give the size once, with -Size.");
        }

        return size ?? extra;
    }

    private static void CheckSize(string size, string model, ModelInfo info, int references, ICollection<string> warnings)
    {
        if (references == 0 && info.ReferenceOnlySizes.Contains(size))
        {
            throw new ToApisValidationException(
                "Size", $"Size '{size}' needs a reference image for {model} (-ImageUrl or -ImagePath); without one use {string.Join(", ", info.Sizes.Except(info.ReferenceOnlySizes))}.");
        }

        // Models gain sizes over time: an undocumented one is worth a warning, never a refusal.
        if (info.Sizes.Length > 0 && !info.Sizes.Contains(size))
        {
            var pixels = Pixels.IsMatch(size) ? " Sizes are aspect ratios, not pixels." : "";
            var note = info.SizeNote is null ? "" : $"; {info.SizeNote}";
            warnings.Add($"Size '{size}' is not documented for {model} (documented: {string.Join(", ", info.Sizes)}{note}).{pixels} Sending it anyway.");
        }
    }

    private static void CheckUrls(string parameter, IEnumerable<string> urls, string? field = null)
    {
        foreach (var url in urls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                var what = field is null ? "" : $"{field} ";
                throw new ToApisValidationException(
                    parameter, $"{what}'{Shorten(url)}' is not a public http(s) URL. The service no longer accepts base64, data: URLs or local paths: upload the file first (Send-ToApisFile, or -ImagePath) and pass its Url.");
            }
        }
    }

    private static ToApisValidationException NotAUrl(string parameter, string field, object? value) =>
        new(parameter, $"{field} must be a public http(s) URL as text, not {Describe(value)}.");

    /// <summary>
    /// -ExtraBody reference_images (the gpt-image-2 family's field): a URL or a list of URLs, sent as a list of
    /// strings and counted with image_urls. Returns how many there are.
    /// </summary>
    private static int TakeReferenceImages(Dictionary<string, object?> extraBody, string model, ICollection<string> warnings)
    {
        var key = extraBody.Keys.FirstOrDefault(k => string.Equals(k, ReferenceImagesField, StringComparison.OrdinalIgnoreCase));
        if (key is null)
        {
            return 0;
        }

        var given = extraBody[key];
        var items = given as IEnumerable<object?> is { } list && given is not string ? list.ToList() : new List<object?> { given };
        var urls = items.Select(item => item as string ?? throw NotAUrl("ExtraBody", ReferenceImagesField, item)).ToList();
        CheckUrls("ExtraBody", urls, ReferenceImagesField);
        extraBody.Remove(key);
        extraBody[ReferenceImagesField] = urls;
        if (!model.StartsWith("gpt-image-2", StringComparison.OrdinalIgnoreCase))
        {
            warnings.Add($"reference_images is documented only for the gpt-image-2 models; {model} takes reference images as image_urls (-ImageUrl). Sending it anyway.");
        }

        return urls.Count;
    }

    private static void CheckReferences(ModelInfo info, string model, int references, string parameter, int count)
    {
        if (info.RequiresReference && references == 0)
        {
            throw new ToApisValidationException(
                "ImageUrl", $"{model} edits an image: give at least one reference image (-ImageUrl or -ImagePath); none was given.");
        }

        if (info.MaxReferenceImages is { } max && references > max)
        {
            throw new ToApisValidationException(
                parameter,
                max == 0
                    ? $"{model} takes no reference images; {references} given. Nothing was uploaded or submitted."
                    : $"{references} reference images given (image_urls, reference_images and local files together); {model} accepts at most {max}. Nothing was uploaded or submitted.");
        }

        var images = count > 0 ? count : 1;
        if (info.MaxReferencesPlusImages is { } total && references + images > total)
        {
            throw new ToApisValidationException(
                "Count", $"{references} reference image(s) and Count {images} make {references + images}; {model} allows at most {total} reference and output images together.");
        }
    }

    /// <summary>Only local files can be judged by type before sending; a URL's type is the service's to find out.</summary>
    private static void CheckLocalImageTypes(ModelInfo info, string model, IEnumerable<(string FileName, ImageFormat Format)> localImages)
    {
        if (info.ReferenceFormats is { } allowed && localImages.FirstOrDefault(image => !allowed.Contains(image.Format)) is { FileName: not null } wrong)
        {
            throw new ToApisValidationException(
                "ImagePath", $"'{wrong.FileName}' is a {wrong.Format.Name} image; {model} takes {ModelCatalog.OneOf(allowed.Select(f => f.Name).ToList())} reference images. Convert it first. Nothing was uploaded or submitted.");
        }
    }

    /// <summary>
    /// A client_business_id in -Metadata is the caller's id for the task: it becomes the task's top-level id, so
    /// the task can be looked up by it, and the module does not invent another.
    /// </summary>
    private static string? BusinessId(string? given, Dictionary<string, object?> metadata)
    {
        var explicitId = NullIfBlank(given);
        var key = metadata.Keys.FirstOrDefault(k => string.Equals(k, BusinessIdField, StringComparison.OrdinalIgnoreCase));
        if (key is null)
        {
            return explicitId;
        }

        var inMetadata = metadata[key] switch
        {
            string text => NullIfBlank(text),
            int or long => Convert.ToString(metadata[key], CultureInfo.InvariantCulture),
            var other => throw new ToApisValidationException(
                "Metadata", $"-Metadata client_business_id must be text, not {Describe(other)}."),
        };
        if (explicitId is not null && inMetadata is not null && explicitId != inMetadata)
        {
            throw new ToApisValidationException(
                "ClientBusinessId", $"-ClientBusinessId '{explicitId}' and -Metadata client_business_id '{inMetadata}' disagree; a task has one id: give it once, with -ClientBusinessId.");
        }

        return explicitId ?? inMetadata;
    }

    /// <summary>The edit route documents model, prompt, image_urls and n: anything else is sent as asked, but named.</summary>
    private static void WarnAboutFieldsEditsDoNotTake(GenerationRequest request, ICollection<string> warnings)
    {
        var extra = new List<string>();
        if (request.Size is not null)
        {
            extra.Add($"-Size '{request.Size}'");
        }

        if (request.Metadata.Count > 0)
        {
            extra.Add($"metadata ({string.Join(", ", request.Metadata.Keys)})");
        }

        extra.AddRange(request.ExtraBody.Keys.Where(k => !EditFields.Contains(k)).Select(k => $"-ExtraBody {k}"));
        if (extra.Count > 0)
        {
            warnings.Add(
                $"{request.Model} is served by POST /v1/images/edits, which documents only model, prompt, image_urls and n; " +
                $"{string.Join(", ", extra)} is sent anyway and may be ignored or refused.");
        }
    }

    private static string Describe(object? value) => value switch
    {
        null => "nothing",
        string => "text",
        IDictionary<string, object?> => "a hashtable",
        System.Collections.IEnumerable => "a list",
        _ => $"a {value.GetType().Name}",
    };

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
