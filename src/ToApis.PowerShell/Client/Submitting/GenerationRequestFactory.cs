using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using ToApis.Client.Wire;

namespace ToApis.Client.Submitting;

/// <summary>
/// The request rules, checked before anything is sent or spent: a broken rule is a <see cref="ToApisValidationException"/>
/// for that row (first its form, then the model's documented limits); a doubt is a warning.
/// </summary>
internal static class GenerationRequestFactory
{
    /// <summary>Top-level fields that have parameters of their own, so -ExtraBody cannot set them behind their checks.</summary>
    private static readonly HashSet<string> ReservedFields =
        new(["model", "prompt", "n", "image_urls", "metadata", "client_business_id"], StringComparer.OrdinalIgnoreCase);

    /// <summary>What /v1/images/edits documents, plus what every task takes (client_business_id, callback_url).</summary>
    private static readonly HashSet<string> EditFields =
        new(["model", "prompt", "image_urls", "n", "client_business_id", "callback_url"], StringComparer.OrdinalIgnoreCase);

    private const string ReferenceImagesField = "reference_images";

    /// <summary>The most images any model makes per task.</summary>
    private const int MaxCount = 100;

    private static readonly Regex Pixels = new(@"^\d+\s*[xX*]\s*\d+$", RegexOptions.CultureInvariant);

    /// <summary>A row's shape as a documented model's limits see it, once its references are counted.</summary>
    private sealed record RowShape(
        ModelInfo Info, string Model, int PromptLength, int Count, int References, IReadOnlyList<(string FileName, ImageFormat Format)> LocalImages, string? Size)
    {
        /// <summary>Images the task makes: the count, or one when the model decides.</summary>
        public int Images => Count > 0 ? Count : 1;
    }

    /// <summary>A documented model's limits, checked in this order once the row is well formed: the parameter to fix and why, or null.</summary>
    private static readonly Func<RowShape, (string Parameter, string Message)?>[] ModelRules =
    [
        row => row.Info.MaxPromptLength is { } max && row.PromptLength > max
            ? ("Prompt", $"The prompt has {row.PromptLength} characters; {row.Model} accepts at most {max} (each Unicode character, an emoji too, counts once).")
            : null,
        row => row.Count > 0 && row.Info.Counts is { } counts && !counts.Contains(row.Count)
            ? ("Count", $"Count {row.Count} is not allowed for {row.Model}: it makes {ModelCatalog.DescribeCounts(counts)} image(s) per task.")
            : null,
        row => row.Info.RequiresReference && row.References == 0
            ? ("ImageUrl", $"{row.Model} edits an image: give at least one reference image (-ImageUrl or -ImagePath); none was given.")
            : null,
        row => row.Info.MaxReferenceImages is { } max && row.References > max
            ? (row.LocalImages.Count > 0 ? "ImagePath" : "ImageUrl", max == 0
                ? $"{row.Model} takes no reference images; {row.References} given. Nothing was uploaded or submitted."
                : $"{row.References} reference images given (image_urls, reference_images and local files together); {row.Model} accepts at most {max}. Nothing was uploaded or submitted.")
            : null,
        row => row.Info.MaxReferencesPlusImages is { } total && row.References + row.Images > total
            ? ("Count", $"{row.References} reference image(s) and Count {row.Images} make {row.References + row.Images}; {row.Model} allows at most {total} reference and output images together.")
            : null,

        // Only local files can be judged by type before sending; a URL's type is the service's to find out.
        row => row.Info.ReferenceFormats is { } allowed && row.LocalImages.FirstOrDefault(image => !allowed.Contains(image.Format)) is { FileName: not null } wrong
            ? ("ImagePath", $"'{wrong.FileName}' is a {wrong.Format.Name} image; {row.Model} takes {ModelCatalog.OneOf(allowed.Select(f => f.Name).ToList())} reference images. Convert it first. Nothing was uploaded or submitted.")
            : null,
        row => row.Size is { } size && row.References == 0 && row.Info.ReferenceOnlySizes.Contains(size)
            ? ("Size", $"Size '{size}' needs a reference image for {row.Model} (-ImageUrl or -ImagePath); without one use {string.Join(", ", row.Info.Sizes.Except(row.Info.ReferenceOnlySizes))}.")
            : null,
    ];

