namespace ToApis.Emulator;

/// <summary>A copy of <see cref="EmulatorStats"/> at one moment; the JSON of <c>GET /_emulator/stats</c>.</summary>
public sealed record StatsSnapshot(
    IReadOnlyDictionary<string, int> RequestsByRoute,
    IReadOnlyDictionary<string, int> ResponsesByStatus,
    int TasksCreated,
    IReadOnlyDictionary<string, int> TasksByClientBusinessId,
    int RateLimitedResponses,
    int ServiceUnavailableResponses,
    IReadOnlyDictionary<string, int> FaultsInjected,
    int AuthorizedFileRequestCount,
    IReadOnlyList<string> AuthorizedFileRequests,
    IReadOnlyDictionary<string, string> ServedSha256);
