using System;
using System.Collections.Generic;
using System.Linq;

namespace ToApis.Client;

/// <summary>
/// A model's documented limits (contract §7), used to catch mistakes before anything is spent.
/// A null limit was not documented and is not checked.
/// </summary>
/// <param name="Sizes">Documented size values: a size outside them is a warning, never an error (models gain sizes).</param>
/// <param name="MaxReferenceImages">Reference images per task, image_urls, reference_images and local files together; 0: none accepted.</param>
/// <param name="Counts">The values of n the model takes; null when the docs give none.</param>
/// <param name="MaxPromptLength">In characters as the docs count them: Unicode code points, so an emoji is one.</param>
internal sealed record ModelInfo(
    string Id,
    string[] Aliases,
    string[] Sizes,
    int? MaxReferenceImages,
    int[]? Counts,
    int? MaxPromptLength)
{
    /// <summary>Sizes that need at least one reference image (seedream 4.0's auto, flux-kontext's match_input_image).</summary>
    public string[] ReferenceOnlySizes { get; init; } = Array.Empty<string>();

    /// <summary>The model edits: a task without a reference image is refused.</summary>
    public bool RequiresReference { get; init; }

    /// <summary>Reference images and images made, together (seedream 4.0: 15).</summary>
    public int? MaxReferencesPlusImages { get; init; }

    /// <summary>The types a model takes as reference images, where the docs narrow the upload endpoint's four.</summary>
    public ImageFormat[]? ReferenceFormats { get; init; }

    /// <summary>Why a documented size list has more to it than the list, shown with the size warning.</summary>
    public string? SizeNote { get; init; }

    public int? MaxCount => Counts?.Max();

    public IEnumerable<string> Names => Aliases.Prepend(Id);
}

/// <summary>
/// The documented image models. Availability changes over time, so an unknown model is checked only against the
/// account's own model list, and only documented limits are checked; sizes outside a model's list are a warning.
/// </summary>
internal static class ModelCatalog
{
    public const string DefaultModel = "gemini-2.5-flash-image-official";

    private const string EditModel = "grok-imagine-1.0-edit";

    private static readonly int[] OnlyOne = { 1 };
    private static readonly int[] OneTwoOrFour = { 1, 2, 4 };
    private static readonly int[] OneToTen = Enumerable.Range(1, 10).ToArray();
    private static readonly int[] OneToFifteen = Enumerable.Range(1, 15).ToArray();

    private static readonly string[] SevenRatios = { "1:1", "4:3", "3:4", "16:9", "9:16", "3:2", "2:3" };
    private static readonly string[] NineRatios = SevenRatios.Concat(new[] { "21:9", "9:21" }).ToArray();
    private static readonly string[] GeminiTen = { "1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9" };
    private static readonly string[] GptImage2 = { "1:1", "3:2", "2:3", "4:3", "3:4", "5:4", "4:5", "16:9", "9:16", "2:1", "1:2", "21:9", "9:21" };
    private static readonly string[] Grok = { "1:1", "2:3", "3:2", "16:9", "9:16" };
    private static readonly string[] None = Array.Empty<string>();
    private static readonly ImageFormat[] JpegOrPng = { ImageFormats.Jpeg, ImageFormats.Png };

