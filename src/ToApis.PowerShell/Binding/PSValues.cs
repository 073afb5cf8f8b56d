using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace ToApis.Binding;

/// <summary>Unwraps PowerShell's wrappers so the client core only ever sees plain CLR values.</summary>
internal static class PSValues
{
    public static object? ToPlain(object? value) => value switch
    {
        PSObject { BaseObject: PSCustomObject } columns => columns.Properties.ToDictionary(property => property.Name, property => ToPlain(property.Value)),
        PSObject wrapped => ToPlain(wrapped.BaseObject),
        IDictionary dictionary => ToDictionary(dictionary),
        string text => text,
        IEnumerable items => items.Cast<object?>().Select(ToPlain).ToList(),
        _ => value,
    };

    public static Dictionary<string, object?> ToDictionary(IDictionary? dictionary)
    {
        var result = new Dictionary<string, object?>();
        foreach (DictionaryEntry entry in dictionary ?? new Hashtable())
        {
            result[LanguagePrimitives.ConvertTo<string>(entry.Key)] = ToPlain(entry.Value);
        }

        return result;
    }
}
