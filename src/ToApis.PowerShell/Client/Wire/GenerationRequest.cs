using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;

namespace ToApis.Client.Wire;

/// <summary>
/// The body of <c>POST /v1/images/generations</c>. Values are plain CLR values (strings, numbers, bools,
/// dictionaries, lists): the PowerShell layer unwraps its own types before building one.
/// </summary>
public sealed class GenerationRequest
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

    /// <summary>grok-imagine-1.0-edit is served by /v1/images/edits; every other model by /generations.</summary>
    public string Path => ModelCatalog.UsesEditsEndpoint(Model) ? "v1/images/edits" : "v1/images/generations";

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
                writer.WriteStartArray("image_urls");
                foreach (var url in ImageUrls)
                {
                    writer.WriteStringValue(url);
                }

                writer.WriteEndArray();
            }

            if (!string.IsNullOrEmpty(ClientBusinessId))
            {
                writer.WriteString("client_business_id", ClientBusinessId);
            }

            foreach (var pair in ExtraBody)
            {
                writer.WritePropertyName(pair.Key);
                WriteValue(writer, pair.Value);
            }

            writer.WritePropertyName("metadata");
            WriteValue(writer, Metadata);
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    internal static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case char character:
                writer.WriteStringValue(character.ToString());
                break;
            case Enum enumValue:
                writer.WriteStringValue(enumValue.ToString());
                break;
            case DateTimeOffset moment:
                writer.WriteStringValue(moment);
                break;
            case DateTime moment:
                writer.WriteStringValue(moment);
                break;
            case IDictionary dictionary:
                writer.WriteStartObject();
                foreach (DictionaryEntry entry in dictionary)
                {
                    writer.WritePropertyName(Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "");
                    WriteValue(writer, entry.Value);
                }

                writer.WriteEndObject();
                break;
            case IEnumerable items:
                writer.WriteStartArray();
                foreach (var item in items)
                {
                    WriteValue(writer, item);
                }

                writer.WriteEndArray();
                break;
            case double real:
                writer.WriteNumberValue(real);
                break;
            case float real:
                writer.WriteNumberValue(real);
                break;
            case decimal real:
                writer.WriteNumberValue(real);
                break;
            case IConvertible whole when IsInteger(whole):
                writer.WriteNumberValue(Convert.ToInt64(whole, CultureInfo.InvariantCulture));
                break;
            default:
                writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    private static bool IsInteger(IConvertible value) => value.GetTypeCode() is
        TypeCode.Byte or TypeCode.SByte or TypeCode.Int16 or TypeCode.UInt16 or TypeCode.Int32 or TypeCode.UInt32
        or TypeCode.Int64 or TypeCode.UInt64;

    public override string ToString() => Encoding.UTF8.GetString(ToJson());
}
