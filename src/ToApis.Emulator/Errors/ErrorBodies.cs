using System.Text.Json.Serialization;

namespace ToApis.Emulator.Errors;

/// <summary>The OpenAI-like envelope. <paramref name="Code"/> is a string or, as some docs show, the HTTP status.</summary>
internal sealed record ErrorEnvelope(ErrorDetail Error);

internal sealed record ErrorDetail(object Code, string Message, string? Param = null, string? Type = null);

/// <summary>New API's task error, <c>{"code","message","data":null}</c> (contract U1).</summary>
internal sealed record TaskNotExistBody(
    string Code,
    string Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] object? Data);

/// <summary>The envelope of uploads and account endpoints: <c>{"success":false,"message":…}</c>.</summary>
internal sealed record FailureBody(bool Success, string Message);
