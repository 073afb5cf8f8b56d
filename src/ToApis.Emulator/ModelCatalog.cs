using System.Collections.Frozen;

namespace ToApis.Emulator;

internal enum ImageEndpoint
{
    Generations,
    Edits,
}

/// <summary>One image model as documented in contract §7.</summary>
/// <param name="Sizes">Accepted <c>size</c> values; null when the docs list none (any value is accepted).</param>
/// <param name="ReferenceOnlySizes">Sizes valid only together with reference images (<c>auto</c>, <c>match_input_image</c>).</param>
/// <param name="ImageCounts">Accepted values of <c>n</c>.</param>
/// <param name="MaxPromptLength">Characters; null when the docs state no limit.</param>
/// <param name="MaxReferenceImages">Null when the docs state no maximum; 0 when references are not accepted.</param>
/// <param name="MaxReferencesPlusImages">Seedream's "refs + outputs ≤ 15".</param>
internal sealed record ImageModel(
    string Id,
    string OwnedBy,
    IReadOnlyList<string> Aliases,
    IReadOnlyList<string>? Sizes,
    IReadOnlyList<int> ImageCounts,
    int? MaxPromptLength = null,
    int? MaxReferenceImages = null,
    IReadOnlyList<string>? ReferenceOnlySizes = null,
    int? MaxReferencesPlusImages = null,
    ImageEndpoint Endpoint = ImageEndpoint.Generations)
{
    public IEnumerable<string> Names => Aliases.Prepend(Id);

    public bool AcceptsSize(string size) =>
        Sizes is null || Sizes.Contains(size) || (ReferenceOnlySizes?.Contains(size) ?? false);
}

/// <summary>The image models of contract §7, with their aliases.</summary>
internal static class ModelCatalog
{
    /// <summary>Fixed <c>created</c> value for /v1/models (2026-01-01), so listings are stable.</summary>
    public const long CreatedUnixSeconds = 1767225600;

    private static readonly int[] OnlyOne = [1];
    private static readonly int[] OneTwoOrFour = [1, 2, 4];
    private static readonly int[] UpToTen = [.. Enumerable.Range(1, 10)];
    private static readonly int[] UpToFifteen = [.. Enumerable.Range(1, 15)];

    // The docs give no range for these models; accepting 1-10 is our assumption.
    private static readonly int[] Undocumented = UpToTen;

    private static readonly string[] GeminiPreviewSizes = ["1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3"];
    private static readonly string[] GeminiTenSizes = ["1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"];
    private static readonly string[] GeminiFlash31Sizes = [.. GeminiTenSizes, "1:4", "4:1", "1:8", "8:1"];
    private static readonly string[] GeminiFlash31OfficialSizes = [.. GeminiTenSizes, "4:1", "8:1"];
    private static readonly string[] GptImage2Ratios =
        ["1:1", "3:2", "2:3", "4:3", "3:4", "5:4", "4:5", "16:9", "9:16", "2:1", "1:2", "21:9", "9:21"];
    private static readonly string[] SevenCommonSizes = ["1:1", "4:3", "3:4", "16:9", "9:16", "3:2", "2:3"];
    private static readonly string[] NineCommonSizes = [.. SevenCommonSizes, "21:9", "9:21"];
    private static readonly string[] GrokSizes = ["1:1", "2:3", "3:2", "16:9", "9:16"];

