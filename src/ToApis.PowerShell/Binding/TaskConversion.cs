using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using ToApis.Models;

namespace ToApis.Binding;

/// <summary>
/// Turns what a task becomes on its travels back into a task: the property bag of Start-Job / Receive-Job and
/// Import-Clixml ("Deserialized.ToApis.Models.ToApisTask"), an Import-Csv row of an exported task, or any
/// object or hashtable with a task id or image URLs. The columns that are not the task's become its input row,
/// so {Name} still names the files.
/// </summary>
internal static class TaskConversion
{
    private static readonly string[] IdNames = { "Id", "TaskId", "task_id" };

    private static readonly string[] UrlNames = { "ImageUrls", "image_urls", "ImageUrl", "Url" };

    /// <summary>Names a task property travels under; whatever else an object has belongs to its row.</summary>
    private static readonly HashSet<string> TaskNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "Id", "TaskId", "task_id", "Status", "Progress", "Model", "Prompt", "Size", "ImageUrls", "image_urls", "ImageUrl", "Url",
        "Created", "Completed", "Expires", "CreatedAt", "CompletedAt", "ExpiresAt", "created_at", "completed_at", "expires_at",
        "ErrorCode", "ErrorMessage", "ClientBusinessId", "client_business_id", "RowNumber", "InputObject", "IsTerminal", "IsCompleted", "IsFailed",
    };

    private static readonly char[] UrlSeparators = { ' ', '\t', '\r', '\n', ',', ';' };

    /// <summary>
    /// Tasks for a ToApisTask parameter: tasks stay as they are, objects that carry a task id or image URLs are
    /// converted; anything else (a string for -Id, say) is left for the binder to place or refuse.
    /// </summary>
    public static object? Transform(object? input)
    {
        var value = input is PSObject wrapped ? wrapped.BaseObject : input;
        switch (value)
        {
            case null or ToApisTask or string:
                return input;
            case IList items when value is not IDictionary:
                return items.Cast<object?>().Select(Transform).ToArray();
            default:
                return FromObject(PSObject.AsPSObject(input!)) ?? input;
        }
    }

    /// <summary>The task an object describes, or null when it has neither a task id nor an image URL.</summary>
    public static ToApisTask? FromObject(PSObject item)
    {
        var properties = Properties(item);
        var id = First(properties, IdNames) is { } idValue ? Text(idValue)?.Trim() ?? "" : "";
        var urls = First(properties, UrlNames) is { } urlValue ? Urls(urlValue).ToArray() : Array.Empty<string>();
        if (id.Length == 0 && urls.Length == 0)
        {
            return null;
        }

        var status = Text(First(properties, "Status"))?.Trim();
        return new ToApisTask
        {
            Id = id,
            // An object with image URLs and no status is a finished result (a hand-made list of URLs, say).
            Status = string.IsNullOrEmpty(status) ? urls.Length > 0 ? TaskStatusNames.Completed : "" : status!,
            Progress = int.TryParse(Text(First(properties, "Progress")), NumberStyles.Integer, CultureInfo.InvariantCulture, out var progress) ? progress : 0,
            Model = NullIfEmpty(Text(First(properties, "Model"))),
            Prompt = NullIfEmpty(Text(First(properties, "Prompt"))),
            Size = NullIfEmpty(Text(First(properties, "Size"))),
            ImageUrls = urls,
            CreatedAt = Moment(First(properties, "CreatedAt", "Created", "created_at")),
            CompletedAt = Moment(First(properties, "CompletedAt", "Completed", "completed_at")),
            ExpiresAt = Moment(First(properties, "ExpiresAt", "Expires", "expires_at")),
            ErrorCode = NullIfEmpty(Text(First(properties, "ErrorCode"))),
            ErrorMessage = NullIfEmpty(Text(First(properties, "ErrorMessage"))),
            ClientBusinessId = NullIfEmpty(Text(First(properties, "ClientBusinessId", "client_business_id"))),
            RowNumber = int.TryParse(Text(First(properties, "RowNumber")), NumberStyles.Integer, CultureInfo.InvariantCulture, out var rowNumber) && rowNumber > 0 ? rowNumber : null,
            InputObject = Row(properties),
        };
    }

    private static Dictionary<string, object?> Properties(PSObject item)
    {
        var properties = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        if (item.BaseObject is IDictionary dictionary)
        {
            foreach (DictionaryEntry entry in dictionary)
            {
                properties[Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? ""] = entry.Value;
            }

            return properties;
        }

        // Deserialized tasks keep their hidden properties (InputObject, the typed times) in the bag: read those too.
        foreach (var property in item.Properties.Match("*", PSMemberTypes.Properties))
        {
            try
            {
                properties[property.Name] = property.Value;
            }
            catch (GetValueException)
            {
                // A property that cannot be read is left out.
            }
        }

        foreach (var name in new[] { "InputObject", "CreatedAt", "CompletedAt", "ExpiresAt", "ImageUrls" })
        {
            if (!properties.ContainsKey(name) && item.Properties[name] is { } hidden)
            {
                properties[name] = hidden.Value;
            }
        }

        return properties;
    }

    /// <summary>
    /// The row the task was made from: the InputObject a deserialized task carried, else the columns that are
    /// not the task's own (an exported task's flattened row), else nothing.
    /// </summary>
    private static object? Row(Dictionary<string, object?> properties)
    {
        properties.TryGetValue("InputObject", out var carried);
        if (carried is PSObject { BaseObject: PSCustomObject })
        {
            return carried;
        }

        // A row serialized too shallowly arrives as "@{Name=…}" text: its columns also rode along flattened.
        var row = new PSObject();
        foreach (var column in properties.Where(p => !TaskNames.Contains(p.Key)))
        {
            row.Properties.Add(new PSNoteProperty(column.Key, column.Value));
        }

        return row.Properties.Any() ? row : carried;
    }

    private static object? First(Dictionary<string, object?> properties, params string[] names) =>
        names.Select(name => properties.TryGetValue(name, out var value) ? value : null).FirstOrDefault(value => value is not null);

    private static string? Text(object? value) => value switch
    {
        null => null,
        PSObject wrapped => Text(wrapped.BaseObject),
        string text => text,
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    private static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    /// <summary>URLs from an array, a deserialized list, or text with the URLs separated by spaces or new lines.</summary>
    private static IEnumerable<string> Urls(object value)
    {
        var plain = value is PSObject wrapped ? wrapped.BaseObject : value;
        var items = plain is IEnumerable list and not string ? list.Cast<object?>() : new[] { plain };
        return items
            .Select(Text)
            .SelectMany(text => (text ?? "").Split(UrlSeparators, StringSplitOptions.RemoveEmptyEntries))
            .Where(text => Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp));
    }

    /// <summary>A time from a DateTimeOffset or DateTime, a deserialized one, ISO 8601 or culture text, or Unix seconds.</summary>
    private static DateTimeOffset? Moment(object? value)
    {
        switch (value is PSObject wrapped && wrapped.BaseObject is not PSCustomObject ? wrapped.BaseObject : value)
        {
            case null:
                return null;
            case DateTimeOffset moment:
                return moment;
            case DateTime time:
                return time.Kind == DateTimeKind.Unspecified ? new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)) : new DateTimeOffset(time);
            case PSObject deserialized when deserialized.Properties["UtcDateTime"]?.Value is { } utc:
                return Moment(utc);
            case long or int or double:
                return DateTimeOffset.FromUnixTimeSeconds(Convert.ToInt64(value is PSObject boxed ? boxed.BaseObject : value, CultureInfo.InvariantCulture));
            case var other:
                var text = Text(other)?.Trim();
                if (string.IsNullOrEmpty(text))
                {
                    return null;
                }

                if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var unix))
                {
                    return DateTimeOffset.FromUnixTimeSeconds(unix);
                }

                return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
                    || DateTimeOffset.TryParse(text, CultureInfo.CurrentCulture, DateTimeStyles.AssumeUniversal, out parsed)
                    ? parsed
                    : null;
        }
    }
}
