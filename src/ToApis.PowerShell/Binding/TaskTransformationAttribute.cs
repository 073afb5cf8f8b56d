using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using ToApis.Models;

namespace ToApis.Binding;

/// <summary>
/// On a ToApisTask parameter: turns what a task becomes on its travels back into a task: the property bag of
/// Start-Job / Receive-Job and Import-Clixml ("Deserialized.ToApis.Models.ToApisTask"), an Import-Csv row of an
/// exported task, or any object or hashtable with a task id or image URLs. The columns that are not the task's
/// become its input row, so {Name} still names the files. Anything else (a string for -Id, say) is left for the
/// binder to place or refuse.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class TaskTransformationAttribute : ArgumentTransformationAttribute
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

    /// <summary>Hidden properties that deserialized tasks keep in the bag.</summary>
    private static readonly string[] HiddenNames = { "InputObject", "CreatedAt", "CompletedAt", "ExpiresAt", "ImageUrls" };

    private static readonly char[] UrlSeparators = { ' ', '\t', '\r', '\n', ',', ';' };

    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData) => Transform(inputData);

    private static object? Transform(object? input) => (input is PSObject wrapped ? wrapped.BaseObject : input) switch
    {
        null or ToApisTask or string => input,
        IList items and not IDictionary => items.Cast<object?>().Select(Transform).ToArray(),
        _ => FromObject(Properties(PSObject.AsPSObject(input!))) ?? input,
    };

    /// <summary>The task the properties describe, or null when they have neither a task id nor an image URL.</summary>
    private static ToApisTask? FromObject(Dictionary<string, object?> properties)
    {
        object? First(params string[] names) =>
            names.Select(name => properties.TryGetValue(name, out var value) ? value : null).FirstOrDefault(value => value is not null);
        string? TextOf(params string[] names) => Text(First(names)) is { } text && !string.IsNullOrWhiteSpace(text) ? text : null;
        int? NumberOf(string name) => int.TryParse(Text(First(name)), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : null;

        var id = Text(First(IdNames))?.Trim() ?? "";
        var urls = First(UrlNames) is { } urlValue ? Urls(urlValue).ToArray() : Array.Empty<string>();
        if (id.Length == 0 && urls.Length == 0)
        {
            return null;
        }

        var status = Text(First("Status"))?.Trim();
        return new ToApisTask
        {
            Id = id,
            // An object with image URLs and no status is a finished result (a hand-made list of URLs, say).
            Status = string.IsNullOrEmpty(status) ? urls.Length > 0 ? TaskStatusNames.Completed : "" : status!,
            Progress = NumberOf("Progress") ?? 0,
            Model = TextOf("Model"),
            Prompt = TextOf("Prompt"),
            Size = TextOf("Size"),
            ImageUrls = urls,
            CreatedAt = Moment(First("CreatedAt", "Created", "created_at")),
            CompletedAt = Moment(First("CompletedAt", "Completed", "completed_at")),
            ExpiresAt = Moment(First("ExpiresAt", "Expires", "expires_at")),
            ErrorCode = TextOf("ErrorCode"),
            ErrorMessage = TextOf("ErrorMessage"),
            ClientBusinessId = TextOf("ClientBusinessId", "client_business_id"),
            RowNumber = NumberOf("RowNumber") is > 0 and var rowNumber ? rowNumber : null,
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

        var hidden = HiddenNames.Select(name => item.Properties[name]).OfType<PSPropertyInfo>();
        foreach (var property in item.Properties.Match("*", PSMemberTypes.Properties).Concat(hidden).Where(p => !properties.ContainsKey(p.Name)))
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

    private static string? Text(object? value) => value switch
    {
        null => null,
        PSObject wrapped => Text(wrapped.BaseObject),
        string text => text,
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };

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
            case IConvertible seconds and (long or int or double):
                return DateTimeOffset.FromUnixTimeSeconds(seconds.ToInt64(CultureInfo.InvariantCulture));
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
