using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace ToApis.Emulator;

/// <summary>Thread-safe counters of what the emulator saw and sent; also served at <c>GET /_emulator/stats</c>.</summary>
public sealed class EmulatorStats
{
    private readonly ConcurrentDictionary<string, int> requestsByRoute = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, int> responsesByStatus = new();
    private readonly ConcurrentDictionary<string, int> tasksByClientBusinessId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<FaultKind, int> faultsByKind = new();
    private readonly ConcurrentQueue<string> authorizedFileRequests = new();
    private readonly ConcurrentDictionary<string, string> servedSha256ByPath = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> inFlightByRoute = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> peakInFlightByRoute = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<SubmittedBody> submitBodies = new();
    private int tasksCreated;

    public int TasksCreated => Volatile.Read(ref tasksCreated);

    /// <summary>Paths of files-host requests that carried an Authorization header (a client must never send one).</summary>
    public IReadOnlyList<string> AuthorizedFileRequests => [.. authorizedFileRequests];

    public int AuthorizedFileRequestCount => authorizedFileRequests.Count;

    public int RateLimitedResponses => ResponseCount(429);

    public int ServiceUnavailableResponses => ResponseCount(503);

    /// <summary>Requests per route key, e.g. <see cref="RouteKeys.SubmitGeneration"/>; counted even when a fault drops them.</summary>
    public int RequestCount(string routeKey) => requestsByRoute.GetValueOrDefault(routeKey);

    /// <summary>The most requests of a route key that were being handled at the same moment: how concurrent a client was.</summary>
    public int PeakConcurrentRequests(string routeKey) => peakInFlightByRoute.GetValueOrDefault(routeKey);

    /// <summary>Responses actually sent with this status (aborted connections send none).</summary>
    public int ResponseCount(int statusCode) => responsesByStatus.GetValueOrDefault(statusCode);

    public int TasksForClientBusinessId(string clientBusinessId) => tasksByClientBusinessId.GetValueOrDefault(clientBusinessId);

    /// <summary>The client_business_id of every task created (clients of this project send one with every submit).</summary>
    public IReadOnlyCollection<string> ClientBusinessIdsCreated => [.. tasksByClientBusinessId.Keys];

    /// <summary>Every submit body as received (route and raw JSON), accepted or refused, in arrival order.</summary>
    public IReadOnlyList<SubmittedBody> SubmitBodies => [.. submitBodies];

    public int FaultsInjected(FaultKind kind) => faultsByKind.GetValueOrDefault(kind);

    /// <summary>SHA-256 (lower-case hex) of the bytes the files host served for a URL path or full URL.</summary>
    public string? ServedSha256(string urlPathOrUrl)
    {
        var path = Uri.TryCreate(urlPathOrUrl, UriKind.Absolute, out var url) && url.Scheme.StartsWith("http", StringComparison.Ordinal)
            ? url.AbsolutePath
            : urlPathOrUrl;
        return servedSha256ByPath.GetValueOrDefault(path);
    }

    public StatsSnapshot Snapshot() => new(
        new SortedDictionary<string, int>(requestsByRoute, StringComparer.Ordinal),
        new SortedDictionary<string, int>(responsesByStatus.ToDictionary(pair => pair.Key.ToString(), pair => pair.Value)),
        TasksCreated,
        new SortedDictionary<string, int>(tasksByClientBusinessId, StringComparer.Ordinal),
        RateLimitedResponses,
        ServiceUnavailableResponses,
        new SortedDictionary<string, int>(faultsByKind.ToDictionary(pair => pair.Key.ToString(), pair => pair.Value)),
        AuthorizedFileRequestCount,
        AuthorizedFileRequests,
        new SortedDictionary<string, string>(servedSha256ByPath, StringComparer.Ordinal));

    /// <summary>Forgets everything counted so far (tasks and files stay).</summary>
    public void Reset()
    {
        requestsByRoute.Clear();
        responsesByStatus.Clear();
        tasksByClientBusinessId.Clear();
        faultsByKind.Clear();
        authorizedFileRequests.Clear();
        submitBodies.Clear();
        servedSha256ByPath.Clear();
        peakInFlightByRoute.Clear();
        Interlocked.Exchange(ref tasksCreated, 0);
    }

    internal void RecordSubmitBody(string path, string json) => submitBodies.Enqueue(new SubmittedBody(path, json));

    internal void RecordRequest(string routeKey) => Increment(requestsByRoute, routeKey);

    /// <summary>A request of <paramref name="routeKey"/> is being handled until the returned object is disposed.</summary>
    internal IDisposable TrackInFlight(string routeKey)
    {
        var now = inFlightByRoute.AddOrUpdate(routeKey, 1, (_, count) => count + 1);
        peakInFlightByRoute.AddOrUpdate(routeKey, now, (_, peak) => Math.Max(peak, now));
        return new InFlight(this, routeKey);
    }

    internal void RecordResponse(int statusCode) => Increment(responsesByStatus, statusCode);

    internal void RecordFault(FaultKind kind) => Increment(faultsByKind, kind);

    internal void RecordTaskCreated(string? clientBusinessId)
    {
        Interlocked.Increment(ref tasksCreated);
        if (clientBusinessId is not null)
        {
            Increment(tasksByClientBusinessId, clientBusinessId);
        }
    }

    internal void RecordAuthorizedFileRequest(string path) => authorizedFileRequests.Enqueue(path);

    internal void RecordServedFile(string path, IReadOnlyList<ReadOnlyMemory<byte>> content)
    {
        // Served bytes are deterministic per path, so hashing once is enough.
        if (!servedSha256ByPath.ContainsKey(path))
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            foreach (var segment in content)
            {
                sha.AppendData(segment.Span);
            }

            servedSha256ByPath[path] = Convert.ToHexStringLower(sha.GetHashAndReset());
        }
    }

    private sealed class InFlight(EmulatorStats stats, string routeKey) : IDisposable
    {
        public void Dispose() => stats.inFlightByRoute.AddOrUpdate(routeKey, 0, (_, count) => count - 1);
    }

    private static void Increment<TKey>(ConcurrentDictionary<TKey, int> counters, TKey key)
        where TKey : notnull =>
        counters.AddOrUpdate(key, 1, (_, count) => count + 1);
}

/// <summary>A submit body the emulator received: <see cref="Path"/> is /v1/images/generations or /v1/images/edits.</summary>
public sealed record SubmittedBody(string Path, string Json);
