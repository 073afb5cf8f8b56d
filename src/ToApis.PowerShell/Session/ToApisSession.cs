using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using ToApis.Models;
using ToApis.Client;
using ToApis.Client.RateLimiting;

namespace ToApis.Session;

/// <summary>
/// A connection to the service as PowerShell sees it: where, how patiently, never the key.
/// Returned by Connect-ToApis -PassThru and accepted by every API cmdlet's -Session.
/// </summary>
public sealed class ToApisSession
{
    internal ToApisSession(ToApisConnection connection, string keySource)
    {
        Connection = connection;
        KeySource = keySource;
        CreatedAt = DateTimeOffset.Now;
    }

    public Uri BaseUri => Connection.ApiRoot;

    public TimeSpan RequestTimeout => Connection.Settings.RequestTimeout;

    public int MaximumRetryCount => Connection.Settings.MaximumRetryCount;

    /// <summary>
    /// Submits per second the account is paced to (null: not limited): the figure given to Connect-ToApis, or the
    /// one learned from the service so far.
    /// </summary>
    public double? SubmitRateLimit => Connection.RateLimiter.LimitOf(RequestCategory.Submit);

    public double? QueryRateLimit => Connection.RateLimiter.LimitOf(RequestCategory.Query);

    /// <summary>True when Connect-ToApis was given a tier or a rate; otherwise the pace is learned from the service.</summary>
    public bool RateLimitsPinned => Connection.Settings.RateLimits.AnyPinned;

    /// <summary>Where the key came from ("parameter" or "environment"), so a user can tell sessions apart.</summary>
    public string KeySource { get; }

    public DateTimeOffset CreatedAt { get; }

    internal ToApisConnection Connection { get; }

    private IReadOnlyList<string>? _imageModelIds;

    /// <summary>Remembers what Get-ToApisModel saw, so tab completion needs no request.</summary>
    internal void RememberModels(string type, IEnumerable<ToApisModel> models)
    {
        if (type == "image")
        {
            _imageModelIds = models.Select(m => m.Id).ToList();
        }
    }

    /// <summary>Image model ids for completion: cached, else fetched within <paramref name="budget"/>, else null.</summary>
    internal IReadOnlyList<string>? CachedOrFetchedModelIds(TimeSpan budget)
    {
        if (_imageModelIds is null)
        {
            try
            {
                using var cancellation = new CancellationTokenSource(budget);
                var fetch = Connection.CreateClient().GetModelsAsync("image", cancellation.Token);
                if (fetch.Wait(budget))
                {
                    RememberModels("image", fetch.Result);
                }
            }
            catch (AggregateException)
            {
                // Offline or refused: completion falls back to the documented list.
            }
        }

        return _imageModelIds;
    }

    /// <summary>True once Disconnect-ToApis (or the module's removal) closed this session.</summary>
    public bool IsClosed { get; private set; }

    internal void Close()
    {
        if (!IsClosed)
        {
            IsClosed = true;
            Connection.Dispose();
        }
    }

    public override string ToString() => $"ToApis session to {BaseUri} (key from {KeySource})";
}
