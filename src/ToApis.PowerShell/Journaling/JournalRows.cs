using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using ToApis.Binding;
using ToApis.Client.Journal;

namespace ToApis.Journaling;

/// <summary>
/// Input rows to and from the journal: a pipeline object becomes its columns as plain values (in their order),
/// and columns read back become a PSCustomObject that binds to New-ToApisImage like the original row.
/// </summary>
internal static class JournalRows
{
    /// <summary>
    /// The columns of an input object: a CSV row's or a hashtable's own; a bare prompt as Prompt; any other object
    /// (an upload, for one) its simple properties, so that piping it again binds the same way.
    /// </summary>
    public static RowColumns Columns(object input)
    {
        var value = input is PSObject { BaseObject: not PSCustomObject } wrapped ? wrapped.BaseObject : input;
        return new RowColumns(value is string prompt
            ? new Dictionary<string, object?> { ["Prompt"] = prompt }
            : PSValues.ToPlain(input) as Dictionary<string, object?> ?? SimpleProperties(PSObject.AsPSObject(input)));
    }

    /// <summary>
    /// The FailedRows objects handed out in this process, with the key of the row each stands for: fed to
    /// New-ToApisImage again, even after a column was corrected, it retries that row instead of adding one.
    /// </summary>
    private static readonly ConditionalWeakTable<PSObject, string> RetryKeys = new();

    /// <summary>The row a FailedRows object fed to New-ToApisImage retries, if it is one.</summary>
    public static string? RetryOf(object input) =>
        input is PSObject row && RetryKeys.TryGetValue(row, out var key) ? key : null;

    /// <summary>A FailedRows object: the row's columns, remembered as retrying the row <paramref name="key"/>.</summary>
    public static PSObject ToFailedRow(RowColumns columns, string? key)
    {
        var row = ToObject(columns);
        if (key is not null)
        {
            RetryKeys.Add(row, key);
        }

        return row;
    }

    /// <summary>A PSCustomObject with the row's columns as note properties, nested objects likewise.</summary>
    private static PSObject ToObject(RowColumns columns)
    {
        var row = new PSObject();
        foreach (var column in columns)
        {
            row.Properties.Add(new PSNoteProperty(column.Key, ToValue(column.Value)));
        }

        return row;
    }

    private static object? ToValue(object? value) => value switch
    {
        RowColumns nested => ToObject(nested),
        List<object?> items => items.Select(ToValue).ToArray(),
        _ => value,
    };

    private static Dictionary<string, object?> SimpleProperties(PSObject input)
    {
        var properties = new Dictionary<string, object?>();
        foreach (var property in input.Properties)
        {
            try
            {
                if (property.IsGettable && property.Value is { } value && IsSimple(value))
                {
                    properties[property.Name] = value;
                }
            }
            catch (Exception unreadable) when (unreadable is GetValueException or ExtendedTypeSystemException)
            {
                // A property whose getter throws is left out: the row is a record, not a copy of the object.
            }
        }

        return properties;
    }

    private static bool IsSimple(object value) =>
        value is string or bool or DateTime or DateTimeOffset || (value.GetType().IsPrimitive && value is not IntPtr and not UIntPtr);
}
