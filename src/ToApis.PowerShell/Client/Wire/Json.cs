using System;
using System.Globalization;
using System.Text.Json;

namespace ToApis.Client.Wire;

/// <summary>Tolerant readers: the service's documented shapes disagree on types, so read what is there.</summary>
internal static class Json
{
    public static JsonElement? Property(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
            ? value
            : null;

    /// <summary>A string, or a number/bool written as text (error codes come as either).</summary>
    public static string? String(this JsonElement element, string name) =>
        element.Property(name) is { } value ? AsText(value) : null;

    public static string? AsText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    public static long? Int64(this JsonElement element, string name)
    {
        if (element.Property(name) is not { } value)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number)
        {
            return value.TryGetInt64(out var whole) ? whole : (long)value.GetDouble();
        }

        // "100%" (webhook style) or "50" as text.
        var text = value.ValueKind == JsonValueKind.String ? value.GetString()?.TrimEnd('%').Trim() : null;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed)
            ? (long)parsed
            : null;
    }

    public static DateTimeOffset? UnixTime(this JsonElement element, string name) =>
        element.Int64(name) is { } seconds and > 0 ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;

    /// <summary>For JSON files people read (sidecars, the journal): CJK, accents and emoji stay as they are, not \uXXXX.</summary>
    public static JsonWriterOptions ReadableWriterOptions(bool indented = false) =>
        new() { Indented = indented, Encoder = ReadableJsonEncoder.Instance };

    /// <summary>Parses a body, or null when it is not JSON at all (an HTML proxy page, a truncated body).</summary>
    public static JsonDocument? TryParse(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
