using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ToApis.Client.Wire;

/// <summary>
/// Deterministic client_business_id values for resumable runs: the same run key and the same request give
/// the same id in every process, so a rerun finds the task it already paid for instead of submitting again.
/// </summary>
internal sealed class RequestFingerprint
{
    private const int HashHexLength = 20;
    private const int MaxRunKeyLength = 32;

    private static readonly Regex UnsafeRunKeyCharacters = new("[^A-Za-z0-9._-]", RegexOptions.CultureInvariant);

    private readonly string _runKey;
    private readonly Dictionary<string, int> _occurrences = new(StringComparer.Ordinal);

    public RequestFingerprint(string runKey)
    {
        var safe = UnsafeRunKeyCharacters.Replace(runKey.Trim(), "_");
        _runKey = safe.Length <= MaxRunKeyLength ? safe : safe.Substring(0, MaxRunKeyLength);
    }

    /// <summary>
    /// The id for this request: run key, a hash of everything that defines the image (local reference
    /// files by content, since their upload URLs differ per run), and a counter when identical rows repeat.
    /// </summary>
    public string BusinessIdFor(GenerationRequest request, IEnumerable<byte[]> localReferenceContents)
    {
        var hash = ContentHash(request, localReferenceContents);
        var occurrence = _occurrences.TryGetValue(hash, out var seen) ? seen + 1 : 1;
        _occurrences[hash] = occurrence;
        return occurrence == 1 ? $"{_runKey}-{hash}" : $"{_runKey}-{hash}-{occurrence}";
    }

    /// <summary>A hash of everything that defines the image, without run key or counter: equal for equal requests.</summary>
    public static string ContentHash(GenerationRequest request, IEnumerable<byte[]> localReferenceContents) =>
        Hash(Canonical(request, localReferenceContents));

    private static byte[] Canonical(GenerationRequest request, IEnumerable<byte[]> localReferenceContents)
    {
        using var sha = SHA256.Create();
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("model", request.Model);
            writer.WriteString("prompt", request.Prompt);
            writer.WriteString("size", request.Size);
            writer.WriteString("n", request.Count?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            writer.WritePropertyName("image_urls");
            JsonValueWriter.Write(writer, request.ImageUrls);
            writer.WritePropertyName("local_images");
            JsonValueWriter.Write(writer, localReferenceContents.Select(content => Convert.ToBase64String(sha.ComputeHash(content))).ToList());
            writer.WritePropertyName("metadata");
            JsonValueWriter.Write(writer, Sorted(request.Metadata));
            writer.WritePropertyName("extra");
            JsonValueWriter.Write(writer, Sorted(request.ExtraBody));
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <summary>Dictionaries with their keys in a fixed order, at every depth (hashtable order varies by process).</summary>
    private static object? Sorted(object? value) => value switch
    {
        IDictionary dictionary => new SortedDictionary<string, object?>(
            dictionary.Keys.Cast<object>().ToDictionary(k => Convert.ToString(k, System.Globalization.CultureInfo.InvariantCulture) ?? "", k => Sorted(dictionary[k])),
            StringComparer.Ordinal),
        string text => text,
        IEnumerable items => items.Cast<object?>().Select(Sorted).ToList(),
        _ => value,
    };

    private static string Hash(byte[] canonical)
    {
        using var sha = SHA256.Create();
        return BitConverter.ToString(sha.ComputeHash(canonical), 0, HashHexLength / 2).Replace("-", "").ToLowerInvariant();
    }
}
