using System.Text.Json;
using System.Text.Json.Nodes;
using ToApis.Emulator.Images;
using ToApis.Emulator.Webhooks;

namespace ToApis.Emulator.Generation;

/// <summary>Validates a submit body against the model's documented limits (contract §1, §4, §7, §9.3).</summary>
internal static class GenerationRequestParser
{
    private const string InvalidRequest = "invalid_request";
    private const string WebhookNotConfigured = "webhook_not_configured";

    /// <exception cref="RequestRejectedException">The body breaks a documented rule.</exception>
    public static GenerationRequest Parse(JsonNode? body, ImageEndpoint endpoint, TokenWebhook? webhook)
    {
        if (body is not JsonObject request)
        {
            throw Invalid("The request body must be a JSON object.", null);
        }

        var modelName = RequiredString(request, "model");
        var model = ModelCatalog.Find(modelName)
            ?? throw Invalid($"Model '{modelName}' is not available. List models with GET /v1/models?type=image.", "model");
        CheckEndpoint(model, modelName, endpoint);

        var prompt = RequiredString(request, "prompt");
        var promptLength = prompt.EnumerateRunes().Count();
        if (promptLength > model.MaxPromptLength)
        {
            throw Invalid(
                $"The 'prompt' field is too long: {promptLength} characters, but {model.Id} accepts at most {model.MaxPromptLength}.",
                "prompt");
        }

        var imageCount = ParseImageCount(request, model);
        var imageUrls = UrlList(request, "image_urls");
        List<string> references = [.. imageUrls, .. UrlList(request, "reference_images")];
        CheckReferenceCount(model, imageUrls.Count, references.Count, imageCount);
        if (request["mask_url"] is { } mask)
        {
            ParseUrl(mask, "mask_url");
        }

        var size = OptionalString(request, "size");
        if (size is not null)
        {
            CheckSize(model, size, references.Count);
        }

        var metadata = request["metadata"] switch
        {
            null => null,
            JsonObject metadataObject => metadataObject,
            _ => throw Invalid("The 'metadata' field must be a JSON object.", "metadata"),
        };

        var clientBusinessId = OptionalString(request, "client_business_id")
            ?? (metadata is null ? null : OptionalString(metadata, "client_business_id", "metadata.client_business_id"));

        var callbackUrl = OptionalString(request, "callback_url");
        if (callbackUrl is not null)
        {
            CheckCallbackUrl(callbackUrl, webhook);
        }

        return new GenerationRequest(
            modelName, model, prompt, imageCount, size, references, clientBusinessId, callbackUrl, RequestedFormat(request, metadata));
    }

    private static void CheckEndpoint(ImageModel model, string modelName, ImageEndpoint endpoint)
    {
        if (model.Endpoint == endpoint)
        {
            return;
        }

        throw endpoint == ImageEndpoint.Edits
            ? Invalid(
                $"Model '{modelName}' is not supported on /v1/images/edits (only grok-imagine-1.0-edit is). "
                + "Edit with this model through /v1/images/generations with image_urls.",
                "model")
            : Invalid($"Model '{modelName}' is only available on POST /v1/images/edits.", "model");
    }

    private static int ParseImageCount(JsonObject request, ImageModel model)
    {
        var node = request["n"];
        if (node is null)
        {
            return 1;
        }

        var kind = node.GetValueKind();
        if (kind != JsonValueKind.Number)
        {
            throw Invalid(
                $"The 'n' field must be a JSON number, not {Describe(kind)} (send \"n\": 1, not \"n\": \"1\").", "n");
        }

        if (!node.AsValue().TryGetValue<int>(out var imageCount))
        {
            throw Invalid("The 'n' field must be a whole number.", "n");
        }

        if (!model.ImageCounts.Contains(imageCount))
        {
            throw Invalid($"n = {imageCount} is not supported by {model.Id}. Allowed: {DescribeCounts(model.ImageCounts)}.", "n");
        }

        return imageCount;
    }

    private static List<string> UrlList(JsonObject request, string field)
    {
        switch (request[field])
        {
            case null:
                return [];
            case JsonArray items:
                return [.. items.Select(item => ParseUrl(item, field))];
            default:
                throw Invalid($"The '{field}' field must be an array of image URL strings.", field);
        }
    }

    private static string ParseUrl(JsonNode? item, string field)
    {
        if (item is JsonObject)
        {
            throw Invalid(
                $"The '{field}' field must contain plain URL strings, not objects such as {{\"url\": \"...\"}}.", field);
        }

        var text = StringValue(item)
            ?? throw Invalid($"The '{field}' field must contain URL strings only.", field);
        var isWebUrl = Uri.TryCreate(text, UriKind.Absolute, out var url)
            && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps);
        if (!isWebUrl)
        {
            throw Invalid(
                $"The '{field}' field must contain public http(s) URLs; base64 and data: URIs are no longer accepted. "
                + "Upload the image with POST /v1/uploads/images and send its URL.",
                field);
        }

