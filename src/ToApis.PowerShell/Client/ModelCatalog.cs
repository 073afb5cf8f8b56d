using System;
using System.Collections.Generic;
using System.Linq;

namespace ToApis.Client;

/// <summary>
/// A model's documented limits (contract §7), used to catch mistakes before anything is spent.
/// A null limit was not documented and is not checked.
/// </summary>
internal sealed record ModelInfo(
    string Id,
    string[] Aliases,
    string[] Sizes,
    int MaxReferenceImages,
    int? MaxCount,
    int? MaxPromptLength);

/// <summary>
/// The documented image models. Availability changes over time, so an unknown model is sent as is and
/// only documented models are checked; sizes outside a model's list are a warning, never an error.
/// </summary>
internal static class ModelCatalog
{
    public const string DefaultModel = "gemini-2.5-flash-image-official";

    private const string EditModel = "grok-imagine-1.0-edit";

    private static readonly string[] SevenRatios = { "1:1", "4:3", "3:4", "16:9", "9:16", "3:2", "2:3" };
    private static readonly string[] GeminiPreview = { "1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9" };
    private static readonly string[] GeminiOfficial = { "1:1", "3:2", "2:3", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9" };
    private static readonly string[] GptImage2 = { "1:1", "3:2", "2:3", "4:3", "3:4", "5:4", "4:5", "16:9", "9:16", "2:1", "1:2", "21:9", "9:21" };
    private static readonly string[] Seedream = SevenRatios.Concat(new[] { "21:9", "9:21" }).ToArray();

    public static IReadOnlyList<ModelInfo> Documented { get; } = new[]
    {
        new ModelInfo("gemini-2.5-flash-image-preview", new[] { "nano-banana" }, new[] { "1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3" }, 14, 1, 1000),
        new ModelInfo("gemini-3-pro-image-preview", new[] { "nano-banana-pro" }, GeminiPreview, 14, 1, null),
        new ModelInfo("gemini-3.1-flash-image-preview", Array.Empty<string>(), GeminiPreview.Concat(new[] { "1:4", "4:1", "1:8", "8:1" }).ToArray(), 14, null, null),
        new ModelInfo(DefaultModel, new[] { "nano-banana-official" }, GeminiOfficial, 3, 1, null),
        new ModelInfo("gemini-3-pro-image-preview-official", new[] { "nano-banana-pro-official" }, GeminiOfficial, 14, 1, null),
        new ModelInfo("gemini-3.1-flash-image-preview-official", new[] { "nano-banana-2-official", "nano-banana-2-lite-official" }, GeminiOfficial.Concat(new[] { "4:1", "8:1" }).ToArray(), 14, 1, null),
        new ModelInfo("gpt-4o-image", Array.Empty<string>(), new[] { "1:1", "2:3", "3:2" }, 5, 4, 1000),
        new ModelInfo("gpt-image-2", Array.Empty<string>(), GptImage2.Concat(new[] { "auto" }).ToArray(), 16, 10, 32000),
        new ModelInfo("gpt-image-2-vip", Array.Empty<string>(), GptImage2, 16, 10, 32000),
        new ModelInfo("gpt-image-2-official", Array.Empty<string>(), GptImage2.Concat(new[] { "auto" }).ToArray(), 16, 10, 32000),
        new ModelInfo("flux-2-flex", Array.Empty<string>(), SevenRatios, 8, null, null),
        new ModelInfo("flux-2-pro", Array.Empty<string>(), SevenRatios, 8, null, null),
        new ModelInfo("flux-kontext-pro", Array.Empty<string>(), Seedream.Concat(new[] { "match_input_image" }).ToArray(), 1, null, null),
        new ModelInfo("flux-kontext-max", Array.Empty<string>(), Seedream.Concat(new[] { "match_input_image" }).ToArray(), 1, null, null),
        new ModelInfo("grok-4-1-image", Array.Empty<string>(), new[] { "1:1", "2:3", "3:2", "16:9", "9:16" }, 5, 4, 1000),
        new ModelInfo("grok-4-2-image", Array.Empty<string>(), new[] { "1:1", "2:3", "3:2", "16:9", "9:16" }, 5, 4, 1000),
        new ModelInfo("grok-imagine-1.0", Array.Empty<string>(), new[] { "1:1", "16:9", "9:16", "3:2", "2:3" }, 0, 10, null),
        new ModelInfo(EditModel, Array.Empty<string>(), Array.Empty<string>(), 16, 10, null),
        new ModelInfo("doubao-seedream-4-0", Array.Empty<string>(), Seedream.Concat(new[] { "auto" }).ToArray(), 10, 15, 1000),
        new ModelInfo("doubao-seedream-4-5", Array.Empty<string>(), Seedream, 10, 15, null),
        new ModelInfo("doubao-seedream-5-0", Array.Empty<string>(), Seedream, 10, 15, null),
        new ModelInfo("doubao-seedream-5-0-pro", Array.Empty<string>(), Seedream, 10, 10, null),
        new ModelInfo("vidu-image", Array.Empty<string>(), SevenRatios, 7, 1, null),
        new ModelInfo("viduq3-fast", Array.Empty<string>(), SevenRatios, 7, 1, null),
        new ModelInfo("viduq2-pro", Array.Empty<string>(), SevenRatios, 7, 1, null),
        new ModelInfo("viduq2-fast", Array.Empty<string>(), SevenRatios, 7, 1, null),
    };

    private static readonly Dictionary<string, ModelInfo> ByName = Documented
        .SelectMany(model => model.Aliases.Append(model.Id).Select(name => (name, model)))
        .ToDictionary(pair => pair.name, pair => pair.model, StringComparer.OrdinalIgnoreCase);

    public static ModelInfo? Find(string? model) =>
        model is not null && ByName.TryGetValue(model, out var info) ? info : null;

    public static bool UsesEditsEndpoint(string model) =>
        string.Equals(model, EditModel, StringComparison.OrdinalIgnoreCase);
}
