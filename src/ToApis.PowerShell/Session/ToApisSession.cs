using System;
using ToApis.Client;

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

    /// <summary>Where the key came from ("parameter" or "environment"), so a user can tell sessions apart.</summary>
    public string KeySource { get; }

    public DateTimeOffset CreatedAt { get; }

    internal ToApisConnection Connection { get; }

    public override string ToString() => $"ToApis session to {BaseUri} (key from {KeySource})";
}