        return text;
    }

    private static void CheckReferenceCount(ImageModel model, int imageUrlCount, int referenceCount, int imageCount)
    {
        // §4: the edit route's image_urls is required; reference_images is not its field.
        if (model.Endpoint == ImageEndpoint.Edits && imageUrlCount == 0)
        {
            throw Invalid("The 'image_urls' field is required: give at least one image URL to edit.", "image_urls");
        }

        if (referenceCount > model.MaxReferenceImages)
        {
            throw Invalid(
                model.MaxReferenceImages == 0
                    ? $"{model.Id} does not accept reference images."
                    : $"Too many reference images: {referenceCount}, but {model.Id} accepts at most {model.MaxReferenceImages}.",
                "image_urls");
        }

        if (referenceCount + imageCount > model.MaxReferencesPlusImages)
        {
            throw Invalid(
                $"{model.Id} allows at most {model.MaxReferencesPlusImages} reference and output images together "
                + $"({referenceCount} + {imageCount} requested).",
                "n");
        }
    }

    private static void CheckSize(ImageModel model, string size, int referenceCount)
    {
        if (!model.AcceptsSize(size))
        {
            var allowed = (model.Sizes ?? []).Concat(model.ReferenceOnlySizes ?? []);
            throw Invalid($"Unsupported size '{size}' for {model.Id}. Allowed: {string.Join(", ", allowed)}.", "size");
        }

        if (referenceCount == 0 && (model.ReferenceOnlySizes?.Contains(size) ?? false))
        {
            throw Invalid($"size '{size}' needs at least one reference image in image_urls.", "size");
        }
    }

    /// <summary>Contract §6: webhooks on, with a URL and a secret, and the same scheme, host and port as the default.</summary>
    private static void CheckCallbackUrl(string callbackUrl, TokenWebhook? webhook)
    {
        if (webhook is not { IsUsable: true })
        {
            throw new RequestRejectedException(
                WebhookNotConfigured,
                "callback_url was sent, but this token has no webhook configured. Set a default callback URL and "
                + "signing secret for the token and enable task webhooks first.",
                "callback_url");
        }

        var origin = webhook.Url;
        var sameOrigin = Uri.TryCreate(callbackUrl, UriKind.Absolute, out var callback)
            && string.Equals(callback.Scheme, origin.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(callback.Host, origin.Host, StringComparison.OrdinalIgnoreCase)
            && callback.Port == origin.Port;
        if (sameOrigin && (callback!.UserInfo.Length > 0 || callback.Fragment.Length > 0))
        {
            throw Invalid("callback_url cannot contain a user name, password or fragment.", "callback_url");
        }

        if (!sameOrigin)
        {
            throw new RequestRejectedException(
                WebhookNotConfigured,
                $"callback_url must have the same scheme, host and port as the token's webhook URL "
                + $"({origin.GetLeftPart(UriPartial.Authority)}); only the path and query may differ.",
                "callback_url");
        }
    }

    /// <summary>
    /// The documented output selectors: <c>metadata.imageOutputOptions.mimeType</c> (Gemini official),
    /// top-level <c>output_format</c> (gpt-image-2) and <c>metadata.response_format</c> (flux-kontext).
    /// Unknown values fall back to PNG rather than failing, as the live service is lenient about extras.
    /// </summary>
    private static ImageFileFormat RequestedFormat(JsonObject request, JsonObject? metadata)
    {
        var mimeType = metadata?["imageOutputOptions"] is JsonObject outputOptions
            ? StringValue(outputOptions["mimeType"])
            : null;
        var requested = mimeType switch
        {
            "image/jpeg" => ImageFileFormat.Jpeg,
            "image/webp" => ImageFileFormat.WebP,
            "image/png" => ImageFileFormat.Png,
            _ => (StringValue(request["output_format"]) ?? StringValue(metadata?["response_format"])) switch
            {
                "jpeg" or "jpg" => ImageFileFormat.Jpeg,
                "webp" => ImageFileFormat.WebP,
                _ => ImageFileFormat.Png,
            },
        };

        return requested is ImageFileFormat.Jpeg or ImageFileFormat.WebP && !SkiaImageEncoder.IsAvailable
            ? ImageFileFormat.Png
            : requested;
    }

    private static string RequiredString(JsonObject request, string field)
    {
        var node = request[field];
        if (node is not null && node.GetValueKind() != JsonValueKind.String)
        {
            throw Invalid($"The '{field}' field must be a string.", field);
        }

        var text = StringValue(node);
        return string.IsNullOrWhiteSpace(text) ? throw Invalid($"The '{field}' field is required.", field) : text;
    }

    private static string? OptionalString(JsonObject container, string field, string? param = null)
    {
        var node = container[field];
        if (node is null)
        {
            return null;
        }

        var text = StringValue(node) ?? throw Invalid($"The '{param ?? field}' field must be a string.", param ?? field);
        return text.Length == 0 ? null : text;
    }

    private static string? StringValue(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static string DescribeCounts(IReadOnlyList<int> counts) =>
        counts.Count > 2 && counts[^1] - counts[0] == counts.Count - 1
            ? $"{counts[0]} to {counts[^1]}"
            : string.Join(", ", counts);

    private static RequestRejectedException Invalid(string message, string? param) => new(InvalidRequest, message, param);
}
