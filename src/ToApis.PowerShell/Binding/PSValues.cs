using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;

namespace ToApis.Binding;

/// <summary>Unwraps PowerShell's wrappers so the client core only ever sees plain CLR values.</summary>
internal static class PSValues
{
    public static object? ToPlain(object? value)
    {
        switch (value)
        {
            case PSObject wrapped when wrapped.BaseObject is PSCustomObject:
                var properties = new Dictionary<string, object?>();
                foreach (var property in wrapped.Properties)
                {
                    properties[property.Name] = ToPlain(property.Value);
                }

                return properties;
            case PSObject wrapped:
                return ToPlain(wrapped.BaseObject);
            case IDictionary dictionary:
                return ToDictionary(dictionary);
            case string text:
                return text;
            case IEnumerable items:
                var list = new List<object?>();
                foreach (var item in items)
                {
                    list.Add(ToPlain(item));
                }

                return list;
            default:
                return value;
        }
    }

    public static Dictionary<string, object?> ToDictionary(IDictionary? dictionary)
    {
        var result = new Dictionary<string, object?>();
        if (dictionary is null)
        {
            return result;
        }

        foreach (DictionaryEntry entry in dictionary)
        {
            result[LanguagePrimitives.ConvertTo<string>(entry.Key)] = ToPlain(entry.Value);
        }

        return result;
    }
}
