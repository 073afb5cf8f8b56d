using ToApis.Emulator.Images;

namespace ToApis.Emulator.Generation;

/// <summary>A submit that passed validation.</summary>
/// <param name="ModelName">The model as sent (possibly an alias); echoed back in task objects.</param>
internal sealed record GenerationRequest(
    string ModelName,
    ImageModel Model,
    string Prompt,
    int ImageCount,
    string? Size,
    IReadOnlyList<string> ReferenceImageUrls,
    string? ClientBusinessId,
    string? CallbackUrl,
    ImageFileFormat OutputFormat);

/// <summary>A 400 answer to a submit: <c>{"error":{"code","message","param","type":"invalid_request_error"}}</c>.</summary>
internal sealed class RequestRejectedException(string code, string message, string? param) : Exception(message)
{
    public string Code { get; } = code;

    public string? Param { get; } = param;
}