    public static IReadOnlyList<ModelInfo> Documented { get; } = new[]
    {
        new ModelInfo("gemini-2.5-flash-image-preview", new[] { "nano-banana" }, new[] { "1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3" }, 14, OnlyOne, 1000),
        new ModelInfo("gemini-3-pro-image-preview", new[] { "nano-banana-pro" }, GeminiTen, 14, OnlyOne, null),
        new ModelInfo("gemini-3.1-flash-image-preview", None, GeminiTen.Concat(new[] { "1:4", "4:1", "1:8", "8:1" }).ToArray(), 14, null, null),
        new ModelInfo(DefaultModel, new[] { "nano-banana-official" }, GeminiTen, 3, OnlyOne, null)
        {
            ReferenceFormats = new[] { ImageFormats.Jpeg, ImageFormats.Png, ImageFormats.WebP },
        },
        new ModelInfo("gemini-3-pro-image-preview-official", new[] { "nano-banana-pro-official" }, GeminiTen, 14, OnlyOne, null),
        new ModelInfo("gemini-3.1-flash-image-preview-official", new[] { "nano-banana-2-official", "nano-banana-2-lite-official" }, GeminiTen.Concat(new[] { "4:1", "8:1" }).ToArray(), 14, OnlyOne, null),
        new ModelInfo("gpt-4o-image", None, new[] { "1:1", "2:3", "3:2" }, 5, OneTwoOrFour, 1000),
        new ModelInfo("gpt-image-2", None, GptImage2.Concat(new[] { "auto" }).ToArray(), 16, OneToTen, 32000),
        new ModelInfo("gpt-image-2-vip", None, GptImage2, null, null, 32000),
        new ModelInfo("gpt-image-2-official", None, GptImage2.Concat(new[] { "auto" }).ToArray(), 16, OneToTen, 32000)
        {
            SizeNote = "at resolution 4k only 16:9, 9:16, 2:1, 1:2, 21:9 and 9:21",
        },
        new ModelInfo("flux-2-flex", None, SevenRatios, 8, null, null),
        new ModelInfo("flux-2-pro", None, SevenRatios, 8, null, null),
        new ModelInfo("flux-kontext-pro", None, NineRatios.Append("match_input_image").ToArray(), 1, null, null) { ReferenceOnlySizes = new[] { "match_input_image" } },
        new ModelInfo("flux-kontext-max", None, NineRatios.Append("match_input_image").ToArray(), 1, null, null) { ReferenceOnlySizes = new[] { "match_input_image" } },
        new ModelInfo("grok-4-1-image", None, Grok, 5, OneTwoOrFour, 1000),
        new ModelInfo("grok-4-2-image", None, Grok, 5, OneTwoOrFour, 1000),
        new ModelInfo("grok-imagine-1.0", None, new[] { "1:1", "16:9", "9:16", "3:2", "2:3" }, 0, OneToTen, null),
        new ModelInfo(EditModel, None, None, null, OneToTen, null) { RequiresReference = true },
        new ModelInfo("doubao-seedream-4-0", None, NineRatios.Append("auto").ToArray(), 10, OneToFifteen, 1000)
        {
            ReferenceOnlySizes = new[] { "auto" }, MaxReferencesPlusImages = 15, ReferenceFormats = JpegOrPng,
        },
        new ModelInfo("doubao-seedream-4-5", None, NineRatios, 10, OneToFifteen, null) { ReferenceFormats = JpegOrPng },
        new ModelInfo("doubao-seedream-5-0", None, NineRatios, 10, OneToFifteen, null) { ReferenceFormats = JpegOrPng },
        new ModelInfo("doubao-seedream-5-0-pro", None, NineRatios.Concat(new[] { "1K", "2K" }).ToArray(), 10, OneToTen, null)
        {
            SizeNote = "1K and 2K with layer_decomposition",
        },
        new ModelInfo("vidu-image", None, SevenRatios, 7, OnlyOne, null),
        new ModelInfo("viduq3-fast", None, SevenRatios, 7, OnlyOne, null),
        new ModelInfo("viduq2-pro", None, SevenRatios, 7, OnlyOne, null),
        new ModelInfo("viduq2-fast", None, SevenRatios, 7, OnlyOne, null),
    };

    private static readonly Dictionary<string, ModelInfo> ByName = Documented
        .SelectMany(model => model.Names.Select(name => (name, model)))
        .ToDictionary(pair => pair.name, pair => pair.model, StringComparer.OrdinalIgnoreCase);

    public static ModelInfo? Find(string? model) =>
        model is not null && ByName.TryGetValue(model, out var info) ? info : null;

    public static bool UsesEditsEndpoint(string model) =>
        string.Equals(model, EditModel, StringComparison.OrdinalIgnoreCase);

    /// <summary>Up to three names of <paramref name="available"/> that look like a mistyped <paramref name="model"/>, closest first.</summary>
    public static IReadOnlyList<string> ClosestNames(string model, IEnumerable<string> available)
    {
        var wanted = model.ToLowerInvariant();
        var allowed = Math.Max(2, wanted.Length / 4);
        return available
            .Select(name => (name, distance: EditDistance(wanted, name.ToLowerInvariant())))
            .Where(pair => pair.distance <= allowed || pair.name.IndexOf(model, StringComparison.OrdinalIgnoreCase) >= 0)
            .OrderBy(pair => pair.distance).ThenBy(pair => pair.name, StringComparer.Ordinal)
            .Take(3).Select(pair => pair.name).ToList();
    }

    /// <summary>Levenshtein distance: the fewest single-character edits that turn one name into the other.</summary>
    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    /// <summary>"1, 2 or 4", "1 to 10" or "only 1": the allowed values of n as a sentence part.</summary>
    public static string DescribeCounts(IReadOnlyList<int> counts) =>
        counts.Count == 1 ? $"only {counts[0]}"
        : counts.Count > 2 && counts[counts.Count - 1] - counts[0] == counts.Count - 1 ? $"{counts[0]} to {counts[counts.Count - 1]}"
        : OneOf(counts.Select(count => count.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList());

    /// <summary>"a, b or c".</summary>
    public static string OneOf(IReadOnlyList<string> values) =>
        values.Count == 1 ? values[0] : string.Join(", ", values.Take(values.Count - 1)) + " or " + values[values.Count - 1];
}
