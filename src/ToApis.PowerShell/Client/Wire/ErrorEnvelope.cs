using System.Text.Json;

namespace ToApis.Client.Wire;

/// <summary>
/// The error bodies the service sends: <c>{"error":{"code","message","type","param"}}</c> with a string or
/// integer code, <c>{"success":false,"message"}</c>, New API's <c>{"code","message","data"}</c>, or not JSON.
/// </summary>
internal sealed record ErrorEnvelope(string? Code, string Message, string? Param)
{
    private const int MaxRawBodyInMessage = 300;

    public static ErrorEnvelope Parse(string body)
    {
        using var document = Json.TryParse(body);
        if (document?.RootElement is not { ValueKind: JsonValueKind.Object } root)
        {
            return new ErrorEnvelope(null, Shorten(body), null);
        }

        return root.Property("error") switch
        {
            { ValueKind: JsonValueKind.Object } error => new ErrorEnvelope(
                error.String("code"),
                error.String("message") ?? root.String("message") ?? Shorten(body),
                error.String("param") is { Length: > 0 } param ? param : null),
            { ValueKind: JsonValueKind.String } message => new ErrorEnvelope(root.String("code"), message.GetString()!, null),
            _ => new ErrorEnvelope(root.String("code"), root.String("message") ?? Shorten(body), null),
        };
    }

    /// <summary>True when the body is the service's "no such task" answer in any of its documented forms.</summary>
    public bool MeansTaskNotFound =>
        Mentions("task_not_exist") || Mentions("task_not_found") || Mentions("Task not found");

    private bool Mentions(string text) =>
        (Code?.IndexOf(text, System.StringComparison.OrdinalIgnoreCase) ?? -1) >= 0
        || Message.IndexOf(text, System.StringComparison.OrdinalIgnoreCase) >= 0;

    private static string Shorten(string body) => body.Trim() switch
    {
        { Length: 0 } => "(empty response body)",
        { Length: <= MaxRawBodyInMessage } text => text,
        var text => text.Substring(0, MaxRawBodyInMessage) + "…",
    };
}
