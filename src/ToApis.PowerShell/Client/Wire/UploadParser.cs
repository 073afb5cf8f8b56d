using System.Linq;
using System.Text.Json;
using ToApis.Models;

namespace ToApis.Client.Wire;

/// <summary>Reads <c>{"success","message","data":{"id","url","mime_type","size"}}</c>; success must be true even on HTTP 200.</summary>
internal static class UploadParser
{
    public static ToApisUpload Parse(ApiResponse response, string requestDescription, string localPath)
    {
        using var document = Json.TryParse(response.Body);
        if (document?.RootElement is not { ValueKind: JsonValueKind.Object } root)
        {
            throw response.Unexpected(requestDescription, $"'{localPath}' may not have been uploaded");
        }

        var success = root.Property("success") is { ValueKind: JsonValueKind.True };
        var data = root.Property("data");
        var url = data?.String("url");
        if (!success || string.IsNullOrEmpty(url))
        {
            var reason = root.String("message") is { Length: > 0 } message ? response.Shown(message)
                : success ? $"the answer (HTTP {response.StatusCode}) said success:true but {DescribeData(data)}, so there is no data.url to use"
                : response.Error.Message;
            throw new ToApisApiException(
                success ? ApiErrorKind.UnexpectedResponse : ApiErrorKind.InvalidRequest, response.StatusCode, null,
                $"{requestDescription} did not accept '{localPath}': {reason}", requestDescription: requestDescription);
        }

        return new ToApisUpload
        {
            Url = url!,
            Id = data?.String("id"),
            MimeType = data?.String("mime_type"),
            Length = data?.Int64("size") ?? 0,
            Path = localPath,
        };
    }

    private static string DescribeData(JsonElement? data) => data switch
    {
        null => "had no data object",
        { ValueKind: JsonValueKind.Object } fields => fields.EnumerateObject().Select(f => f.Name).ToList() is { Count: > 0 } names
            ? $"its data held no url (only {string.Join(", ", names)})"
            : "its data object was empty",
        { } other => $"its data was {other.ValueKind.ToString().ToLowerInvariant()}, not an object with a url",
    };
}
