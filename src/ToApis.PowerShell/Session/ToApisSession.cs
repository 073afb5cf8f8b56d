using System;
using System.Collections.Generic;
using System.Linq;
using ToApis.Client;
using ToApis.Client.RateLimiting;
using ToApis.Models;

namespace ToApis.Session;

/// <summary>
/// A connection to the service as PowerShell sees it: where, how patiently, how fast, which key (by its last
/// four characters only). Returned by Connect-ToApis -PassThru and Get-ToApisSession, and accepted by every
/// API cmdlet's -Session.
/// </summary>
public sealed class ToApisSession
{
    internal ToApisSession(ToApisConnection connection, string keySource, string rateLimitSource, string keyCheck)
    {
        Connection = connection;
        KeySource = keySource;
        _rateLimitSource = rateLimitSource;
        KeyCheck = keyCheck;
        CreatedAt = DateTimeOffset.Now;
        ImageModels = new ModelIdCache(async token =>
            (await connection.CreateClient().GetModelsAsync("image", token).ConfigureAwait(false)).Select(m => m.Id).ToList());
    }

    /// <summary>
    /// Stands for a session that reached -Session as a copy (through Start-Job, Invoke-Command or remoting): a
    /// copy has no key and no connection, so it is never used; the command stops with ToApis.SessionNotTransferable.
    /// </summary>
    internal static ToApisSession CopyFromAnotherProcess(string description) => new(description);

    private ToApisSession(string copyDescription)
    {
        CopyDescription = copyDescription;
        Connection = null!;
        ImageModels = null!;
        KeySource = "";
        KeyCheck = "";
        _rateLimitSource = "";
    }

    /// <summary>What the copy said it was ("ToApis session to … (key …)"); null for every usable session.</summary>
    internal string? CopyDescription { get; }

    public Uri BaseUri => Connection.ApiRoot;

    /// <summary>Where the key came from ("parameter" or "environment"), so a user can tell sessions apart.</summary>
    public string KeySource { get; }

    /// <summary>The key's last four characters ("…9f3a"), enough to tell keys apart and never enough to use one.</summary>
    public string KeyHint => Connection.KeyHint;

    /// <summary>Whether Connect-ToApis checked the key with the service, and what it said.</summary>
    public string KeyCheck { get; internal set; }

    /// <summary>
    /// Submits per second the account is paced to now (null: not limited): the figure given to Connect-ToApis, or
    /// the one learned from the service so far.
    /// </summary>
    public double? SubmitRateLimit => Connection.RateLimiter.LimitOf(RequestCategory.Submit);

    /// <summary>Task look-ups per second the account is paced to now.</summary>
    public double? QueryRateLimit => Connection.RateLimiter.LimitOf(RequestCategory.Query);

    /// <summary>True when Connect-ToApis was given a tier or a rate; otherwise the pace is learned from the service.</summary>
    public bool RateLimitsPinned => Connection.Settings.RateLimits.AnyPinned;

    /// <summary>
    /// Why the pace is what it is: the rate tier or the figures given to Connect-ToApis, or, when it changed
    /// since, the service's lower X-RateLimit-Limit or another session of the same key.
    /// </summary>
    public string RateLimitSource =>
        Pace == Connection.Settings.RateLimits
            ? _rateLimitSource
            : $"changed since ({_rateLimitSource}): lowered to the service's X-RateLimit-Limit, or set by another session of this key";

    /// <summary>Limit for one HTTP attempt.</summary>
    public TimeSpan RequestTimeout => Connection.Settings.RequestTimeout;

    /// <summary>Limit for one request with all its retries and waits.</summary>
    public TimeSpan OverallTimeout => Connection.Settings.OverallTimeout;

    public int MaximumRetryCount => Connection.Settings.MaximumRetryCount;

    /// <summary>The proxy given to Connect-ToApis; empty when the system's settings apply.</summary>
    public Uri? Proxy => (Connection.Settings.Proxy as System.Net.WebProxy)?.Address;

    public DateTimeOffset CreatedAt { get; }

    /// <summary>True once Disconnect-ToApis (or the module's removal) closed this session.</summary>
    public bool IsClosed { get; private set; }

    internal ToApisConnection Connection { get; }

    /// <summary>The image models this key may use, as completion needs them: cached, fetched briefly, or unknown.</summary>
    internal ModelIdCache ImageModels { get; }

    private readonly string _rateLimitSource;

    private RateLimitSettings Pace => Connection.RateLimiter.Settings;

    /// <summary>Remembers what Get-ToApisModel or Connect-ToApis saw, so tab completion needs no request.</summary>
    internal void RememberModels(string type, IEnumerable<ToApisModel> models)
    {
        if (type == "image")
        {
            ImageModels.Remember(models.Select(m => m.Id));
        }
    }

    internal void Close()
    {
        if (!IsClosed)
        {
            IsClosed = true;
            Connection.Dispose();
        }
    }

    public override string ToString() => CopyDescription ?? $"ToApis session to {BaseUri} (key {KeyHint} from {KeySource})";
}