    public static IReadOnlyList<ImageModel> Models { get; } =
    [
        new("gemini-2.5-flash-image-preview", "google", ["nano-banana"], GeminiPreviewSizes, OnlyOne,
            MaxPromptLength: 1000, MaxReferenceImages: 14),
        new("gemini-3-pro-image-preview", "google", ["nano-banana-pro"], GeminiTenSizes, OnlyOne, MaxReferenceImages: 14),
        new("gemini-3.1-flash-image-preview", "google", [], GeminiFlash31Sizes, Undocumented, MaxReferenceImages: 14),
        new("gemini-2.5-flash-image-official", "google", ["nano-banana-official"], GeminiTenSizes, OnlyOne, MaxReferenceImages: 3),
        new("gemini-3-pro-image-preview-official", "google", ["nano-banana-pro-official"], GeminiTenSizes, OnlyOne,
            MaxReferenceImages: 14),
        new("gemini-3.1-flash-image-preview-official", "google", ["nano-banana-2-official", "nano-banana-2-lite-official"],
            GeminiFlash31OfficialSizes, OnlyOne, MaxReferenceImages: 14),
        new("gpt-4o-image", "openai", [], ["1:1", "2:3", "3:2"], OneTwoOrFour, MaxPromptLength: 1000, MaxReferenceImages: 5),
        new("gpt-image-2", "openai", [], [.. GptImage2Ratios, "auto"], UpToTen, MaxPromptLength: 32_000, MaxReferenceImages: 16),
        new("gpt-image-2-vip", "openai", [], GptImage2Ratios, UpToTen, MaxPromptLength: 32_000),
        new("gpt-image-2-official", "openai", [], [.. GptImage2Ratios, "auto"], UpToTen, MaxPromptLength: 32_000,
            MaxReferenceImages: 16),
        new("flux-2-flex", "black-forest-labs", [], SevenCommonSizes, Undocumented, MaxReferenceImages: 8),
        new("flux-2-pro", "black-forest-labs", [], SevenCommonSizes, Undocumented, MaxReferenceImages: 8),
        new("flux-kontext-pro", "black-forest-labs", [], NineCommonSizes, Undocumented, MaxReferenceImages: 1,
            ReferenceOnlySizes: ["match_input_image"]),
        new("flux-kontext-max", "black-forest-labs", [], NineCommonSizes, Undocumented, MaxReferenceImages: 1,
            ReferenceOnlySizes: ["match_input_image"]),
        new("grok-4-1-image", "xai", [], GrokSizes, OneTwoOrFour, MaxPromptLength: 1000, MaxReferenceImages: 5),
        new("grok-4-2-image", "xai", [], GrokSizes, OneTwoOrFour, MaxPromptLength: 1000, MaxReferenceImages: 5),
        new("grok-imagine-1.0", "xai", [], ["1:1", "16:9", "9:16", "3:2", "2:3"], UpToTen, MaxReferenceImages: 0),
        new("grok-imagine-1.0-edit", "xai", [], null, UpToTen, Endpoint: ImageEndpoint.Edits),
        new("doubao-seedream-4-0", "bytedance", [], NineCommonSizes, UpToFifteen, MaxPromptLength: 1000, MaxReferenceImages: 10,
            ReferenceOnlySizes: ["auto"], MaxReferencesPlusImages: 15),
        new("doubao-seedream-4-5", "bytedance", [], NineCommonSizes, UpToFifteen, MaxReferenceImages: 10, MaxReferencesPlusImages: 15),
        new("doubao-seedream-5-0", "bytedance", [], NineCommonSizes, UpToFifteen, MaxReferenceImages: 10, MaxReferencesPlusImages: 15),
        new("doubao-seedream-5-0-pro", "bytedance", [], [.. NineCommonSizes, "1K", "2K"], UpToTen, MaxReferenceImages: 10),
        new("vidu-image", "vidu", [], SevenCommonSizes, OnlyOne, MaxReferenceImages: 7),
        new("viduq3-fast", "vidu", [], SevenCommonSizes, OnlyOne, MaxReferenceImages: 7),
        new("viduq2-pro", "vidu", [], SevenCommonSizes, OnlyOne, MaxReferenceImages: 7),
        new("viduq2-fast", "vidu", [], SevenCommonSizes, OnlyOne, MaxReferenceImages: 7),
    ];

    private static readonly FrozenDictionary<string, ImageModel> ModelsByName =
        Models.SelectMany(model => model.Names.Select(name => KeyValuePair.Create(name, model)))
            .ToFrozenDictionary(StringComparer.Ordinal);

    public static ImageModel? Find(string name) => ModelsByName.GetValueOrDefault(name);
}
