namespace ToApis.Emulator;

/// <summary>Keys of <see cref="EmulatorStats.RequestCount"/>.</summary>
public static class RouteKeys
{
    public const string SubmitGeneration = "POST /v1/images/generations";
    public const string SubmitEdit = "POST /v1/images/edits";
    public const string QueryGeneration = "GET /v1/images/generations/{id}";
    public const string UploadImage = "POST /v1/uploads/images";
    public const string ListModels = "GET /v1/models";
    public const string TokenBalance = "GET /v1/balance";
    public const string UserBalance = "GET /v1/user/balance";
    public const string Files = "GET files";
    public const string Control = "/_emulator";

    /// <summary>Requests that matched no route.</summary>
    public const string Unmatched = "unmatched";
}