    /// <summary>What is sent anyway but worth a warning, in this order: each says why, or null.</summary>
    private static readonly Func<GenerationRequest, ModelInfo?, string?>[] Doubts =
    [
        (request, _) => request.ExtraBody.ContainsKey(ReferenceImagesField) && !request.Model.StartsWith("gpt-image-2", StringComparison.OrdinalIgnoreCase)
            ? $"reference_images is documented only for the gpt-image-2 models; {request.Model} takes reference images as image_urls (-ImageUrl). Sending it anyway."
            : null,
        (request, info) => info is null && request.Size is { } size && Pixels.IsMatch(size)
            ? $"Size '{size}' looks like pixels; the service documents sizes as aspect ratios such as 1:1 or 16:9. Sending it anyway."
            : null,

        // Models gain sizes over time: an undocumented one is worth a warning, never a refusal.
        (request, info) => request.Size is { } size && info is { Sizes.Length: > 0 } && !info.Sizes.Contains(size)
            ? $"Size '{size}' is not documented for {request.Model} (documented: {string.Join(", ", info.Sizes)}{(info.SizeNote is null ? "" : $"; {info.SizeNote}")})." +
              $"{(Pixels.IsMatch(size) ? " Sizes are aspect ratios, not pixels." : "")} Sending it anyway."
            : null,

        // The edit route documents model, prompt, image_urls and n: anything else is sent as asked, but named.
        (request, _) => request.IsEdit && NotOnEditRoute(request) is { Count: > 0 } extra
            ? $"{request.Model} is served by POST /v1/images/edits, which documents only model, prompt, image_urls and n; " +
              $"{string.Join(", ", extra)} is sent anyway and may be ignored or refused."
            : null,
    ];

    public static GenerationRequest Build(GenerationInput input, ICollection<string> warnings)
    {
        var prompt = input.Prompt.Trim() is { Length: > 0 } trimmed ? trimmed : throw new ToApisValidationException("Prompt", "The prompt is empty.");
        var model = NullIfBlank(input.Model) ?? ModelCatalog.DefaultModel;
        CheckModelIsAvailable(model, input);

        var extraBody = new Dictionary<string, object?>(input.ExtraBody, StringComparer.Ordinal);
        if (extraBody.Keys.FirstOrDefault(ReservedFields.Contains) is { } reserved)
        {
            throw new ToApisValidationException(
                "ExtraBody", $"-ExtraBody may not set '{reserved}': use the parameter for it (e.g. -Model, -Count, -ImageUrl, -Metadata, -ClientBusinessId).");
        }

        var size = TakeSize(input.Size, extraBody);
        var count = ReadCount(input.Count);
        var imageUrls = input.ImageUrls.Select(NullIfBlank).OfType<string>().ToList();
        CheckUrls("ImageUrl", imageUrls);
        var referenceImages = TakeReferenceImages(extraBody);
        if (extraBody.TryGetValue("mask_url", out var mask))
        {
            CheckUrls("ExtraBody", [mask as string ?? throw NotAUrl("ExtraBody", "mask_url", mask)], "mask_url");
        }

        var info = ModelCatalog.Find(model);
        var references = imageUrls.Count + referenceImages + input.LocalImages.Count;
        var row = info is null ? null : new RowShape(info, model, CountCharacters(prompt), count, references, input.LocalImages, size);
        if (row is not null && ModelRules.Select(rule => rule(row)).FirstOrDefault(refusal => refusal is not null) is { } refused)
        {
            throw new ToApisValidationException(refused.Parameter, refused.Message);
        }

        var metadata = CheckedMetadata(input);
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

        foreach (var doubt in Doubts.Select(doubt => doubt(request, info)).OfType<string>())
        {
            warnings.Add(doubt);
        }

        return request;
    }

    public static string Shorten(string text) => text.Length <= 60 ? text : text.Substring(0, 57) + "...";

    /// <summary>Characters as the docs count them: Unicode code points, so a surrogate pair (an emoji) is one.</summary>
    internal static int CountCharacters(string text) =>
        text.Length - Enumerable.Range(1, Math.Max(0, text.Length - 1)).Count(i => char.IsSurrogatePair(text[i - 1], text[i]));

    /// <summary>A whole number from 0 to 100, as text (a CSV cell) or a number; empty means 0 (the model's default).</summary>
    private static int ReadCount(string? given)
    {
        var text = given?.Trim() ?? "";
        var count = 0;
        if (text.Length > 0 && (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out count) || count < 0 || count > MaxCount))
        {
            throw new ToApisValidationException(
                "Count", $"Count '{Shorten(given!)}' is not a whole number from 0 to {MaxCount}. Give the number of images (0 or empty leaves it to the model).");
        }

