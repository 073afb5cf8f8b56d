using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;

namespace ToApis.Client.Journal;

/// <summary>An input row's columns in the order they were written (a CSV row keeps its column order).</summary>
internal sealed class RowColumns : Dictionary<string, object?>
{
    public RowColumns()
    {
    }

    public RowColumns(IDictionary<string, object?> columns)
        : base(columns)
    {
    }

    /// <summary>The columns of a JSON object; nested objects are <see cref="RowColumns"/> too, arrays lists.</summary>
    public static RowColumns From(JsonElement element)
    {
        var columns = new RowColumns();
        foreach (var property in element.EnumerateObject())
        {
            columns[property.Name] = Plain(property.Value);
        }

        return columns;
    }

    /// <summary>The value of the column with this name (compared without case) as text, or null when it is missing or blank.</summary>
    public string? Text(string name) => this.FirstOrDefault(column => string.Equals(column.Key, name, StringComparison.OrdinalIgnoreCase)).Value switch
    {
        null => null,
        string text => string.IsNullOrWhiteSpace(text) ? null : text,
        IFormattable value => value.ToString(null, CultureInfo.InvariantCulture),
        var other => other.ToString(),
    };

    private static object? Plain(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.TryGetInt64(out var whole) ? whole : value.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Object => From(value),
        JsonValueKind.Array => value.EnumerateArray().Select(Plain).ToList(),
        _ => null,
    };
}
