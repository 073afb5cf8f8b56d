using System;
using System.Collections;
using System.Globalization;
using System.Text.Json;

namespace ToApis.Client.Wire;

/// <summary>Writes plain CLR values (strings, numbers, bools, dictionaries, lists) as JSON.</summary>
internal static class JsonValueWriter
{
    public static void Write(Utf8JsonWriter writer, object? value)
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
                    Write(writer, entry.Value);
                }

                writer.WriteEndObject();
                break;
            case IEnumerable items:
                writer.WriteStartArray();
                foreach (var item in items)
                {
                    Write(writer, item);
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
}