        return count;
    }

    /// <summary>The account's model list, when the session knows it, catches a mistyped model before it costs a request.</summary>
    private static void CheckModelIsAvailable(string model, GenerationInput input)
    {
        // A documented alias (nano-banana) is the model the list may name only by its id, and the other way round.
        if (input.SkipModelCheck || input.AvailableModels is not { Count: > 0 } available
            || (ModelCatalog.Find(model)?.Names ?? []).Prepend(model).Any(name => available.Contains(name, StringComparer.Ordinal)))
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
        var extra = Take(extraBody, "size") switch
        {
            (false, _) => null,
            (true, string text) => NullIfBlank(text),
            (true, var other) => throw new ToApisValidationException("ExtraBody", $"-ExtraBody size must be text such as '16:9', not {Describe(other)}."),
        };
        var size = NullIfBlank(given);
        return Agreed(size, extra, "Size", $"-Size '{size}' and -ExtraBody size '{extra}' disagree; give the size once, with -Size.");
    }

    private static void CheckUrls(string parameter, IEnumerable<string> urls, string? field = null)
    {
        if (urls.FirstOrDefault(url => !Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)) is { } bad)
        {
            var what = field is null ? "" : $"{field} ";
            throw new ToApisValidationException(
                parameter, $"{what}'{Shorten(bad)}' is not a public http(s) URL. The service no longer accepts base64, data: URLs or local paths: upload the file first (Send-ToApisFile, or -ImagePath) and pass its Url.");
        }
    }

    private static ToApisValidationException NotAUrl(string parameter, string field, object? value) =>
        new(parameter, $"{field} must be a public http(s) URL as text, not {Describe(value)}.");

    /// <summary>-ExtraBody reference_images (the gpt-image-2 family's field): one URL or a list, sent as a list; returns how many.</summary>
    private static int TakeReferenceImages(Dictionary<string, object?> extraBody)
    {
        if (Take(extraBody, ReferenceImagesField) is not (true, var given))
        {
            return 0;
        }

        var items = given as IEnumerable<object?> is { } list && given is not string ? list.ToList() : [given];
        var urls = items.Select(item => item as string ?? throw NotAUrl("ExtraBody", ReferenceImagesField, item)).ToList();
        CheckUrls("ExtraBody", urls, ReferenceImagesField);
        extraBody[ReferenceImagesField] = urls;
        return urls.Count;
    }

    /// <summary>A client_business_id in -Metadata is the caller's id for the task: it becomes the task's top-level id.</summary>
    private static string? BusinessId(string? given, Dictionary<string, object?> metadata)
    {
        var inMetadata = KeyNamed(metadata, "client_business_id") is not { } key ? null : metadata[key] switch
        {
            string text => NullIfBlank(text),
            int or long => Convert.ToString(metadata[key], CultureInfo.InvariantCulture),
            var other => throw new ToApisValidationException("Metadata", $"-Metadata client_business_id must be text, not {Describe(other)}."),
        };
        var explicitId = NullIfBlank(given);
        return Agreed(
            explicitId, inMetadata, "ClientBusinessId",
            $"-ClientBusinessId '{explicitId}' and -Metadata client_business_id '{inMetadata}' disagree; a task has one id: give it once, with -ClientBusinessId.");
    }

    /// <summary>A value given two ways: either one alone, or both alike; two different ones are refused.</summary>
    private static string? Agreed(string? first, string? second, string parameter, string disagreement) =>
        first is not null && second is not null && first != second
            ? throw new ToApisValidationException(parameter, disagreement)
            : first ?? second;

    private static List<string> NotOnEditRoute(GenerationRequest request) =>
        new[] { request.Size is null ? null : $"-Size '{request.Size}'", request.Metadata.Count == 0 ? null : $"metadata ({string.Join(", ", request.Metadata.Keys)})" }
            .OfType<string>()
            .Concat(request.ExtraBody.Keys.Where(k => !EditFields.Contains(k)).Select(k => $"-ExtraBody {k}"))
            .ToList();

    private static Dictionary<string, object?> CheckedMetadata(GenerationInput input)
    {
        if (input.SafetySettings?.FirstOrDefault(s => !s.ContainsKey("category") || !s.ContainsKey("threshold")) is { } incomplete)
        {
            throw new ToApisValidationException(
                "SafetySetting", $"Each -SafetySetting needs a category and a threshold, e.g. @{{ category = 'HARM_CATEGORY_HATE_SPEECH'; threshold = 'BLOCK_ONLY_HIGH' }}; got keys: {string.Join(", ", incomplete.Keys)}.");
        }

        return input.MetadataToSend();
    }

    /// <summary>Removes <paramref name="name"/>, in any case, from -ExtraBody: whether it was there, and its value.</summary>
    private static (bool Found, object? Value) Take(Dictionary<string, object?> extraBody, string name)
    {
        if (KeyNamed(extraBody, name) is not { } key)
        {
            return (false, null);
        }

        var value = extraBody[key];
        extraBody.Remove(key);
        return (true, value);
    }

    /// <summary>The key of <paramref name="dictionary"/> that spells <paramref name="name"/> in any case, if one does.</summary>
    private static string? KeyNamed(Dictionary<string, object?> dictionary, string name) =>
        dictionary.Keys.FirstOrDefault(key => string.Equals(key, name, StringComparison.OrdinalIgnoreCase));

    private static string Describe(object? value) => value switch
    {
        null => "nothing",
        string => "text",
        IDictionary<string, object?> => "a hashtable",
        System.Collections.IEnumerable => "a list",
        _ => $"a {value.GetType().Name}",
    };

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value!.Trim();
}
