using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using ToApis.Models;

namespace ToApis.Errors;

/// <summary>
/// The input item a message is about, as a person finds it again: its number within the command's input and,
/// when the item (or the row a task was made from) has one, a name-like column: "Row 3 (Name=fox)".
/// </summary>
/// <param name="number">1-based position in the command's input.</param>
internal readonly struct InputRow(int number, object? item)
{
    private const int MaxValueLength = 40;

    private static readonly string[] NameColumns = { "Name", "Id", "Title", "FileName", "Key" };

    public int Number { get; } = number;

    /// <summary>"Name=fox", or null when the item has no name-like column; looked up only when a message needs it.</summary>
    public string? Name => NameOf(item);

    public override string ToString() => Name is { } name ? $"Row {Number} ({name})" : $"Row {Number}";

    /// <summary>"Row 3 (Name=fox): the prompt is empty."</summary>
    public string Describe(string message) => $"{this}: {StartLowercase(message)}";

    private static string? NameOf(object? item)
    {
        var value = item is PSObject wrapped ? wrapped.BaseObject : item;
        if (value is ToApisTask task)
        {
            // A task is known by the row it was made from; its own id is in the messages already.
            return task.InputObject is { } row ? NameOf(row) : null;
        }

        if (value is null or string || value.GetType().IsPrimitive)
        {
            return null;
        }

        foreach (var column in NameColumns)
        {
            var text = value is IDictionary dictionary ? ValueOf(dictionary, column) : PropertyValue(item!, column);
            if (Convert.ToString(text, System.Globalization.CultureInfo.InvariantCulture) is { Length: > 0 } name && !string.IsNullOrWhiteSpace(name))
            {
                return $"{column}={Shorten(name.Trim())}";
            }
        }

        return null;
    }

    private static object? PropertyValue(object item, string name)
    {
        try
        {
            return PSObject.AsPSObject(item).Properties[name]?.Value;
        }
        catch (GetValueException)
        {
            return null; // a script property that fails has no name to give
        }
    }

    private static object? ValueOf(IDictionary dictionary, string key) =>
        dictionary.Cast<DictionaryEntry>().FirstOrDefault(entry => string.Equals(entry.Key as string, key, StringComparison.OrdinalIgnoreCase)).Value;

    private static string Shorten(string text) =>
        text.Length <= MaxValueLength ? text : text.Substring(0, MaxValueLength - 1) + "\u2026";

    /// <summary>"The prompt is empty." reads on after a colon as "the prompt is empty."; ids and acronyms stay as they are.</summary>
    private static string StartLowercase(string message) =>
        message.Length > 1 && char.IsUpper(message[0]) && char.IsLower(message[1])
            ? char.ToLowerInvariant(message[0]) + message.Substring(1)
            : message;
}
