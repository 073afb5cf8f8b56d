using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;

namespace ToApis.Client.Wire;

/// <summary>
/// The body of <c>POST /v1/images/generations</c>, or of <c>/v1/images/edits</c> for the one model served there.
/// Values are plain CLR values: the PowerShell layer unwraps its own types before building one.
/// </summary>
internal sealed class GenerationRequest
{
    public string Model { get; set; } = "";

    public string Prompt { get; set; } = "";

    public string? Size { get; set; }

    public int? Count { get; set; }

    public IList<string> ImageUrls { get; set; } = new List<string>();

    public IDictionary<string, object?> Metadata { get; set; } = new Dictionary<string, object?>();

    /// <summary>Other top-level fields some models take (resolution, quality, reference_images, seed, …).</summary>
    public IDictionary<string, object?> ExtraBody { get; set; } = new Dictionary<string, object?>();

    public string? ClientBusinessId { get; set; }

    /// <summary>
    /// Per-task webhook URL (checked by <see cref="Webhooks.CallbackUrls"/>). Where the result is announced,
    /// not what the image is: it stays out of the -RunKey fingerprint.
    /// </summary>
    public string? CallbackUrl { get; set; }

    /// <summary>grok-imagine-1.0-edit is served by /v1/images/edits; every other model by /generations.</summary>
    public string Path => IsEdit ? "v1/images/edits" : "v1/images/generations";

    public bool IsEdit => ModelCatalog.UsesEditsEndpoint(Model);

    public byte[] ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("model", Model);
            writer.WriteString("prompt", Prompt);
            if (!string.IsNullOrEmpty(Size))
            {
                writer.WriteString("size", Size);
            }

            if (Count is { } n)
            {
                writer.WriteNumber("n", n); // a quoted "1" is rejected by the service
            }

            if (ImageUrls.Count > 0)
            {
                writer.WritePropertyName("image_urls");
                JsonValueWriter.Write(writer, ImageUrls);
            }

            if (!string.IsNullOrEmpty(ClientBusinessId))
            {
                writer.WriteString("client_business_id", ClientBusinessId);
            }

            if (!string.IsNullOrEmpty(CallbackUrl))
            {
                writer.WriteString("callback_url", CallbackUrl);
            }

            foreach (var pair in ExtraBody)
            {
                writer.WritePropertyName(pair.Key);
                JsonValueWriter.Write(writer, pair.Value);
            }

            // The edit route documents no metadata: it goes there only when the caller gave some.
            if (!IsEdit || Metadata.Count > 0)
            {
                writer.WritePropertyName("metadata");
                JsonValueWriter.Write(writer, Metadata);
            }
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    public override string ToString() => Encoding.UTF8.GetString(ToJson());
}
