using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ToApis.Models;

namespace ToApis.Binding;

/// <summary>
/// A task as the cmdlets write it: the task, plus its input row's columns as properties of the emitted object
/// (a CSV's Name becomes <c>$task.Name</c>), so the row is visible in Select-Object, Format-List and Export-Csv
/// instead of one "@{Name=…}" column, and comes back with Import-Csv for Save-ToApisImage's {Name} tokens.
/// A column the task has a property for (Id, Status, Prompt, …) keeps the task's value.
/// </summary>
internal static class TaskOutput
{
    /// <summary>The type name of a task whose row has a Name: ToApis.Format.ps1xml shows it by that name.</summary>
    public const string NamedTaskTypeName = "ToApis.Models.ToApisTask#Named";

    public static PSObject ToPSObject(ToApisTask task)
    {
        // Instance members stay with the task object: the same task written again is not given them twice.
        var output = PSObject.AsPSObject(task);
        foreach (var column in RowColumns(task.InputObject))
        {
            if (output.Properties[column.Key] is null)
            {
                output.Properties.Add(new PSNoteProperty(column.Key, column.Value));
            }
        }

        if (output.Properties["Name"]?.Value is string { Length: > 0 } && !output.TypeNames.Contains(NamedTaskTypeName))
        {
            output.TypeNames.Insert(0, NamedTaskTypeName);
        }

        return output;
    }

    /// <summary>The columns of a row object (Import-Csv, [pscustomobject], a hashtable); nothing for other input.</summary>
    public static IEnumerable<KeyValuePair<string, object?>> RowColumns(object? row) => Unwrap(row) switch
    {
        PSObject { BaseObject: PSCustomObject } columns => columns.Properties.Select(property => Column(property.Name, property.Value)),
        IDictionary dictionary => dictionary.Cast<DictionaryEntry>().Where(entry => entry.Key is string).Select(entry => Column((string)entry.Key, entry.Value)),
        _ => [],
    };

    private static KeyValuePair<string, object?> Column(string name, object? value) => new(name, Unwrap(value));

    private static object? Unwrap(object? value) => value is PSObject { BaseObject: not PSCustomObject } wrapped ? wrapped.BaseObject : value;
}
